"""The QA Executive's monthly pack in Chromium with axe (WCAG 2.2 AA): the pack page at
/insights/pack/, last month's pack as QA open it to print (with feedback from other sources
counted on its own), the review queue with that feedback in it, and the warning the person
recording it sees. 0 violations. And the stored pack shows with its own print style (under the
site's style-src 'self' policy it showed as unstyled text) and may run no script."""
from __future__ import annotations

import re
from datetime import date

from tests.support.browser import axe_check, staff_sign_in
from tests.support.staff import staff_user
from voice_service import other_voices
from voice_service.extensions import db
from voice_service.analysis import trends
from voice_service.models import SourceFeedback, utcnow


def test_the_monthly_pack_pages_are_accessible(app, live_server, page):
    server = live_server
    qa = staff_user("qa", team=None)
    today = date.today()
    last_month = trends.previous_month(f"{today.year}-{today.month:02d}")
    gathered = date.fromisoformat(f"{last_month}-10")
    for _ in range(6):
        db.session.add(SourceFeedback(source="complaint", gathered_on=gathered, text="Nobody rang us back about the letter",
                                      themes=["communication"], sentiment="negative", sentiment_source="model"))
    bengali = other_voices.record(qa, "parent_carer_panel", today, "আমার সমাজকর্মী আমাকে কখনো ফোন করে না")
    db.session.commit()
    staff_sign_in(page, server, qa)

    page.goto(server.url + "/insights/pack/")
    assert "QA Executive monthly pack" in page.content()
    axe_check(page)
    page.get_by_role("link", name=re.compile(r"open to print \(HTML\)")).first.click()
    page.wait_for_load_state()
    assert "From learning conversations, complaints and forums: 6" in page.content()
    axe_check(page)

    page.goto(server.url + "/insights/review")
    assert f"Review feedback {bengali.id}" in page.content()
    axe_check(page)
    page.goto(f"{server.url}/insights/review/feedback/{bengali.id}")
    assert "Needs an interpreter" in page.content()
    axe_check(page)
    page.goto(f"{server.url}/learning/voices?notice=crisis")  # what the recorder sees after words about suicide
    assert "Samaritans" in page.content()
    axe_check(page)


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
