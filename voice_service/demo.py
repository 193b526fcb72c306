"""`flask demo`: a week of upcoming meetings with invented families, idempotent.

Every person here is invented; phone numbers come from Ofcom's drama range (+44 7700 900xxx).
Running it again adds nothing new: it finds the demo rows by their references and prints the
same private links again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from voice_service.answers import notify, save_answer
from voice_service.auth import hash_password
from voice_service.extensions import db
from voice_service.invitations import link_token
from voice_service.models import Invitation, Meeting, User, utcnow
from voice_service.vocab import MEETING_TYPES

LONDON = ZoneInfo("Europe/London")
DEMO_PASSWORD = "demo-password-1"

DEMO_STAFF = (
    ("chair", "chair@demo.invalid", "Priya Chair (IRO)", "north"),
    ("worker", "worker@demo.invalid", "Sam Worker", "north"),
    ("qa", "qa@demo.invalid", "Morgan QA", None),
    ("admin", "admin@demo.invalid", "Ari Admin", None),
    ("family_advisory", "fag@demo.invalid", "Jo Family Advisory", None),
)


@dataclass(frozen=True)
class DemoPerson:
    ref: str
    role: str
    name: str
    channel: str
    phone: str | None
    language: str = "en"
    age_band: str | None = None
    easy_read: bool = False
    email: str | None = None
    address: str | None = None  # lines separated by " | ", postcode last
    route: str | None = None


@dataclass(frozen=True)
class DemoMeeting:
    ref: str
    case_ref: str
    meeting_type: str
    days_ahead: int
    hour: int
    age_band: str
    service: str
    people: tuple[DemoPerson, ...]
    ethnicity: str | None = None  # DfE census codes, as the case system sends them
    gender: str | None = None
    disability: str | None = None


# Invented addresses: ZZ99 is a pseudo-postcode no real address has; emails at example.org.
DEMO_MEETINGS = (
    DemoMeeting("DEMO-M1", "DEMO-C1", "cp_conference", 4, 10, "8_12", "cp", (
        DemoPerson("P1", "child", "Maya", "web", None, age_band="8_12"),
        DemoPerson("P2", "parent", "Dana Lewis", "sms", "+447700900101"),
        DemoPerson("P3", "parent", "Chris Lewis", "web", "+447700900102", language="ar"),
    ), ethnicity="MWBC", gender="2"),
    DemoMeeting("DEMO-M2", "DEMO-C2", "cla_review", 5, 14, "under_8", "cla", (
        # No phone and no email: invited by letter (easy read), not cancelled.
        DemoPerson("P1", "child", "Leo", "web", None, age_band="under_8", easy_read=True,
                   address="14 Willow Close | Northbridge | ZZ99 1LE", route="letter"),
        DemoPerson("P2", "carer", "Pat Okafor", "sms", "+447700900103"),
        # Only an email address: invited by email.
        DemoPerson("P3", "parent", "Jordan Reece", "web", None, email="jordan.reece@example.org"),
    ), ethnicity="WBRI", gender="1", disability="COMM"),
    DemoMeeting("DEMO-M3", "DEMO-C3", "cin_review", 6, 11, "13_17", "cin", (
        DemoPerson("P1", "child", "Amira", "sms", "+447700900105", age_band="13_17"),
        DemoPerson("P2", "parent", "Hodan Ali", "web", "+447700900106", language="so"),
    ), ethnicity="BAFR", gender="2"),
    DemoMeeting("DEMO-M4", "DEMO-C4", "ehcp_review", 7, 15, "18_25", "send", (
        DemoPerson("P1", "young_adult", "Tom", "web", "+447700900107", age_band="18_25", easy_read=True),
        DemoPerson("P2", "parent", "Sue Barnes", "sms", "+447700900108"),
    ), ethnicity="WBRI", gender="1", disability="LD"),
    DemoMeeting("DEMO-M5", "DEMO-C5", "fgc", 3, 16, "8_12", "early_help", (
        DemoPerson("P1", "child", "Rafi", "web", None, age_band="8_12"),
        DemoPerson("P2", "parent", "Nasima Begum", "web", "+447700900109", language="bn",
                   email="nasima.begum@example.org"),
        DemoPerson("P3", "carer", "Grandad Ahmed", "sms", "+447700900110"),
    ), ethnicity="ABAN", gender="1"),
    DemoMeeting("DEMO-M6", "DEMO-C6", "yj_panel", 8, 10, "13_17", "yjs", (
        DemoPerson("P1", "child", "Kai", "sms", "+447700900111", age_band="13_17"),
        DemoPerson("P2", "parent", "Mel Grant", "web", "+447700900112"),
    ), ethnicity="BCRB", gender="1"),
)
# A case that has closed: its review was five weeks ago, and a later export gives the closure,
# so its Experience of Service questionnaires go out (by text and by email).
CLOSED_CASE = DemoMeeting("DEMO-M7", "DEMO-C7", "cin_review", -35, 11, "13_17", "cin", (
    DemoPerson("P1", "child", "Jade", "sms", "+447700900113", age_band="13_17"),
    DemoPerson("P2", "parent", "Ruth Mensah", "web", None, email="ruth.mensah@example.org"),
), ethnicity="BAFR", gender="2")
CLOSED_DAYS_AGO = 8

# Some views are already in, so the chair's page has something to read; one discloses risk.
# Each: the words for the first free-text question, the scale point chosen (1 = the first
# option), who may see the answers, and whether the person finished.
DEMO_ANSWERS = {
    ("DEMO-M1", "P1"): ("I like my teacher and my nan. I don't like it when mum and dad shout at night, "
                        "it scares me and I hide in my room", 2, "chair_only", True),
    ("DEMO-M1", "P2"): ("Nobody explained why the conference is happening and I got the report the night before. "
                        "I want to work with the social worker.", 2, "meeting", True),
    ("DEMO-M1", "P3"): ("I want Maya to stay at her school. I need an interpreter at the meeting, "
                        "last time I could not follow what was said.", 3, "worker_and_chair", False),
    ("DEMO-M2", "P2"): ("Leo is settled with us and loves nursery. Contact with his mum keeps getting cancelled "
                        "which upsets him.", 4, "meeting", True),
    ("DEMO-M3", "P1"): ("I've had 4 social workers this year and none of them listen. I want to see my brother more",
                        1, "meeting", False),
}
# Six months of past meetings (invented), so the trends pages have something to show above the
# small-number threshold. Words chosen to carry themes, none a safeguarding disclosure.
HISTORY_MONTHS = 6
HISTORY_MEETINGS_PER_MONTH = 14
HISTORY_WORDS = {
    "child": (
        "My social worker listens to me and explains things", "I want to see my brother more",
        "Nobody asked me what I wanted at the meeting", "I like my foster carer, she helps me with homework",
        "I keep getting a new social worker and I have to tell my story again", "School is better now, I have a mentor",
        "I don't understand why the meeting is happening", "I want to go to football club again",
        "Too many people at the meeting, it was scary to talk", "I miss my friends from my old school",
        "My worker came to see me on my own and that was good", "I want contact with my dad at weekends",
    ),
    "parent": (
        "Nobody explained the plan in words I understand", "I got the report the night before the meeting",
        "The family worker helped us with the food bank and the bills", "Our social worker keeps changing",
        "I feel listened to now, the new worker is kind", "We are still waiting for help with the flat, it is damp",
        "I need an interpreter at the meeting", "No one calls me back when I leave a message",
        "The parenting course helped a lot", "They don't understand our culture or our religion",
        "The meeting was at a time I could not get to because of work", "School have been very supportive",
    ),
    "carer": (
        "He is settled with us and doing well at school", "Contact keeps getting cancelled and it upsets her",
        "We need the reports sooner to prepare", "The support from the fostering team has been good",
        "We are still waiting for CAMHS", "He would like to join the youth club",
    ),
}
HISTORY_TYPES = (
    ("cp_conference", "cp", "8_12"), ("cla_review", "cla", "13_17"), ("cin_review", "cin", "8_12"),
    ("ehcp_review", "send", "13_17"), ("fgc", "early_help", "8_12"), ("cla_review", "cla", "under_8"),
    ("cin_review", "cin", "13_17"),
)


class DemoError(click.ClickException):
    pass


def _meeting_start(days_ahead: int, hour: int, today: datetime) -> datetime:
    day = (today.astimezone(LONDON) + timedelta(days=days_ahead)).date()
    while day.weekday() >= 5:  # meetings are on working days
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, 0), LONDON).astimezone(timezone.utc)


def _upsert_staff() -> list[User]:
    users = []
    for role, email, name, team in DEMO_STAFF:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, role=role, team=team, password_hash=hash_password(DEMO_PASSWORD))
            db.session.add(user)
        users.append(user)
    db.session.flush()
    return users


def _csv_row(spec: DemoMeeting, starts_at: datetime, person: DemoPerson | None, **extra) -> dict:
    row = {
        "meeting_ref": spec.ref, "case_ref": spec.case_ref, "meeting_type": spec.meeting_type,
        "starts_at": starts_at.isoformat(), "child_age_band": spec.age_band, "service": spec.service,
        "team": extra.pop("team", "north"), "location": extra.pop("location", "Family Centre, Room 2"),
        "chair_email": extra.pop("chair_email", "chair@demo.invalid"),
        "child_ethnicity": spec.ethnicity or "", "child_gender": spec.gender or "", "child_disability": spec.disability or "",
    }
    if person is not None:
        row.update({
            "participant_ref": person.ref, "role": person.role, "name": person.name, "age_band": person.age_band or "",
            "phone": person.phone or "", "email": person.email or "", "postal_address": person.address or "",
            "language": person.language, "channel": person.channel, "route": person.route or "",
            "safe_to_text": "yes" if person.phone else "no", "easy_read": "yes" if person.easy_read else "no",
            "consent": "yes",
        })
    row.update(extra)
    return row


def import_rows(rows: list[dict]):
    """Load rows through the case import, exactly as a council's export is loaded."""
    import csv
    import io

    from voice_service.staff_cli import KNOWN_COLUMNS, import_meetings

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(KNOWN_COLUMNS), extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)
    buffer.seek(0)
    report = import_meetings(buffer)
    if report.problems:
        raise DemoError("the demo's case export did not import: " + "; ".join(map(str, report.problems[:5])))
    return report


