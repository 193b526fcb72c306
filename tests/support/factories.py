"""Small builders for test data. Invented people only; phones from Ofcom's drama range."""
from __future__ import annotations

import itertools
from datetime import timedelta

from voice_service.auth import hash_password
from voice_service.crypto import phone_hash
from voice_service.extensions import db
from voice_service.invitations import create_invitation
from voice_service.models import Child, Meeting, Participant, User, utcnow

_seq = itertools.count(1)


def make_user(role="chair", email=None, password="correct horse battery staple", team="north", name=None):
    n = next(_seq)
    user = User(
        email=email or f"{role}{n}@example.invalid", name=name or f"Test {role.title()} {n}",
        password_hash=hash_password(password), role=role, team=team,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_meeting(meeting_type="cp_conference", days_ahead=10, age_band="8_12", service="cp", team="north", chair=None):
    n = next(_seq)
    child = Child(case_ref=f"CASE-T{n:05d}", age_band=age_band, service=service, team=team)
    meeting = Meeting(
        meeting_ref=f"MTG-T{n:05d}", child=child, meeting_type=meeting_type,
        starts_at=utcnow() + timedelta(days=days_ahead), chair=chair,
    )
    db.session.add_all([child, meeting])
    db.session.flush()
    return meeting


def make_participant(meeting, role="parent", name="Alex Example", phone="+447700900123", language="en",
                     channel="web", age_band=None, easy_read=False):
    participant = Participant(
        meeting=meeting, role=role, display_name=name, phone=phone,
        phone_hash=phone_hash(phone) if phone else None, language=language, preferred_channel=channel,
        age_band=age_band or ("adult" if role in ("parent", "carer") else meeting.child.age_band),
        easy_read=easy_read, safe_to_text=phone is not None,
    )
    db.session.add(participant)
    db.session.flush()
    return participant


def make_invitation(participant, survey_id, survey_version=1, days_valid=7, channel=None, status="sent"):
    invitation, token = create_invitation(
        participant, survey_id, survey_version, utcnow() + timedelta(days=days_valid), channel=channel
    )
    invitation.status = status
    db.session.commit()
    return invitation, token


def make_texting_invitation(app, phone: str, survey=None):
    """An open SMS invitation to `phone` for the small test survey (or `survey`), with the app's
    survey registry holding just that survey."""
    from tests.support.surveys import sample_survey
    from voice_service.surveys import SurveyRegistry

    survey = survey or sample_survey()
    app.extensions["surveys"] = SurveyRegistry([survey])
    participant = make_participant(make_meeting(), phone=phone, channel="sms")
    invitation, _ = make_invitation(participant, survey.id, channel="sms")
    return invitation


def staff_decline_in_another_session(app, invitation_id: int):
    """Staff decline an invitation from another session and thread (committed there); returns
    the started thread, for the caller to join when its database lets the change through."""
    import threading

    from voice_service.models import Invitation

    def decline():
        with app.app_context():
            db.session.get(Invitation, invitation_id).status = "declined"
            db.session.commit()

    worker = threading.Thread(target=decline)
    worker.start()
    return worker
