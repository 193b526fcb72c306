"""The worker's tools on the meeting page: each person's route, the link, the letter (read back:
text and QR code), resend, reissue (the old link stops working), and "helped to answer"."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support.factories import make_user
from tests.support.reach import import_meeting, invitation_of, pdf_text_and_qr
from tests.support.staff import csrf_token, sign_in_as
from voice_service.extensions import db
from voice_service.messaging import get_sender
from voice_service.messaging.texts import compose_scheduled, link_for
from voice_service.models import AuditEvent, Invitation, Message, ScheduledMessage, utcnow
from voice_service.scheduling.dispatch import dispatch_due


@pytest.fixture
def meeting(app):
    return import_meeting([
        {"ref": "C1", "role": "child", "name": "Leo", "age_band": "under_8",
         "postal_address": "14 Willow Close\nNorthbridge\nZZ99 1LE"},
        {"ref": "P1", "role": "parent", "name": "Hana Saleh", "language": "ar", "email": "hana.saleh@example.org"},
        {"ref": "P2", "role": "parent", "name": "Ava Nobody"},
    ], age_band="under_8", meeting_type="cla_review", starts_at=(utcnow() + timedelta(days=12)).replace(microsecond=0))


@pytest.fixture
def worker(app, client):
    user = make_user("worker", team="north", name="Sam Worker")
    db.session.commit()
    sign_in_as(client, user)
    return user


def test_the_meeting_page_shows_each_persons_route_and_what_the_worker_can_do(client, meeting, worker):
    page = client.get(f"/staff/meetings/{meeting.meeting_ref}").get_data(as_text=True)
    assert page.count("Route</dt>") == 3
    for label in ("Letter", "Email", "In person (the worker gives the link)"):
        assert f'<dd class="govuk-summary-list__value">{label}' in page
    assert "Print the letter" in page and "Copy the link" in page and "Help them answer" in page
    assert page.count('aria-label="Reissue the link for') == 3
    # the letter and the email can be sent again; in person there is nothing to send
    assert page.count('aria-label="Resend the invitation to') == 2 and "Resend the invitation to Ava Nobody" not in page
    assert "On file (ZZ99 •••)" in page and "14 Willow Close" not in page


def test_a_worker_prints_a_childs_easy_read_letter_and_an_arabic_parents_letter(client, meeting, worker):
    leo = invitation_of(meeting, "C1")
    response = client.get(f"/staff/invitations/{leo.id}/letter.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text, codes = pdf_text_and_qr(response.data)
    link = link_for(leo)
    assert codes == [link]
    assert link in text.replace("\r\n", "").replace("\n", "")  # the link written out in full
    assert "Hello Leo" in text and "You do not have to answer" in text and "ZZ99 1LE" in text
    hana = invitation_of(meeting, "P1")
    text, codes = pdf_text_and_qr(client.get(f"/staff/invitations/{hana.id}/letter.pdf").data)
    assert codes == [link_for(hana)]
    assert "نود أن نسمع رأيك" in text and "ترجمة مبدئية" in text  # Arabic, marked as a draft
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "invitation_letter_printed")) is not None


def test_the_link_page_shows_the_link_and_is_audited_and_qa_cannot_open_it(client, meeting, worker):
    ava = invitation_of(meeting, "P2")
    page = client.get(f"/staff/invitations/{ava.id}/link").get_data(as_text=True)
    assert link_for(ava) in page
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "invitation_link_viewed"))
    qa = make_user("qa", team=None)
    db.session.commit()
    sign_in_as(client, qa)
    assert client.get(f"/staff/invitations/{ava.id}/link").status_code == 403
    assert client.get(f"/staff/invitations/{ava.id}/letter.pdf").status_code == 403


def test_resend_sends_it_again_by_email_and_in_person_has_nothing_to_resend(app, client, meeting, worker):
    hana = invitation_of(meeting, "P1")
    url = f"/staff/meetings/{meeting.meeting_ref}"
    response = client.post(f"/staff/invitations/{hana.id}/resend", data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 302 and "notice=resent" in response.location
    row = db.session.scalar(select(ScheduledMessage).where(ScheduledMessage.kind == "resend"))
    assert row.invitation_id == hana.id and row.state == "pending"
    dispatch_due(get_sender(app), compose_scheduled, now=utcnow() + timedelta(minutes=1))
    emails = db.session.scalars(select(Message).where(Message.channel == "email", Message.invitation_id == hana.id)).all()
    assert len(emails) == 2 and all(link_for(hana) in m.body for m in emails)  # the invitation, and again
    ava = invitation_of(meeting, "P2")
    refused = client.post(f"/staff/invitations/{ava.id}/resend", data={"csrf_token": csrf_token(client, url)})
    assert refused.status_code == 409 and "give them the link in person" in refused.get_data(as_text=True)


def test_reissue_revokes_the_old_link_and_sends_the_new_one(app, client, meeting, worker):
    hana = invitation_of(meeting, "P1")
    old = link_for(hana)
    db.session.commit()
    assert client.get(old[old.index("/r/"):], follow_redirects=True).status_code == 200
    url = f"/staff/meetings/{meeting.meeting_ref}"
    assert client.post(f"/staff/invitations/{hana.id}/reissue", data={"csrf_token": csrf_token(client, url)}).status_code == 302
    db.session.expire_all()
    new = link_for(db.session.get(Invitation, hana.id))
    assert new != old
    assert client.get(old[old.index("/r/"):]).status_code == 404
    assert client.get(new[new.index("/r/"):], follow_redirects=True).status_code == 200
    dispatch_due(get_sender(app), compose_scheduled, now=utcnow() + timedelta(minutes=1))
    latest = db.session.scalar(select(Message).where(Message.invitation_id == hana.id).order_by(Message.id.desc()))
    assert new in latest.body and old not in latest.body


def test_helped_to_answer_records_who_helped_and_how_and_the_chair_sees_it(client, meeting, worker):
    ava = invitation_of(meeting, "P2")
    url = f"/staff/invitations/{ava.id}/help"
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 400  # say how
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "how": ["read_aloud", "scribed"]})
    assert response.status_code == 302 and re.match(r"^/r/[A-Za-z0-9_-]{32}$", response.location)
    invitation = db.session.get(Invitation, ava.id)
    assert invitation.assisted_by_id == worker.id and invitation.assisted_how == ["read_aloud", "scribed"]
    chair = make_user("chair")
    db.session.commit()
    sign_in_as(client, chair)
    page = client.get(f"/staff/meetings/{meeting.meeting_ref}").get_data(as_text=True)
    assert "Given with help</strong> from Sam Worker: read the questions aloud and wrote down their words" in page
    printed = client.get(f"/staff/meetings/{meeting.meeting_ref}/print").get_data(as_text=True)
    assert "Given with help</strong> from Sam Worker" in printed
