"""The stored monthly pack, opened from the web in Chromium, shows with its own print style (under
the site's style-src 'self' policy it showed as unstyled text) and may run no script."""
from __future__ import annotations

from tests.support.browser import axe_check, staff_sign_in
from tests.support.staff import staff_user
from voice_service.analysis import trends
from voice_service.extensions import db
from voice_service.models import utcnow


def test_the_pack_page_shows_with_its_print_style_and_runs_nothing(app, live_server, page):
    live_server.app.config["STAFF_SIGN_IN_RATE_LIMIT"] = "1000 per minute"
    qa = staff_user("qa", team=None)
    db.session.commit()
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    staff_sign_in(page, live_server, qa)
    month = trends.previous_month(utcnow().strftime("%Y-%m"))
    response = page.goto(f"{live_server.url}/insights/pack/{month}.html")
    assert response.status == 200
    assert "QA Executive monthly pack" in page.locator("h1").inner_text()
    assert "Arial" in page.evaluate("getComputedStyle(document.body).fontFamily")
    assert page.evaluate("getComputedStyle(document.querySelector('h2')).borderTopStyle") == "solid"
    assert refused == []
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy   # no script of any kind
    axe_check(page)
