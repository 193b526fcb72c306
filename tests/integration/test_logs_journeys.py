"""Every log line through whole journeys, root logger at DEBUG: no phone number (any participant's,
in any format), no private-link token and no answer text in any of them.

In process: a form journey, an SMS conversation with a disclosure (alert, duty team told), the
chair's meeting page, the demo command. With a real gunicorn: the same kinds of request, and its
whole stderr read afterwards (what production's log collector would get).
"""
from __future__ import annotations

import logging
import re
import secrets

import pytest
import requests
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from tests.support.staff import sign_in_as, staff_user
from tests.support.sms import new_sid, signed_post, twilio_params
from tests.support.public_survey import answer as answer_page, csrf, install_test_survey, invite
from voice_service.extensions import db
from voice_service.logs import LINE_FORMAT, WithIds

PHONES = ["+447700900123", "+447700900141", "+447700900142"]
WORDS = {  # answer texts, each distinctive enough to find in a line
    "feelings_why": "purple trampoline because of the noisy neighbours",
    "worries": "my uncle Bartholomew shouts at the weekend",
    "sms": "the social worker Quentavia never rings back",
    "disclosure": "my dad hits me and I am scared to go home tonight",
}


def leaks(lines: list[str], tokens: list[str], phones=PHONES) -> list[str]:
    """Lines holding a phone number (+44 7700 900123, 07700 900123, 7700-900-123, ...), a token or
    answer words."""
    digits = {re.sub(r"\D", "", p)[-10:] for p in phones}  # 7700900123
    found = []
    for line in lines:
        squeezed = re.sub(r"[\s\-().]", "", line)
        if any(d in squeezed for d in digits) or re.search(r"7700900\d{3}", squeezed):
            found.append(("phone", line))
        if any(t in line for t in tokens):
            found.append(("token", line))
        if any(w in line or w.lower() in line.lower() for w in WORDS.values()):
            found.append(("answer", line))
    return found


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(WithIds(LINE_FORMAT))  # the service's own formatter: ids from extra= included
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def captured():
    """A handler on the root logger at DEBUG, there before the app is built (as in production,
    where create_app puts the redacting filter on the root's handlers)."""
    root = logging.getLogger()
    handler, level = Capture(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def app_config(captured):
    return {"LOG_LEVEL": "DEBUG", "DUTY_TEAM_SMS": "+447700900142", "PRIVATE_LINK_RATE_LIMIT": "1000 per minute"}


def test_no_log_line_holds_a_phone_a_token_or_an_answer_through_whole_journeys(app, client, runner, captured):
    from sqlalchemy import func

    from voice_service.models import SafeguardingAlert

    # a form journey: every question, the check page, sent
    install_test_survey(app)
    _invitation, token = invite()  # the parent's phone: PHONES[0]
    tokens = [token]
    assert answer_page(client, token, "feelings", answer="sad").status_code == 302
    assert answer_page(client, token, "feelings_why", answer=WORDS["feelings_why"]).status_code == 302
    assert answer_page(client, token, "feel_safe", answer="yes").status_code == 302
    assert answer_page(client, token, "worries", answer=WORDS["worries"]).status_code == 302
    page = client.get(f"/r/{token}/check").get_data(as_text=True)
    assert client.post(f"/r/{token}/check", data={"csrf_token": csrf(page)}).status_code == 302
    client.get(f"/r/{secrets.token_urlsafe(24)}")  # an unknown link is logged: by what it is, not by its token

    # an SMS conversation with a disclosure, from another number
    from tests.support.factories import make_invitation, make_meeting, make_participant
    from tests.support.surveys import sample_survey
    from voice_service.surveys import SurveyRegistry, registry

    app.extensions["surveys"] = SurveyRegistry([*registry(app).all(), sample_survey()])
    texting = make_participant(make_meeting(), phone=PHONES[1], channel="sms")
    make_invitation(texting, "test_survey", channel="sms")
    for body in ("hello", "2", WORDS["sms"], WORDS["disclosure"]):
        assert signed_post(client, "/sms/inbound", twilio_params(body, sender=PHONES[1], sid=new_sid())).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(SafeguardingAlert)) >= 1

    # the chair reads the meeting page and the alert
    chair = staff_user("chair", team="north")
    db.session.commit()
    staff = app.test_client()
    sign_in_as(staff, chair)
    assert staff.get(f"/staff/meetings/{texting.meeting.meeting_ref}").status_code == 200
    assert staff.get("/staff/alerts").status_code == 200

    # the demo command (its links and numbers go to the person running it, never to the log)
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    tokens += re.findall(r"/r/([A-Za-z0-9_-]{16,})", result.output)
    demo_phones = re.findall(r"(\+447700900\d{3})", result.output)

    # the capture gets the production filter, and the check finds what it looks for
    logging.getLogger("werkzeug").info('127.0.0.1 "GET /r/%s/check HTTP/1.1" 200 -', token)
    logging.getLogger("voice_service.test").debug("texted 07700 900123")
    assert "/r/[token]/check" in captured.lines[-2] and "[phone]" in captured.lines[-1]
    assert len(leaks([f"GET /r/{token}", "to 07700-900-141", WORDS["worries"].upper()], [token])) == 3

    lines = captured.lines
    assert len(lines) > 20, "too few log lines: is the capture on the root logger at DEBUG?"
    assert any("answer saved" in line for line in lines)  # the journeys were logged...
    assert any(re.search(r"answer saved invitation_id=\d+ answer_id=\d+", line) for line in lines)  # ...with their ids
    assert leaks(lines, tokens, PHONES + demo_phones) == []  # ...by ids only