def load_demo(meeting_types: tuple[str, ...] | None = None, now: datetime | None = None) -> list[dict]:
    """Create (or find) the demo data through the case import; returns one row per invitation
    with its private link."""
    now = now or utcnow()
    unknown = [t for t in (meeting_types or ()) if t not in MEETING_TYPES]
    if unknown:
        raise DemoError(
            f"unknown meeting type {', '.join(map(repr, unknown))}; choose from: {', '.join(MEETING_TYPES)}"
        )
    staff = {user.role: user for user in _upsert_staff()}
    db.session.commit()
    specs = [spec for spec in DEMO_MEETINGS if not meeting_types or spec.meeting_type in meeting_types]
    with_closure = not meeting_types or "experience_of_service" in meeting_types or "cin_review" in meeting_types
    export = [_csv_row(spec, _meeting_start(spec.days_ahead, spec.hour, now), person)
              for spec in specs for person in spec.people]
    closed_start = _meeting_start(CLOSED_CASE.days_ahead, CLOSED_CASE.hour, now)
    if with_closure:
        export += [_csv_row(CLOSED_CASE, closed_start, person) for person in CLOSED_CASE.people]
    import_rows(export)
    if with_closure:
        review = db.session.scalar(select(Meeting).where(Meeting.meeting_ref == CLOSED_CASE.ref))
        review.status = "held"  # what happened since: the review was held
        db.session.commit()
        # A later export: the case closed, with its reason (RC7: services ceased).
        closed_on = (now.astimezone(LONDON) - timedelta(days=CLOSED_DAYS_AGO)).date().isoformat()
        import_rows([_csv_row(CLOSED_CASE, closed_start, None, case_closed_on=closed_on, case_closure_reason="RC7")])
    base_url = current_app.config["PUBLIC_BASE_URL"]
    refs = [spec.ref for spec in specs] + ([f"EOS-{CLOSED_CASE.case_ref}"] if with_closure else [])
    rows = []
    for ref in refs:
        meeting = db.session.scalar(select(Meeting).where(Meeting.meeting_ref == ref))
        for participant in meeting.participants:
            if not participant.invitations:
                raise DemoError(f"{ref} {participant.external_ref}: no survey fits: run `flask surveys check`")
            invitation = participant.invitations[0]
            if invitation.status == "scheduled" and participant.route == "in_person":
                invitation.status = "sent"  # the worker gave the link in person
            rows.append({
                "meeting": ref, "meeting_type": MEETING_TYPES[meeting.meeting_type], "role": participant.role,
                "name": participant.display_name, "channel": participant.route or participant.preferred_channel,
                "phone": participant.phone if participant.route in ("sms", "whatsapp") else None,
                "language": participant.language, "link": f"{base_url}/r/{link_token(invitation)}",
                "invitation": invitation,
            })
    db.session.commit()
    _add_demo_answers(rows)
    if not meeting_types:
        _load_history(now)
        from voice_service.learning import demo as learning_demo

        current_app.extensions["demo_you_said"] = learning_demo.load(now, staff)
        current_app.extensions["demo_pack_month"] = learning_demo.build_last_months_pack(now)
    return rows


