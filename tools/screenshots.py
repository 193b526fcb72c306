"""Take the README's screenshots of the staff pages from the demo data, in real Chromium.

    .venv/bin/python tools/screenshots.py            # all of them, into docs/screenshots/
    .venv/bin/python tools/screenshots.py pack       # only the ones whose name contains "pack"

It makes the demo as `make run` does (a fresh SQLite file in a temporary folder, `flask demo`),
serves it on a free local port, signs in as the demo QA officer and saves the first screenful of
each page (1,000 by 1,300 pixels). Nothing leaves the machine; every person and number in the demo is invented.
Needs Chromium at /usr/bin/chromium (`make test` installs it) or CHROMIUM_PATH.
"""
from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The same flags as the browser tests (tests/browser/conftest.py): no calls out of a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: file name -> (path on the service, what the picture shows)
SHOTS = {
    "qa-monthly-pack.png": ("/insights/pack/{pack_month}.html", "the QA Executive's monthly pack"),
    "qa-scorecard.png": ("/learning/scorecard", "the 'What good looks like' scorecard"),
}


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def demo_app(folder: Path):
    """The app on a fresh SQLite demo database, made as `make run` makes it."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    os.environ.update(VOICE_ENV="development", VOICE_INSTANCE_DIR=str(folder / "instance"), DATABASE_URL=f"sqlite:///{folder / 'demo.db'}",
                      REPORTS_DIR=str(folder / "reports"))
    from voice_service import create_app

    app = create_app()
    runner = app.test_cli_runner()
    for command in (["db", "upgrade"], ["demo"]):
        progress(f"flask {' '.join(command)} ...")
        result = runner.invoke(args=command, catch_exceptions=False)
        if result.exit_code != 0:
            raise SystemExit(f"flask {' '.join(command)} failed:\n{result.output}")
    return app


def main(wanted: list[str]) -> int:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from voice_service.analysis.pack import stored_months
    from voice_service.demo import DEMO_PASSWORD

    with tempfile.TemporaryDirectory(prefix="voice-screens-") as tmp:
        app = demo_app(Path(tmp))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        months = stored_months(app.config["REPORTS_DIR"])
        if not months:
            raise SystemExit("the demo made no monthly pack; see voice_service/learning_demo.py")
        pack_month = max(months)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1000, "height": 1300})
                page.goto(base + "/staff/sign-in")
                page.fill("input[name=email]", "qa@demo.invalid")
                page.fill("input[name=password]", DEMO_PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(lambda url: "sign-in" not in url)
                for name, (path, what) in SHOTS.items():
                    if wanted and not any(w in name for w in wanted):
                        continue
                    response = page.goto(base + path.format(pack_month=pack_month))
                    if response is None or response.status != 200:
                        raise SystemExit(f"{path}: status {getattr(response, 'status', None)}; is the demo complete?")
                    page.screenshot(path=str(OUT / name))  # the first screenful: what a reader sees first
                    progress(f"wrote docs/screenshots/{name} ({what})")
                browser.close()
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