@pytest.mark.postgres_only
def test_a_real_gunicorn_logs_no_phone_token_or_answer_on_stderr(app, database_url, tmp_path):
    from tests.support.processes import gunicorn
    from tests.support.factories import make_invitation, make_meeting, make_participant
    from voice_service.surveys import registry

    survey = registry(app).get("cp_conference_parent")
    question = next(q.id for q in survey.questions if q.kind == "free_text" and not q.follow_up_of)
    person = make_participant(make_meeting(), phone=PHONES[0], channel="sms")
    _invitation, token = make_invitation(person, "cp_conference_parent", channel="sms")
    log_path = tmp_path / "gunicorn.log"
    with gunicorn(database_url, workers=1, log_path=str(log_path), LOG_LEVEL="DEBUG") as (_proc, base):
        session = requests.Session()
        page = session.get(f"{base}/r/{token}/q/{question}", timeout=10).text
        saved = session.post(f"{base}/r/{token}/q/{question}", data={"csrf_token": csrf(page), "answer": WORDS["worries"]},
                             allow_redirects=False, timeout=10)
        assert saved.status_code == 302
        session.get(f"{base}/r/{secrets.token_urlsafe(24)}", timeout=10)
        for body in ("hello", WORDS["disclosure"]):
            params = twilio_params(body, sender=PHONES[0], sid=new_sid())
            signature = RequestValidator("test-auth-token").compute_signature("http://localhost/sms/inbound", params)
            response = session.post(f"{base}/sms/inbound", data=params, headers={"X-Twilio-Signature": signature}, timeout=10)
            assert response.status_code == 200
    lines = log_path.read_text(errors="replace").splitlines()
    assert any("Booting worker" in line for line in lines)  # the file is gunicorn's stderr
    assert any("answer saved" in line or "voice_service" in line for line in lines), lines[-20:]
    # The ids passed in extra= reach production's log: the answer saved, and the text answered.
    assert any(re.search(r"answer saved invitation_id=\d+ answer_id=\d+", line) for line in lines), lines[-20:]
    assert any(re.search(r"inbound message answered message_id=\d+", line) for line in lines), lines[-20:]
    assert leaks(lines, [token]) == []
