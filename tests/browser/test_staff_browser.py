"""Staff pages in Chromium with axe (WCAG 2.2 AA): sign-in, upcoming meetings, the meeting page,
its print layout, the alerts inbox and the audit log. 0 violations on each."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.support.browser import assert_no_sideways_scroll, axe_check, staff_sign_in
from tests.support.staff import CHILD_WORDS, meeting_with_views, past_meeting, staff_user
from voice_service.extensions import db
from voice_service.models import SafeguardingAlert, utcnow


@pytest.fixture
def server(live_server):
    live_server.app.config["STAFF_SIGN_IN_RATE_LIMIT"] = "1000 per minute"
    return live_server


def test_sign_in_and_its_errors_are_accessible(app, server, page):
    chair = staff_user("chair")
    db.session.commit()
    page.goto(server.url + "/staff/sign-in")
    axe_check(page)
    staff_sign_in(page, server, chair, password="not the password")
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    assert "Enter a correct email address and password" in summary.inner_text()
    axe_check(page)
    staff_sign_in(page, server, chair)
    page.wait_for_url(re.compile(r"/staff/meetings"))
    expect(page.get_by_role("heading", name="Upcoming meetings")).to_be_visible()


def test_upcoming_meetings_and_the_meeting_page_are_accessible_and_reflow(app, server, page, new_page):
    chair = staff_user("chair")
    meeting, _ = meeting_with_views(chair=chair)
    db.session.commit()
    staff_sign_in(page, server, chair)
    page.wait_for_url(re.compile(r"/staff/meetings"))
    axe_check(page)
    page.get_by_role("link", name=re.compile("Child protection conference")).click()
    page.wait_for_url(re.compile(meeting.meeting_ref + "$"))
    expect(page.get_by_text(CHILD_WORDS)).to_be_visible()
    axe_check(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name="Mark views as read").click()
    expect(page.get_by_text("Views marked as read.")).to_be_visible()
    axe_check(page)


def test_the_print_layout_is_dated_compact_and_accessible(app, server, page):
    chair = staff_user("chair")
    meeting, _ = meeting_with_views(chair=chair)
    db.session.commit()
    staff_sign_in(page, server, chair)
    page.wait_for_url(re.compile(r"/staff/meetings"))
    page.goto(f"{server.url}/staff/meetings/{meeting.meeting_ref}/print")
    axe_check(page)
    assert "Printed" in page.locator(".app-print-stamp").inner_text()
    page.emulate_media(media="print")
    expect(page.locator(".govuk-header")).to_be_hidden()
    expect(page.locator(".govuk-footer")).to_be_hidden()
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 2, f"the summary for three people printed on {pages} pages"


def test_an_outcome_form_with_errors_is_accessible(app, server, page):
    chair = staff_user("chair")
    meeting, _ = past_meeting(chair=chair)
    db.session.commit()
    staff_sign_in(page, server, chair)
    page.wait_for_url(re.compile(r"/staff/meetings"))
    page.goto(f"{server.url}/staff/meetings/{meeting.meeting_ref}")
    page.get_by_role("button", name="Record this point").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    axe_check(page)
    page.get_by_label("What was the point").fill("Maya wants to see her nan more")
    page.get_by_label("What was discussed and decided").fill("Weekly visits to nan agreed")
    page.get_by_role("button", name="Record this point").click()
    expect(page.get_by_text("Weekly visits to nan agreed")).to_be_visible()
    axe_check(page)


def test_the_alerts_inbox_and_an_alert_are_accessible_and_can_be_acknowledged(app, server, page):
    chair = staff_user("chair")
    meeting_with_views(chair=chair, secret_parent=False)
    alert = db.session.scalar(select(SafeguardingAlert))
    alert.raised_at = utcnow() - timedelta(minutes=12)
    db.session.commit()
    staff_sign_in(page, server, chair)
    page.wait_for_url(re.compile(r"/staff/meetings"))
    page.get_by_role("link", name="Safeguarding alerts").click()
    expect(page.get_by_role("heading", name="Safeguarding alerts")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name=f"Alert {alert.id}").click()
    expect(page.get_by_role("heading", name=f"Alert {alert.id}")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name=re.compile("Acknowledge")).click()
    expect(page.get_by_text("Alert acknowledged.")).to_be_visible()
    page.get_by_role("button", name="Record what you did").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    axe_check(page)


def test_the_audit_log_is_accessible(app, server, page):
    admin = staff_user("admin", team=None)
    meeting, _ = meeting_with_views(chair=None)
    db.session.commit()
    staff_sign_in(page, server, admin)
    page.wait_for_url(re.compile(r"/staff/meetings"))
    page.goto(f"{server.url}/staff/meetings/{meeting.meeting_ref}")
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("td", has_text="meeting answers viewed").first).to_be_visible()
    axe_check(page)


def test_staff_accounts_and_their_errors_are_accessible(app, server, page):
    admin = staff_user("admin", team=None)
    chair = staff_user("chair", name="Ada Chair")
    db.session.commit()
    staff_sign_in(page, server, admin)
    page.wait_for_url(re.compile(r"/staff/meetings"))
    page.get_by_role("link", name="Staff accounts").click()
    expect(page.get_by_role("heading", name="Add a staff account")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Add account").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    axe_check(page)
    page.get_by_role("link", name="Ada Chair").click()
    page.get_by_role("button", name="Disable account").click()
    expect(page.get_by_text("Account disabled")).to_be_visible()
    axe_check(page)
    db.session.refresh(chair)
    assert not chair.active


def test_the_teams_week_is_accessible(app, server, page):
    chair = staff_user("chair")
    meeting_with_views(chair=chair)
    db.session.commit()
    staff_sign_in(page, server, chair)
    page.wait_for_url(re.compile(r"/staff/meetings"))
    page.get_by_role("link", name="Teams this week").click()
    expect(page.get_by_role("row", name=re.compile("north"))).to_be_visible()
    axe_check(page)


def test_voices_from_other_sources_are_accessible(app, server, page):
    qa = staff_user("qa", team=None)
    db.session.commit()
    staff_sign_in(page, server, qa)
    page.goto(server.url + "/learning/voices")
    expect(page.get_by_role("heading", name="Record feedback")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Record feedback").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    axe_check(page)
