"""Browser fixtures: the real app on a local port, Debian's Chromium through Playwright, and axe.

Use them for any page (public form, staff pages):

    @pytest.mark.browser
    def test_something(app, live_server, page):      # `app`: make data; `live_server`: serve it
        page.goto(live_server.url + "/staff/sign-in")
        axe_check(page)                               # WCAG 2.2 AA tags; fails with a readable report

- `live_server` (session): one `create_app()` on 127.0.0.1 in a background thread, on the same
  test database as the `app` fixture, so rows a test commits through `app` are what the browser
  sees. `live_server.app` is that app (e.g. to install a test survey); `live_server.url` the base.
- `browser` (session): one Chromium for the whole run (Debian's, /usr/bin/chromium).
- `page`: a fresh browser context per test (no cookies, JavaScript on, 10 s default timeout).
- `new_page(javascript=False, width=320, locale="ar")`: another context with other settings.
- `axe_check(page)`, `assert_no_sideways_scroll(page)`: helpers, in tests/support/browser.py.

Waits are bounded (Playwright's auto-waiting with short timeouts); nothing sleeps.
"""
from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from voice_service import create_app

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 10_000  # generous: the test machine is shared; nothing waits this long when all is well


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test; skip them all when there is no Chromium."""
    here = Path(__file__).parent
    missing = not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM))
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if missing:
                reason = f"no Chromium at {CHROMIUM} (.ci/run and make test install Debian's chromium)"
                if os.environ.get("CI"):  # in CI a missing browser is a missing install step: fail loudly
                    raise pytest.UsageError(reason)
                item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class LiveServer:
    app: object
    url: str


def _closing_body(wsgi_app):
    """Close every response body, even when the browser drops the connection.

    Werkzeug's dev server skips `close()` when the client hangs up while it drains the request
    (Chromium does this for a cached favicon), leaving the static file open; a generator is
    closed when it is dropped, so its `finally` always closes the body.
    """
    def app(environ, start_response):
        body = wsgi_app(environ, start_response)
        try:
            yield from body
        finally:
            if hasattr(body, "close"):
                body.close()

    return app


@pytest.fixture(scope="session")
def live_server(database_url, tmp_path_factory):
    """The app served on 127.0.0.1:<free port> by a threaded Werkzeug server, for the whole session."""
    tmp = tmp_path_factory.mktemp("live")
    app = create_app({
        "ENV_NAME": "test",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_DIR": str(tmp / "instance"),
        "REPORTS_DIR": str(tmp / "reports"),
        "MODEL_PATH": str(tmp / "instance" / "theme_model.joblib"),
        "PRIVATE_LINK_RATE_LIMIT": "1000 per minute",
    })
    with app.app_context():  # load the free-text analysis once, so no page waits for it
        from voice_service.analysis.pipeline import classify

        classify("warming up", question="How are things?")
    server = make_server("127.0.0.1", 0, _closing_body(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        with app.app_context():
            from voice_service.extensions import db

            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser):
    """Make a page in a fresh context: new_page(javascript=True, width=1024, height=768, locale="en-GB")."""
    contexts = []

    def make(javascript: bool = True, width: int = 1024, height: int = 768, locale: str = "en-GB"):
        context = browser.new_context(
            java_script_enabled=javascript, viewport={"width": width, "height": height}, locale=locale,
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS * 2)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
