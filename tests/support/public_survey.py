"""A small survey covering every question kind, for the public form's tests (unit, integration, browser).

Built from the dataclasses, so the journey tests do not change when survey content does. Its
Arabic comes from the real `surveys` catalogue where the strings match, else stays English.
"""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from voice_service.extensions import db
from voice_service.models import Answer, Invitation
from voice_service.surveys import Option, Question, Survey, SurveyRegistry, Wording, registry
from tests.support.factories import make_invitation, make_meeting, make_participant

FACES = (
    Option("very_happy", "Very happy", "😀"),
    Option("happy", "Happy", "🙂"),
    Option("ok", "OK", "😐"),
    Option("sad", "Sad", "🙁"),
    Option("very_sad", "Very sad", "😢"),
)


def _q(id, kind, web, easy=None, hint=None, options=(), **kw) -> Question:
    return Question(id=id, kind=kind, wording=Wording(web=web, sms=web, easy_read=easy, hint=hint), options=options, **kw)


def sample_survey(easy_read: bool = True, survey_id: str = "test_child") -> Survey:
    return Survey(
        id=survey_id, version=1, title="Your views before the meeting about you",
        roles=("child",), age_bands=("8_12",), meeting_types=("cp_conference",),
        languages=("en", "ar", "bn", "so"), draft_languages=("ar", "bn", "so"), easy_read=easy_read,
        one_question_per_page=True,
        intro="The people at the meeting want to know what you think.\n\nQuestions? Call {service} on {phone}.",
        closing="Thank you for telling us what you think.",
        signposting=("You can talk to your teacher or another adult you trust.",),
        questions=(
            _q("feelings", "scale", "How do you feel about your life at the moment?", "How do you feel?", options=FACES),
            _q("feelings_why", "free_text", "Why do you feel like that?", "Why?", follow_up_of="feelings", max_length=200),
            _q("activities", "multiple_choice", "What do you like doing?", hint="Choose all that apply.", options=(
                Option("sport", "Sport"), Option("music", "Music"), Option("games", "Games"))),
            _q("feel_safe", "yes_no", "Do you feel safe at home?", "Are you safe at home?", required=True, options=(
                Option("yes", "Yes", None, ("y",)), Option("no", "No", None, ("n",)), Option("not_sure", "Not sure"))),
            _q("worries", "free_text", "Is there anything you are worried about?"),
            _q("visibility", "visibility", "Who may see your answers?", options=(
                Option("chair_only", "Only the person who runs the meeting", "👤"),
                Option("worker_and_chair", "My worker and the person who runs the meeting", "👥"),
                Option("meeting", "Everyone at the meeting", "👪"))),
            _q("advocate", "advocate", "Would you like some help to have your say?", options=(
                Option("advocate", "An advocate to help me"),
                Option("speak_to_chair", "Talk to the person who runs the meeting on my own"),
                Option("no_thanks", "No thanks"))),
        ),
        sms={},
    )


def install_test_survey(app, survey: Survey | None = None) -> Survey:
    """Add the test survey to the app's registry (alongside the real ones)."""
    survey = survey or sample_survey()
    real = [s for s in registry(app).all() if s.key != survey.key]
    app.extensions["surveys"] = SurveyRegistry(real + [survey])
    return survey


def invite(role="child", language="en", survey_id="test_child", days_valid=7, easy_read=False, status="sent",
           meeting_type="cp_conference", age_band="8_12"):
    """A fresh invitation to the test survey; returns (invitation, token)."""
    meeting = make_meeting(meeting_type=meeting_type, age_band=age_band)
    participant = make_participant(meeting, role=role, name="Maya Example" if role == "child" else "Dana Example",
                                   phone=None if role == "child" else "+447700900123",
                                   language=language, easy_read=easy_read)
    invitation, token = make_invitation(participant, survey_id, days_valid=days_valid, status=status)
    invitation.language = language
    db.session.commit()
    return invitation, token


def expire(invitation) -> None:
    invitation.expires_at = invitation.created_at - timedelta(minutes=1)
    db.session.commit()


# Driving the form through the Flask test client ------------------------------------------

def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def answer(client, token, question_id, **fields):
    """Open a question page, then submit it as a browser would (with its CSRF and revision)."""
    page = client.get(f"/r/{token}/q/{question_id}")
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    revision = re.search(r'name="revision" type="hidden" value="([^"]*)"', html).group(1)
    data = {"csrf_token": csrf(html), "revision": revision, **fields}
    return client.post(f"/r/{token}/q/{question_id}", data=data)


def current(invitation: Invitation) -> dict[str, Answer]:
    db.session.expire_all()
    rows = db.session.scalars(select(Answer).where(Answer.invitation_id == invitation.id, Answer.is_current.is_(True)))
    return {a.question_id: a for a in rows}


def text(response) -> str:
    return response.get_data(as_text=True)