def _load_history(now: datetime) -> int:
    """Past meetings imported through the case import, then answers spread over the last months;
    once only. Returns meetings added."""
    import random

    from voice_service.invitations import mark_completed
    from voice_service.models import Answer
    from voice_service.surveys import registry

    if db.session.scalar(select(Meeting.id).where(Meeting.meeting_ref == "DEMO-H001")) is not None:
        return 0
    rng = random.Random(2026)  # the same history every time
    export, plans = [], []
    added = 0
    for month in range(1, HISTORY_MONTHS + 1):
        for k in range(HISTORY_MEETINGS_PER_MONTH):
            added += 1
            meeting_type, service, age_band = HISTORY_TYPES[(added + month) % len(HISTORY_TYPES)]
            starts = _meeting_start(-30 * month + rng.randint(-10, 10), 10 + k % 6, now)
            spec = DemoMeeting(f"DEMO-H{added:03d}", f"DEMO-HC{added:03d}", meeting_type, 0, 0, age_band, service, (),
                               ethnicity=rng.choice(("WBRI", "BAFR", "ABAN", "MWBC", None)), gender=rng.choice(("1", "2", None)))
            team = rng.choice(("north", "north", "south"))
            people = [("child", age_band, "Young person"), ("parent", "adult", "Parent")]
            if meeting_type == "cla_review":
                people.append(("carer", "adult", "Carer"))
            elif rng.random() < 0.5:
                people.append(("parent", "adult", "Second parent"))
            for index, (role, band, name) in enumerate(people):
                language = rng.choice(("en", "en", "en", "en", "bn", "so", "ar"))
                contact = rng.random()
                person = DemoPerson(
                    f"H{index}", role, name, "web", None, language=language, age_band=band,
                    email=f"history.{added}.{index}@example.org" if contact < 0.35 else None,
                    address=f"{added} History Road | Northbridge | ZZ99 {index}HA" if 0.35 <= contact < 0.6 else None,
                )
                export.append(_csv_row(spec, starts, person, team=team, location="", chair_email="chair@demo.invalid"))
            plans.append((spec.ref, starts))
    import_rows(export)
    surveys = registry(current_app)
    for ref, starts in plans:
        meeting = db.session.scalar(select(Meeting).where(Meeting.meeting_ref == ref))
        meeting.status = "held"
        for participant in meeting.participants:
            invitation = participant.invitations[0]
            invitation.status = "sent"
            if rng.random() < 0.3 + (0.2 if participant.route == "letter" else 0):  # not everyone answers
                continue
            survey = surveys.get(invitation.survey_id, invitation.survey_version)
            words = rng.choice(HISTORY_WORDS[participant.role if participant.role in HISTORY_WORDS else "parent"])
            free = next((q for q in survey.questions if q.kind == "free_text"), None)
            scale = next((q for q in survey.questions if q.kind == "scale" and q.options), None)
            if free is not None:
                save_answer(invitation, free.id, free_text=words, channel="web", question_text=free.wording.web)
            if scale is not None:
                save_answer(invitation, scale.id, value=rng.choice(scale.options).id, channel="web")
            invitation.visibility = "meeting" if rng.random() < 0.8 else "chair_only"
            mark_completed(invitation)
            db.session.flush()
            answered_at = starts - timedelta(days=3)
            for answer in db.session.scalars(select(Answer).where(Answer.invitation_id == invitation.id)):
                answer.received_at = answered_at
            invitation.completed_at = answered_at
        db.session.commit()
    return added


