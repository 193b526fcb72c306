"""The new staff pages in Chromium with axe (WCAG 2.2 AA): the meeting page with each person's
route and the worker's tools, the private-link page, and "helped to answer". 0 violations."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.support.reach import import_meeting
from tests.support.staff import staff_user
from tests.support.browser import assert_no_sideways_scroll, axe_check, staff_sign_in
from voice_service.extensions import db
from voice_service.models import utcnow


@pytest.fixture
def server(live_server):
    live_server.app.config["STAFF_SIGN_IN_RATE_LIMIT"] = "1000 per minute"
    return live_server


def test_the_reach_tools_are_accessible_and_helped_mode_opens_the_form(app, server, page):
    worker = staff_user("worker")
    meeting = import_meeting([
        {"ref": "C1", "role": "child", "name": "Leo", "age_band": "under_8", "postal_address": "1 Elm Row\nNorthbridge\nZZ99 1ER"},
        {"ref": "P1", "role": "parent", "name": "Jordan Reece", "email": "jordan.reece@example.org"},
        {"ref": "P2", "role": "parent", "name": "Ava Nobody"},
    ], ref="MTG-B1", case_ref="CASE-B1", meeting_type="cla_review", age_band="under_8",
        starts_at=(utcnow() + timedelta(days=12)).replace(microsecond=0))
    db.session.commit()
    staff_sign_in(page, server, worker)
    page.wait_for_url(re.compile(r"/staff/meetings"))
    page.goto(f"{server.url}/staff/meetings/{meeting.meeting_ref}")
    expect(page.get_by_text("In person (the worker gives the link)", exact=True)).to_be_visible()
    axe_check(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_sideways_scroll(page)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.get_by_role("button", name="Resend the invitation to Jordan Reece").click()
    expect(page.get_by_text("The invitation will be sent again")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name=re.compile("Copy the link for Ava Nobody")).click()
    expect(page.get_by_role("heading", name="Private link for Ava Nobody")).to_be_visible()
    assert "/r/" in page.get_by_label("The link").input_value()
    axe_check(page)
    page.goto(f"{server.url}/staff/meetings/{meeting.meeting_ref}")
    page.get_by_role("link", name=re.compile(r"Help them answer.*Ava Nobody")).click()
    page.get_by_role("button", name="Open their form").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()  # say how you are helping
    axe_check(page)
    page.get_by_label("Read the questions aloud").check()
    page.get_by_label("Wrote down their words").check()
    axe_check(page)
    page.get_by_role("button", name="Open their form").click()
    page.wait_for_url(re.compile(r"/r/"))
