"""The case system's whole record through the CSV import: contact details, route, language, the
child's equality fields and the case's closure (Experience of Service for everyone asked)."""
from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select, text

from tests.support.reach import london
from tests.support.case_import import row, write
from voice_service.extensions import db
from voice_service.models import Child, Invitation, Meeting, Participant, ScheduledMessage

NOW = london(2027, 3, 1, 9, 30)
START = london(2027, 3, 19, 10, 0)


def at(**values):
    return row(starts_at=START.isoformat(), **values)


def test_contact_details_route_and_equality_fields_are_imported_and_encrypted_at_rest(runner, tmp_path):
    rows = [
        at(participant_ref="C1", role="child", name="Leo", age_band="under_8", child_age_band="under_8",
           postal_address="14 Willow Close | Northbridge | ZZ99 1LE", child_ethnicity="ABAN", child_gender="1",
           child_disability="COMM"),
        at(participant_ref="P1", role="parent", name="Jordan Reece", age_band="", child_age_band="under_8",
           email="jordan.reece@example.org", language="bn", child_ethnicity="ABAN", child_gender="1",
           child_disability="COMM"),
    ]
    with time_machine.travel(NOW, tick=False):
        result = runner.invoke(args=["import-meetings", write(tmp_path, rows)])
    assert result.exit_code == 0, result.output
    child = db.session.scalar(select(Child))
    assert (child.ethnicity, child.gender, child.disability) == ("ABAN", "1", "COMM")
    leo = db.session.scalar(select(Participant).where(Participant.external_ref == "C1"))
    jordan = db.session.scalar(select(Participant).where(Participant.external_ref == "P1"))
    assert (leo.route, jordan.route, jordan.language) == ("letter", "email", "bn")
    assert leo.postal_address == "14 Willow Close\nNorthbridge\nZZ99 1LE"
    raw = db.session.execute(text("SELECT email, postal_address FROM participant ORDER BY id")).all()
    assert all("example.org" not in (e or "") and "Willow" not in (a or "") for e, a in raw)  # encrypted at rest
    # neither is cancelled for want of a phone: each has an invitation on its way
    for person in (leo, jordan):
        invite = db.session.scalar(select(ScheduledMessage).where(
            ScheduledMessage.invitation_id == person.invitations[0].id, ScheduledMessage.kind == "invite"))
        assert invite.state == "pending", invite.reason


def test_an_under_8_with_no_contact_at_all_is_invited_in_person_not_cancelled(runner, tmp_path):
    rows = [at(participant_ref="C1", role="child", name="Ava", age_band="under_8", child_age_band="under_8")]
    with time_machine.travel(NOW, tick=False):
        assert runner.invoke(args=["import-meetings", write(tmp_path, rows)]).exit_code == 0
    ava = db.session.scalar(select(Participant))
    assert ava.route == "in_person" and ava.invitations
    states = {r.kind: (r.state, r.reason) for r in db.session.scalars(select(ScheduledMessage))}
    assert states["invite"][1].endswith("in person: the worker gives the link from the meeting page")
    assert states["close"] == ("pending", None)


def test_bad_contact_and_code_values_name_the_line_and_column_and_import_nothing_of_that_row(runner, tmp_path):
    rows = [
        at(participant_ref="P1", role="parent", name="Good Parent", age_band="", email="good@example.org"),  # line 2
        at(participant_ref="P2", role="parent", name="Bad Email", age_band="", email="bad@example"),         # line 3
        at(participant_ref="P3", role="parent", name="No Address", age_band="", route="letter"),             # line 4
        at(participant_ref="P4", role="parent", name="Klingon", age_band="", language="tlh"),                # line 5
        at(meeting_ref="MTG-500", case_ref="CASE-500", participant_ref="P1", child_ethnicity="XYZ"),         # line 6
        at(participant_ref="P5", role="parent", name="Reserved", age_band="", email="someone@demo.invalid"),  # line 7
        at(meeting_ref="MTG-600", case_ref="CASE-600", participant_ref="P1", case_closure_reason="RC7"),      # line 8
    ]
    with time_machine.travel(NOW, tick=False):
        result = runner.invoke(args=["import-meetings", write(tmp_path, rows)])
    assert result.exit_code == 1
    out = result.output
    assert "line 3: email: not an email address that can receive email" in out and "bad@example" not in out
    assert "line 4: postal_address: is required when the route is letter" in out
    assert "line 5: language: 'tlh' is not a language the service has; use one of: en (English), bn (Bengali)" in out
    assert "line 6: child_ethnicity: 'XYZ' is not a known ethnicity code" in out
    assert "line 7: email: not an email address that can receive email" in out
    assert "line 8: case_closed_on: is required with a closure reason" in out
    assert [p.display_name for p in db.session.scalars(select(Participant))] == ["Good Parent"]
    assert db.session.scalar(select(func.count(Meeting.id))) == 1  # MTG-500 and MTG-600 not half-made


