"""Builders for the reach tests: people imported through the case system's own path."""
from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pypdfium2
import zxingcpp
from sqlalchemy import select

from voice_service.extensions import db
from voice_service.intake import validate_meeting
from voice_service.store.meeting_import import upsert_meeting
from voice_service.models import Invitation, Meeting, Participant
from voice_service.scheduling.calendar import LONDON

NOTIFY = "https://notify.test"
# A key of Notify's shape (name, service id, secret): invented, only ever sent to the fake.
NOTIFY_KEY = "test_key-11111111-1111-4111-8111-111111111111-22222222-2222-4222-8222-222222222222"
NOTIFY_SETTINGS = {"EMAIL_SENDER": "notify", "NOTIFY_API_KEY": NOTIFY_KEY, "NOTIFY_BASE_URL": NOTIFY,
                   "NOTIFY_EMAIL_TEMPLATE_ID": "f33517ff-2a88-4f6e-b855-c550268ce08a",
                   "NOTIFY_CALLBACK_TOKEN": "callback-token-for-tests"}


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


MEETING = london(2027, 3, 19, 10, 0)  # Friday 19 March 2027


def import_meeting(people: list[dict], ref="MTG-R1", case_ref="CASE-R1", meeting_type="cp_conference",
                   age_band="8_12", starts_at: datetime = MEETING, child: dict | None = None) -> Meeting:
    payload = {"meeting_ref": ref, "case_ref": case_ref, "meeting_type": meeting_type,
               "starts_at": starts_at.isoformat(), "child": {"age_band": age_band, "service": "cp", "team": "north",
                                                            **(child or {})},
               "participants": people}
    data, errors = validate_meeting(payload, languages=("en", "bn", "so", "ar"), allow_drama_numbers=True)
    assert not errors, errors
    result = upsert_meeting(data)
    db.session.commit()
    return result.meeting


def invitation_of(meeting: Meeting, ref: str) -> Invitation:
    participant = db.session.scalar(select(Participant).where(Participant.meeting_id == meeting.id,
                                                              Participant.external_ref == ref))
    return participant.invitations[0]


def notify_created(notification_id: str, reference: str = "fv-1") -> dict:
    return {"id": notification_id, "reference": reference, "uri": f"{NOTIFY}/v2/notifications/{notification_id}",
            "template": {"id": NOTIFY_SETTINGS["NOTIFY_EMAIL_TEMPLATE_ID"], "version": 1, "uri": ""},
            "content": {"subject": "s", "body": "b", "from_email": "family-voice@example.org"}}


def sent_json(call) -> dict:
    return json.loads(call.request.body)


def pdf_text_and_qr(pdf: bytes) -> tuple[str, list[str]]:
    """The PDF's text (every page) and every QR code read from its pages rendered at 200 dpi."""
    doc = pypdfium2.PdfDocument(io.BytesIO(pdf))
    text, codes = [], []
    for page in doc:
        text.append(page.get_textpage().get_text_bounded())
        image = page.render(scale=200 / 72).to_pil()
        codes += [code.text for code in zxingcpp.read_barcodes(image)]
    return "\n".join(text), codes
