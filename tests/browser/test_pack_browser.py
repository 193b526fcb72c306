"""The QA Executive's monthly pack in Chromium with axe (WCAG 2.2 AA): the pack page at
/insights/pack/, last month's pack as QA open it to print (with feedback from other sources
counted on its own), the review queue with that feedback in it, and the warning the person
recording it sees. 0 violations."""
from __future__ import annotations

import re
from datetime import date

from tests.support.browser import axe_check
from tests.browser.test_learning_browser import sign_in
from tests.support.staff import staff_user
from voice_service import other_voices
from voice_service.extensions import db
from voice_service.models import SourceFeedback
from voice_service.analysis import trends


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
    sign_in(page, server, qa)

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