def test_a_closed_case_plans_experience_of_service_for_everyone_asked_easy_read_and_carers_included(runner, tmp_path):
    review = dict(meeting_type="cla_review", service="cla", child_age_band="8_12",
                  starts_at=(NOW - timedelta(days=30)).isoformat())
    rows = [
        row(**review, participant_ref="C1", role="child", name="Maya", age_band="8_12", phone="07700 900120",
            channel="sms", safe_to_text="yes"),
        row(**review, participant_ref="P1", role="parent", name="Dana", age_band="", email="dana@example.org"),
        row(**review, participant_ref="K1", role="carer", name="Pat", age_band="",
            postal_address="2 Elm Row | Northbridge | ZZ99 2ER"),
    ]
    with time_machine.travel(NOW, tick=False):
        assert runner.invoke(args=["import-meetings", write(tmp_path, rows)]).exit_code == 0
        closed = [row(**review, participant_ref="", role="", name="", age_band="", channel="", language="",
                      case_closed_on="2027-02-25", case_closure_reason="RC7")]
        result = runner.invoke(args=["import-meetings", write(tmp_path, closed, name="later.csv")])
        assert result.exit_code == 0, result.output
        again = runner.invoke(args=["import-meetings", write(tmp_path, closed, name="later.csv")])
    assert again.exit_code == 0
    eos = db.session.scalar(select(Meeting).where(Meeting.meeting_type == "experience_of_service"))
    assert eos.meeting_ref == "EOS-CASE-100" and eos.child.case_closure_reason == "RC7"
    invitations = {i.participant.external_ref: i for i in db.session.scalars(
        select(Invitation).join(Participant).where(Participant.meeting_id == eos.id))}
    assert {ref: i.survey_id for ref, i in invitations.items()} == {
        "C1": "eos_child_8_12", "P1": "eos_parent", "K1": "eos_carer"}  # no one twice after the re-import
    firsts = {ref: db.session.scalar(select(ScheduledMessage).where(
        ScheduledMessage.invitation_id == i.id, ScheduledMessage.kind == "eos_invite")) for ref, i in invitations.items()}
    # closed on 25 February: the questionnaire goes 7 days later, 4 March at 10:00; the child's
    # text waits for the end of the school day, the email and the letter do not wait at all
    assert {ref: (r.state, r.due_at) for ref, r in firsts.items()} == {
        "C1": ("pending", london(2027, 3, 4, 15, 15)), "P1": ("pending", london(2027, 3, 4, 10, 0)),
        "K1": ("pending", london(2027, 3, 4, 10, 0))}
    assert {ref: i.participant.route for ref, i in invitations.items()} == {"C1": "sms", "P1": "email", "K1": "letter"}


def test_no_questionnaire_after_a_childs_death(runner, tmp_path):
    rows = [row(participant_ref="P1", role="parent", name="Dana", age_band="", email="dana@example.org",
                starts_at=(NOW - timedelta(days=30)).isoformat())]
    with time_machine.travel(NOW, tick=False):
        runner.invoke(args=["import-meetings", write(tmp_path, rows)])
        closed = [dict(rows[0], case_closed_on="2027-02-25", case_closure_reason="RC2")]
        result = runner.invoke(args=["import-meetings", write(tmp_path, closed, name="later.csv")])
    assert "no Experience of Service questionnaire: the child died" in result.output
    assert db.session.scalar(select(func.count(Meeting.id)).where(Meeting.meeting_type == "experience_of_service")) == 0
