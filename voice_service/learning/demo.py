"""Demo data for the Learning Loop (`flask demo`): a meeting whose outcome is recorded, so its
people can open their "you said, we did" pages, and two QA actions with before-and-after charts.
Invented people only; loaded once."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from voice_service.extensions import db
from voice_service.models import Child, LearningAction, Meeting, Participant

MEETING_REF = "DEMO-L001"


def load(now: datetime, staff: dict) -> list[dict]:
    """Returns one row per person with their "you said, we did" link (on every run)."""
    from voice_service.answers import save_answer
    from voice_service.crypto import phone_hash
    from voice_service.invitations import create_invitation, link_token, mark_completed
    from voice_service.learning import action_records
    from voice_service.learning.actions import NewAction
    from voice_service.meetings import record_outcome
    from voice_service.scheduling.service import plan_invitation_messages
    from voice_service.surveys import registry

    meeting = db.session.scalar(select(Meeting).where(Meeting.meeting_ref == MEETING_REF))
    if meeting is None:
        surveys = registry(current_app)
        starts = now - timedelta(days=7)
        child = Child(case_ref="DEMO-LC001", age_band="13_17", service="cp", team="north")
        meeting = Meeting(meeting_ref=MEETING_REF, child=child, meeting_type="cp_conference", starts_at=starts,
                          chair=staff["chair"], worker=staff["worker"], location="Family Centre, Room 1")
        db.session.add(meeting)
        people = [
            ("child", "13_17", "Jordan Demo", None, "I want to stay at my school and see my dad on Saturdays",
             "Jordan wants to stay at the same school", "Jordan stays at the school; transport is arranged"),
            ("parent", "adult", "Priya Demo", "+447700900181", "We need help with the rent arrears",
             "Help with rent arrears", "The worker will refer the family to the money advice service this week"),
        ]
        for index, (role, band, name, phone, words, point, decision) in enumerate(people):
            participant = Participant(meeting=meeting, external_ref=f"L{index}", role=role, display_name=name,
                                      age_band=band, phone=phone, phone_hash=phone_hash(phone) if phone else None,
                                      language="en", preferred_channel="sms" if phone else "web",
                                      safe_to_text=phone is not None, consent=True)
            db.session.add(participant)
            db.session.flush()
            survey = surveys.choose("cp_conference", role, band, "en")
            invitation, _token = create_invitation(participant, survey.id, survey.version, starts + timedelta(days=30))
            invitation.status = "sent"
            free = next(q for q in survey.questions if q.kind == "free_text")
            save_answer(invitation, free.id, free_text=words, channel="web", question_text=free.wording.web)
            invitation.visibility = "meeting"
            mark_completed(invitation)
            db.session.flush()
            for answer in invitation.answers:
                answer.received_at = starts - timedelta(days=3)
            invitation.completed_at = starts - timedelta(days=3)
            record_outcome(meeting, staff["chair"], point, decision, invitation.id, now=starts + timedelta(hours=2))
        record_outcome(meeting, staff["chair"], "The plan", "A core group will meet in four weeks", None,
                       now=starts + timedelta(hours=2))
        for participant in meeting.participants:
            for invitation in participant.invitations:
                plan_invitation_messages(invitation, now)
        from voice_service.meeting_quality import plan_meeting_quality

        plan_meeting_quality(meeting)  # and the questionnaire on how it went, waiting for them
        db.session.commit()
    if db.session.scalar(select(LearningAction.id).limit(1)) is None:
        today = now.date()
        first = date(today.year, today.month, 1)
        started = (first - timedelta(days=95)).replace(day=1)
        # The second fell due on the 20th of last month and is still in progress: last month's
        # pack shows it in its exceptions report.
        for title, measure, plain, published, due in (
            ("Explain why we are involved at the first visit, in plain words", "understand_why",
             "You said you did not always know why a social worker was involved. Workers now explain it at the first visit, in plain words.", True,
             first + timedelta(days=60)),
            ("Chairs ask each child how they want to take part", "listened_to",
             "You said you did not feel listened to in meetings. Chairs now ask every child how they want to take part.", False,
             (first - timedelta(days=1)).replace(day=20)),
        ):
            action = action_records.create(NewAction(
                title=title, finding_kind="measure", finding_ref=measure, measure_id=measure,
                owner_name="Head of Quality Assurance", due_on=due, started_on=started,
                plain_words=plain), staff.get("qa"))
            action_records.add_note(action, staff.get("qa"), "in_progress", "Briefed every team")
            if published:
                action_records.set_published(action, staff.get("qa"), True)
        db.session.commit()
    base = current_app.config["PUBLIC_BASE_URL"]
    rows = []
    for participant in meeting.participants:
        for invitation in participant.invitations:
            rows.append({"name": participant.display_name, "role": participant.role,
                         "link": f"{base}/r/{link_token(invitation)}/you-said-we-did"})
    after = db.session.scalar(select(Meeting).where(Meeting.meeting_ref == f"MQ-{MEETING_REF}"))
    for participant in after.participants if after is not None else ():
        for invitation in participant.invitations:  # the questionnaire on how the meeting went
            rows.append({"name": participant.display_name, "role": participant.role, "questionnaire": True,
                         "link": f"{base}/r/{link_token(invitation)}"})
    db.session.commit()
    return rows


def build_last_months_pack(now: datetime) -> str:
    """Last month's QA Executive pack, stored as the clock would store it (on every run)."""
    from voice_service.analysis.pack_job import build_and_store

    month = (now.date().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    build_and_store(month, as_of=now)
    return month