def _add_demo_answers(rows: list[dict]) -> None:
    from voice_service.invitations import mark_completed
    from voice_service.surveys import registry

    for row in rows:
        invitation: Invitation = row["invitation"]
        key = (invitation.participant.meeting.meeting_ref, invitation.participant.external_ref)
        if key not in DEMO_ANSWERS or invitation.answers:
            continue
        words, scale_point, visibility, finished = DEMO_ANSWERS[key]
        survey = registry(current_app).get(invitation.survey_id, invitation.survey_version)
        wrote = False
        alerts: list = []
        for question in survey.questions:
            if question.kind == "free_text" and not wrote:
                save_answer(invitation, question.id, free_text=words, channel="web", question_text=question.wording.web,
                            alerts=alerts)
                wrote = True
            elif question.kind == "scale" and question.options:
                chosen = question.options[min(scale_point, len(question.options)) - 1]
                save_answer(invitation, question.id, value=chosen.id, channel="web")
            elif question.kind == "visibility":
                invitation.visibility = visibility
                save_answer(invitation, question.id, value=visibility, channel="web")
        if finished:
            mark_completed(invitation)
        db.session.commit()
        for alert in alerts:  # the duty team hears of the demo's flagged words, as of real ones
            notify(alert)


@click.command("demo")
@click.option("--meeting-types", default="", help="Comma-separated meeting types to load (default: all).")
@with_appcontext
def demo_command(meeting_types: str) -> None:
    """Load the demo: meetings, families (invented), staff users, and print the links to open."""
    wanted = tuple(t.strip() for t in meeting_types.split(",") if t.strip()) or None
    try:
        rows = load_demo(wanted)
    except DemoError:
        db.session.rollback()
        raise
    base = current_app.config["PUBLIC_BASE_URL"]
    click.echo("\nDemo loaded. Every person is invented; numbers are from Ofcom's drama range.\n")
    click.echo("Private form links (one per person asked for their views; \"sent\": their views are in already,")
    click.echo("so the chair has something to read):")
    for row in rows:
        sent = "sent" if row["invitation"].status == "completed" else "open"
        who = f"{row['role']:<11} {row['name']:<16} {row['meeting_type']:<34} {row['channel']:<9} {sent:<4}"
        extra = f"  phone {row['phone']}" if row["phone"] else ""
        lang = f"  [{row['language']}]" if row["language"] != "en" else ""
        click.echo(f"  {who} {row['link']}{extra}{lang}")
    waiting = [row["phone"] for row in rows if row["phone"] and row["invitation"].status != "completed"]
    if waiting:
        click.echo(f"\nTo answer by text, open the SMS simulator and text \"hi\" as an open phone, e.g. {waiting[0]}.")
    you_said = current_app.extensions.pop("demo_you_said", [])
    if you_said:
        click.echo("\n\"You said, we did\" pages (meeting DEMO-L001 is over and its outcome recorded):")
        for row in (r for r in you_said if not r.get("questionnaire")):
            click.echo(f"  {row['role']:<11} {row['name']:<16} {row['link']}")
        questionnaire = [r for r in you_said if r.get("questionnaire")]
        if questionnaire:
            click.echo("Questionnaire on how meeting DEMO-L001 went (waiting for them):")
            for row in questionnaire:
                click.echo(f"  {row['role']:<11} {row['name']:<16} {row['link']}")
        click.echo("Learning Loop actions (sign in as qa):   " + f"{base}/learning/actions")
    pack_month = current_app.extensions.pop("demo_pack_month", None)
    if pack_month:
        click.echo(f"QA Executive pack for {pack_month} (qa):     " + f"{base}/insights/pack/{pack_month}.html")
    click.echo("SMS simulator (reply as a demo phone):  " + f"{base}/dev/sms")
    click.echo("Outbox (every text, email and letter):  " + f"{base}/dev/outbox")
    click.echo(f"Staff sign-in:                          {base}/staff/sign-in")
    for role, email, _name, _team in DEMO_STAFF:
        click.echo(f"  {role:<16} {email:<22} password: {DEMO_PASSWORD}")
    click.echo("")
