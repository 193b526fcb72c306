"""The schedule planner: which messages an invitation should get, and when.

Plain data in, plain data out: no Flask, no database, no clock (``now`` is passed in). The
dispatcher and the web handlers persist what this module decides.

* :func:`plan` turns a :class:`PlanRequest` into a :class:`Plan`: the ordered
  :class:`PlannedMessage` list, and for every step it left out a :class:`Dropped` entry with a
  reason a member of staff can read.
* :func:`replan` compares a new plan with the rows already stored and says which pending rows
  to move, cancel or mark missed and which to add. Rows already being sent or sent are never
  touched; running it twice gives no changes the second time.
* :func:`is_missed` tells the dispatcher that a row is too late to be worth sending.

See ``docs/schedule.md`` for the schedule in words and the table of settings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from voice_service.scheduling.calendar import (
    CHILD_QUIET_RULES,
    DEFAULT_QUIET_RULES,
    LONDON,
    QuietRules,
    london_date,
    london_to_utc,
    next_allowed_time,
    working_days_before,
)
from voice_service.messaging.phone import normalise_phone


class Kind(StrEnum):
    """Steps of a schedule; the strings are stored in ``ScheduledMessage.kind``."""

    INVITE = "invite"
    REMINDER = "reminder"
    CLOSE = "close"
    YOU_SAID_WE_DID = "you_said_we_did"
    EOS_INVITE = "eos_invite"
    EOS_REMINDER = "eos_reminder"
    # A worker's "resend" from the meeting page: not part of any plan, so re-planning leaves it be.
    RESEND = "resend"
    YOU_SAID_FOLLOW_UP = "you_said_follow_up"  # a month later: did what was decided happen?

    @property
    def sends_text(self) -> bool:
        """Whether this step sends a message to the person. ``close`` is a deadline: the
        invitation stops taking answers and the chair's summary is built; nothing is texted,
        so quiet hours do not move it."""
        return self is not Kind.CLOSE


# Order of steps that fall due at the same instant.
_KIND_ORDER = {kind: index for index, kind in enumerate(Kind)}

# The two kinds of survey a plan can be for.
MEETING_SURVEY = "meeting"
EXPERIENCE_OF_SERVICE = "experience_of_service"
#: After a meeting, how it went; planned with the same two "questionnaire after" steps (eos_invite, eos_reminder).
MEETING_QUALITY = "meeting_quality"

# ScheduledMessage.state values (see voice_service.vocab.SCHEDULED_STATES).
PENDING, SENDING, SENT, FAILED, CANCELLED, MISSED = (
    "pending", "sending", "sent", "failed", "cancelled", "missed",
)
_REVIVABLE = frozenset({CANCELLED, MISSED})


@dataclass(frozen=True)
class Override:
    """Settings that apply only to one meeting type, role or age band (or a combination).

    ``changes`` maps :class:`ScheduleSettings` field names to values. When several overrides
    match, the more specific ones (more of ``meeting_type``/``role``/``age_band`` given) win;
    among equally specific ones, the later one wins.
    """

    changes: Mapping[str, Any]
    meeting_type: str | None = None
    role: str | None = None
    age_band: str | None = None

    def __post_init__(self) -> None:
        allowed = {f.name for f in fields(ScheduleSettings)} - {"overrides"}
        unknown = set(self.changes) - allowed
        if unknown:
            raise ValueError(f"unknown schedule setting(s): {', '.join(sorted(unknown))}")
        object.__setattr__(self, "changes", MappingProxyType(dict(self.changes)))

    def matches(self, meeting_type: str, role: str, age_band: str | None) -> bool:
        return (
            self.meeting_type in (None, meeting_type)
            and self.role in (None, role)
            and self.age_band in (None, age_band)
        )

    @property
    def specificity(self) -> int:
        return sum(x is not None for x in (self.meeting_type, self.role, self.age_band))


def _child_quiet() -> Mapping[str, QuietRules]:
    return MappingProxyType({"child": CHILD_QUIET_RULES})


@dataclass(frozen=True)
class ScheduleSettings:
    """How a schedule is laid out. Every field has a default; see ``docs/schedule.md``."""

    # None: invite as soon as the meeting is known. A number: that many working days before
    # the meeting, at ``send_time`` (or at once if the meeting becomes known later than that).
    invite_working_days_before: int | None = None
    reminder_working_days_before: tuple[int, ...] = (5, 3)
    close_working_days_before: int = 3
    send_time: time = time(10, 0)       # London time for invite/reminders set by working days
    close_time: time = time(17, 0)      # London time the invitation closes on its close day
    min_notice: timedelta = timedelta(hours=2)         # invite no later than this before the meeting
    min_response_time: timedelta = timedelta(days=1)   # else close at the meeting start instead
    min_gap: timedelta = timedelta(hours=12)           # between two texts to the same person
    you_said_we_did_delay: timedelta = timedelta(0)    # after the outcome is recorded
    you_said_follow_up_delay: timedelta = timedelta(days=30)  # "did it happen?", after the outcome
    eos_days_after_closure: int = 7
    eos_reminder_days_after: int = 5
    meeting_quality_days_after: int = 1     # the questionnaire on how the meeting went: days after it
    meeting_quality_reminder_days: int = 4  # and its one reminder, days after that
    quiet_rules: QuietRules = DEFAULT_QUIET_RULES
    quiet_rules_by_role: Mapping[str, QuietRules] = field(default_factory=_child_quiet)
    overrides: tuple[Override, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "reminder_working_days_before", tuple(self.reminder_working_days_before))
        object.__setattr__(self, "quiet_rules_by_role", MappingProxyType(dict(self.quiet_rules_by_role)))
        object.__setattr__(self, "overrides", tuple(self.overrides))
        if self.invite_working_days_before is not None and self.invite_working_days_before < 0:
            raise ValueError("invite_working_days_before must be None or >= 0")
        if any(n < 0 for n in self.reminder_working_days_before):
            raise ValueError("reminder_working_days_before must not be negative")
        if len(set(self.reminder_working_days_before)) != len(self.reminder_working_days_before):
            raise ValueError("reminder_working_days_before has a repeated value")
        if self.close_working_days_before < 0:
            raise ValueError("close_working_days_before must not be negative")
        if self.eos_days_after_closure < 0 or self.eos_reminder_days_after <= 0:
            raise ValueError("eos_days_after_closure must be >= 0 and eos_reminder_days_after > 0")
        if self.meeting_quality_days_after < 0 or self.meeting_quality_reminder_days <= 0:
            raise ValueError("meeting_quality_days_after must be >= 0 and meeting_quality_reminder_days > 0")
        for name in ("min_notice", "min_response_time", "min_gap", "you_said_we_did_delay", "you_said_follow_up_delay"):
            if getattr(self, name) < timedelta(0):
                raise ValueError(f"{name} must not be negative")

    def resolve(self, meeting_type: str, role: str, age_band: str | None = None) -> ScheduleSettings:
        """The settings for one audience of one meeting type: ``quiet_rules`` becomes the
        role's rules (``quiet_rules_by_role``), then every matching override is applied, least
        specific first."""
        resolved = replace(
            self,
            quiet_rules=self.quiet_rules_by_role.get(role, self.quiet_rules),
            overrides=(),
        )
        matching = [o for o in self.overrides if o.matches(meeting_type, role, age_band)]
        matching.sort(key=lambda o: o.specificity)  # stable: the later wins among equals
        for override in matching:
            resolved = replace(resolved, **override.changes)
        return resolved


@dataclass(frozen=True)
class Audience:
    role: str                   # vocab.ROLES: child, young_adult, parent, carer, other
    age_band: str | None = None  # vocab.AGE_BANDS


@dataclass(frozen=True)
class PlanRequest:
    """Everything the planner needs to know about one invitation. Times are aware UTC."""

    now: datetime
    meeting_type: str
    audience: Audience
    meeting_start: datetime | None = None  # None for Experience of Service
    known_at: datetime | None = None       # when the invitation was created; defaults to now
    phone: str | None = None               # as stored (decrypted); validated here
    safe_to_text: bool = True
    answered: bool = False
    declined: bool = False
    opted_out: bool = False
    meeting_cancelled: bool = False
    outcome_recorded_at: datetime | None = None
    case_closed_on: date | None = None     # Experience of Service only
    survey: str = MEETING_SURVEY           # or EXPERIENCE_OF_SERVICE
    settings: ScheduleSettings = field(default_factory=ScheduleSettings)
    allow_drama_numbers: bool = False      # accept Ofcom 07700 900xxx (demo data)
    # How the invitation reaches them (vocab.ROUTES, see scheduling/routes.py): texts by
    # default. Email and letters have no quiet hours; a letter is sent once (no reminders);
    # in person nothing is sent (the worker gives the link) but the close still runs.
    route: str = "sms"
    email_ok: bool = False
    address_ok: bool = False
    consent: bool = True


@dataclass(frozen=True)
class PlannedMessage:
    kind: Kind
    sequence: int
    due_at: datetime

    @property
    def key(self) -> tuple[str, int]:
        return (str(self.kind), self.sequence)


@dataclass(frozen=True)
class Dropped:
    """A step the plan leaves out, and why. ``missed`` means it came too late to be useful
    (staff see it as missed); otherwise it was not wanted (cancelled)."""

    kind: Kind
    sequence: int
    reason: str
    missed: bool = False

    @property
    def key(self) -> tuple[str, int]:
        return (str(self.kind), self.sequence)


@dataclass(frozen=True)
class Plan:
    messages: tuple[PlannedMessage, ...]
    dropped: tuple[Dropped, ...]
    planned_at: datetime
    meeting_start: datetime | None = None
    notes: tuple[str, ...] = ()  # worth telling staff, though nothing was left out

    @property
    def reason(self) -> str | None:
        """Why steps were left out, in words, or None when nothing was."""
        reasons = list(dict.fromkeys(d.reason for d in self.dropped))
        return "; ".join(reasons) or None

    @property
    def closes_at(self) -> datetime | None:
        return next((m.due_at for m in self.messages if m.kind is Kind.CLOSE), None)


# --------------------------------------------------------------------------------------------
# planning


def _ceil_second(moment: datetime) -> datetime:
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment


def _aware(moment: datetime | None) -> bool:
    return moment is not None and moment.tzinfo is not None and moment.utcoffset() is not None


class _Builder:
    def __init__(self, now: datetime, meeting_start: datetime | None) -> None:
        self.now = now
        self.meeting_start = meeting_start
        self.messages: list[PlannedMessage] = []
        self.dropped: list[Dropped] = []
        self.notes: list[str] = []

    def add(self, kind: Kind, sequence: int, due_at: datetime) -> None:
        self.messages.append(PlannedMessage(kind, sequence, _ceil_second(due_at.astimezone(UTC))))

    def drop(self, kind: Kind, sequence: int, reason: str, missed: bool = False) -> None:
        self.dropped.append(Dropped(kind, sequence, reason, missed))

    def build(self) -> Plan:
        ordered = sorted(self.messages, key=lambda m: (m.due_at, _KIND_ORDER[m.kind], m.sequence))
        return Plan(tuple(ordered), tuple(self.dropped), self.now, self.meeting_start, tuple(self.notes))


def _steps(request: PlanRequest, settings: ScheduleSettings) -> list[tuple[Kind, int]]:
    if request.survey in (EXPERIENCE_OF_SERVICE, MEETING_QUALITY):
        return [(Kind.EOS_INVITE, 0), (Kind.EOS_REMINDER, 1)]
    reminders = [(Kind.REMINDER, i + 1) for i in range(len(settings.reminder_working_days_before))]
    return [(Kind.INVITE, 0), *reminders, (Kind.CLOSE, 0), (Kind.YOU_SAID_WE_DID, 0), (Kind.YOU_SAID_FOLLOW_UP, 0)]


def _stop_reason(request: PlanRequest) -> str | None:
    """A reason that stops every step of the invitation, or None."""
    if not _aware(request.now):
        return "invalid input: 'now' must be a timezone-aware datetime"
    if request.known_at is not None and not _aware(request.known_at):
        return "invalid input: the invitation's creation time must be timezone-aware"
    if request.outcome_recorded_at is not None and not _aware(request.outcome_recorded_at):
        return "invalid input: the outcome time must be timezone-aware"
    if request.survey not in (MEETING_SURVEY, EXPERIENCE_OF_SERVICE, MEETING_QUALITY):
        return f"invalid input: unknown survey kind {request.survey!r}"
    if request.survey in (MEETING_SURVEY, MEETING_QUALITY):
        if request.meeting_start is None:
            return "invalid input: the meeting has no start time"
        if not _aware(request.meeting_start):
            return "invalid input: the meeting start must be timezone-aware"
        if request.meeting_cancelled:
            return "meeting cancelled"
    elif request.case_closed_on is None:
        return "invalid input: the case has no closure date"
    if request.declined:
        return "invitation declined"
    if not request.consent:
        return "no consent to be contacted"
    if request.route == "email":
        return None if request.email_ok else "no usable contact: no valid email address"
    if request.route == "letter":
        return None if request.address_ok else "no usable contact: no postal address"
    if request.route == "in_person":
        return None
    if request.route not in ("sms", "whatsapp"):
        return f"invalid input: unknown route {request.route!r}"
    if request.opted_out:
        return "number opted out (texted STOP)"
    if not request.safe_to_text:
        return "no usable contact: not marked safe to text"
    phone = normalise_phone(request.phone, allow_drama_numbers=request.allow_drama_numbers)
    if not phone.ok:
        return f"no usable contact: {phone.reason}"
    return None


def plan(request: PlanRequest) -> Plan:
    """The schedule for one invitation. Never raises for bad input: a step that cannot be
    planned is listed in ``Plan.dropped`` with its reason (``Plan.reason`` joins them)."""
    try:
        settings = request.settings.resolve(
            request.meeting_type, request.audience.role, request.audience.age_band
        )
    except (TypeError, ValueError) as error:  # an override with a value of the wrong type
        settings, stop = ScheduleSettings(), f"invalid settings: {error}"
    else:
        stop = _stop_reason(request)

    now = _ceil_second(request.now.astimezone(UTC) if _aware(request.now) else request.now.replace(tzinfo=UTC))
    meeting_start = request.meeting_start if _aware(request.meeting_start) else None
    # Whole seconds throughout: stored times round-trip exactly, so re-planning is stable.
    builder = _Builder(now, meeting_start.astimezone(UTC).replace(microsecond=0) if meeting_start else None)
    if stop is not None:
        for kind, sequence in _steps(request, settings):
            builder.drop(kind, sequence, stop)
        return builder.build()

    known_at = request.known_at.astimezone(UTC) if request.known_at else now
    # Nothing rings when an email or a letter arrives: quiet hours are for texts only.
    quiet = NO_QUIET_RULES if request.route in ("email", "letter") else settings.quiet_rules
    if request.survey == EXPERIENCE_OF_SERVICE:
        _plan_experience_of_service(request, settings, quiet, known_at, builder)
    elif request.survey == MEETING_QUALITY:
        _plan_meeting_quality(request, settings, quiet, known_at, builder)
    else:
        _plan_meeting(request, settings, quiet, known_at, builder)
    return _for_route(request, builder.build())


NO_QUIET_RULES = QuietRules()
LETTER_ONCE = "a letter is sent once: no reminders by post"
IN_PERSON = "in person: the worker gives the link from the meeting page"


def in_person_reason(request: PlanRequest) -> str:
    """Why nothing is sent, and that the worker gives the link instead."""
    phone = normalise_phone(request.phone, allow_drama_numbers=request.allow_drama_numbers)
    if request.phone and not phone.ok:
        why = f"no usable contact: {phone.reason}"
    elif phone.ok and not request.safe_to_text:
        why = "no usable contact: not marked safe to text"
    else:
        why = "no usable contact: no mobile, email or postal address"
    return f"{why}; {IN_PERSON}"


def _for_route(request: PlanRequest, built: Plan) -> Plan:
    """A letter is posted once (no reminders, no "you said, we did" by post); in person nothing
    is sent at all, though the close still stops the link taking answers."""
    route = request.route
    if route not in ("letter", "in_person"):
        return built
    keep = (Kind.INVITE, Kind.EOS_INVITE, Kind.CLOSE) if route == "letter" else (Kind.CLOSE,)
    messages = tuple(m for m in built.messages if m.kind in keep)
    reason = LETTER_ONCE if route == "letter" else in_person_reason(request)
    dropped = built.dropped + tuple(
        Dropped(m.kind, m.sequence, reason) for m in built.messages if m.kind not in keep
    )
    return replace(built, messages=messages, dropped=dropped)


def _due(slot: datetime, now: datetime, quiet: QuietRules) -> datetime:
    """A step planned for ``slot`` is due then, or at the next decent time if ``slot`` is past
    (the dispatcher catches up)."""
    return slot if slot > now else next_allowed_time(now, quiet)


def _plan_meeting(
    request: PlanRequest,
    settings: ScheduleSettings,
    quiet: QuietRules,
    known_at: datetime,
    b: _Builder,
) -> None:
    assert b.meeting_start is not None
    start, now = b.meeting_start, b.now
    meeting_day = london_date(start)
    before_meeting = [(Kind.INVITE, 0)] + [
        (Kind.REMINDER, i + 1) for i in range(len(settings.reminder_working_days_before))
    ]

    def drop_all(reason: str, missed: bool = False, close_too: bool = True) -> None:
        for kind, sequence in before_meeting:
            b.drop(kind, sequence, reason, missed)
        if close_too:
            b.drop(Kind.CLOSE, 0, reason)

    _plan_you_said_we_did(request, settings, quiet, b)

    if request.answered:
        drop_all("views already given")
        return
    if start <= now:
        # Too late for anything before the meeting; the close still runs, to expire the link.
        drop_all("the meeting has already started", missed=True, close_too=False)
        b.add(Kind.CLOSE, 0, now)
        return

    # The invitation: when the meeting becomes known, or N working days before it.
    invite_base = known_at
    if settings.invite_working_days_before is not None:
        day = working_days_before(meeting_day, settings.invite_working_days_before)
        invite_base = max(known_at, london_to_utc(day, settings.send_time))
    invite_slot = next_allowed_time(invite_base, quiet)
    if invite_slot + settings.min_notice > start:
        drop_all(
            "meeting too close: the earliest decent time to invite is "
            f"{_london(invite_slot)}, under {_hours(settings.min_notice)} before the meeting"
        )
        return

    # The close: when the chair's summary is due, unless that leaves too little time to answer.
    close_day = working_days_before(meeting_day, settings.close_working_days_before)
    close_slot = min(london_to_utc(close_day, settings.close_time), start)
    if close_slot - invite_slot < settings.min_response_time:
        close_slot = start
        b.notes.append(
            "too late for the chair's summary deadline: views are taken until the meeting starts"
        )
    close_due = max(close_slot, now)
    if close_slot <= now:
        drop_all("the invitation has already closed", missed=True, close_too=False)
        b.add(Kind.CLOSE, 0, close_due)
        return

    invite_due = _due(invite_slot, now, quiet)
    if invite_due >= close_due:
        drop_all("no decent time to send it before the invitation closes", missed=True, close_too=False)
        b.add(Kind.CLOSE, 0, close_due)
        return
    b.add(Kind.INVITE, 0, invite_due)
    b.add(Kind.CLOSE, 0, close_due)

    # Reminders, furthest from the meeting first; each must fit between the invitation and
    # the close with at least ``min_gap`` around it.
    fitting: list[tuple[int, datetime]] = []
    previous = invite_slot
    for index, days in enumerate(sorted(settings.reminder_working_days_before, reverse=True)):
        sequence = index + 1
        day = working_days_before(meeting_day, days)
        slot = next_allowed_time(london_to_utc(day, settings.send_time), quiet)
        label = f"reminder {sequence} ({days} working days before)"
        if slot < invite_slot + settings.min_gap:
            b.drop(Kind.REMINDER, sequence, f"meeting too close to fit {label}")
        elif slot < previous + settings.min_gap:
            b.drop(Kind.REMINDER, sequence, f"{label} too soon after the previous reminder")
        elif slot >= close_slot:
            b.drop(Kind.REMINDER, sequence, f"{label} would be after the invitation closes")
        else:
            fitting.append((sequence, slot))
            previous = slot
    # Catching up: of the reminders already overdue, only the latest is still worth sending,
    # and not even that one if the next reminder is due within ``min_gap`` of it.
    overdue = [sequence for sequence, slot in fitting if slot <= now]
    superseded = set(overdue[:-1])
    if overdue and overdue[-1] != fitting[-1][0]:
        following = fitting[len(overdue)][1]
        if following - next_allowed_time(now, quiet) < settings.min_gap:
            superseded.add(overdue[-1])
    for sequence, slot in fitting:
        if sequence in superseded:
            b.drop(Kind.REMINDER, sequence, "overdue, replaced by a later reminder", missed=True)
            continue
        due = _due(slot, now, quiet)
        if due >= close_due:
            b.drop(Kind.REMINDER, sequence, "no decent time to send it before the invitation closes", missed=True)
        else:
            b.add(Kind.REMINDER, sequence, due)


def _plan_you_said_we_did(
    request: PlanRequest, settings: ScheduleSettings, quiet: QuietRules, b: _Builder
) -> None:
    if request.outcome_recorded_at is None:
        return  # nothing to plan yet: it is added when the outcome is recorded
    if not request.answered:
        b.drop(Kind.YOU_SAID_WE_DID, 0, "no views were given, so there is nothing to report back")
        b.drop(Kind.YOU_SAID_FOLLOW_UP, 0, "no views were given, so there is nothing to follow up")
        return
    slot = next_allowed_time(request.outcome_recorded_at + settings.you_said_we_did_delay, quiet)
    b.add(Kind.YOU_SAID_WE_DID, 0, _due(slot, b.now, quiet))
    later = next_allowed_time(request.outcome_recorded_at + settings.you_said_follow_up_delay, quiet)
    b.add(Kind.YOU_SAID_FOLLOW_UP, 0, _due(later, b.now, quiet))


def _plan_experience_of_service(
    request: PlanRequest,
    settings: ScheduleSettings,
    quiet: QuietRules,
    known_at: datetime,
    b: _Builder,
) -> None:
    assert request.case_closed_on is not None
    if request.answered:
        b.drop(Kind.EOS_INVITE, 0, "questionnaire already completed")
        b.drop(Kind.EOS_REMINDER, 1, "questionnaire already completed")
        return
    invite_day = request.case_closed_on + timedelta(days=settings.eos_days_after_closure)
    invite_slot = next_allowed_time(max(known_at, london_to_utc(invite_day, settings.send_time)), quiet)
    reminder_day = london_date(invite_slot) + timedelta(days=settings.eos_reminder_days_after)
    reminder_slot = next_allowed_time(london_to_utc(reminder_day, settings.send_time), quiet)
    b.add(Kind.EOS_INVITE, 0, _due(invite_slot, b.now, quiet))
    b.add(Kind.EOS_REMINDER, 1, _due(reminder_slot, b.now, quiet))


def _plan_meeting_quality(
    request: PlanRequest, settings: ScheduleSettings, quiet: QuietRules, known_at: datetime, b: _Builder
) -> None:
    """The day after the meeting (MEETING_QUALITY_DAYS_AFTER) at the send time, one reminder later."""
    if request.answered:
        b.drop(Kind.EOS_INVITE, 0, "questionnaire already completed")
        b.drop(Kind.EOS_REMINDER, 1, "questionnaire already completed")
        return
    invite_day = london_date(request.meeting_start) + timedelta(days=settings.meeting_quality_days_after)
    invite_slot = next_allowed_time(max(known_at, london_to_utc(invite_day, settings.send_time)), quiet)
    reminder_day = london_date(invite_slot) + timedelta(days=settings.meeting_quality_reminder_days)
    reminder_slot = next_allowed_time(london_to_utc(reminder_day, settings.send_time), quiet)
    b.add(Kind.EOS_INVITE, 0, _due(invite_slot, b.now, quiet))
    b.add(Kind.EOS_REMINDER, 1, _due(reminder_slot, b.now, quiet))


def _london(moment: datetime) -> str:
    return moment.astimezone(LONDON).strftime("%a %d %b %Y %H:%M")


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{math.ceil(hours)} hour{'s' if math.ceil(hours) != 1 else ''}"


# --------------------------------------------------------------------------------------------
# the dispatcher's question


def is_missed(
    kind: str,
    meeting_start: datetime | None,
    now: datetime,
    closes_at: datetime | None = None,
) -> bool:
    """Whether a pending step is too late to send: an invitation or reminder once the meeting
    has started, or once the invitation has closed. Other steps are never missed (a close
    still closes; "you said, we did" and Experience of Service are not tied to the meeting)."""
    if kind not in (Kind.INVITE, Kind.REMINDER, Kind.RESEND):  # StrEnum: plain strings compare equal
        return False
    if meeting_start is not None and now >= meeting_start:
        return True
    return closes_at is not None and now >= closes_at


# --------------------------------------------------------------------------------------------
# re-planning


@dataclass(frozen=True)
class ExistingScheduled:
    """A stored schedule row as the re-planner needs it (from ``ScheduledMessage``)."""

    id: int
    kind: str
    sequence: int
    due_at: datetime
    state: str

    @property
    def key(self) -> tuple[str, int]:
        return (str(self.kind), self.sequence)


@dataclass(frozen=True)
class Move:
    row_id: int
    due_at: datetime
    reason: str
    reopen: bool = False  # a cancelled or missed row that the plan wants again: back to pending


@dataclass(frozen=True)
class Cancel:
    row_id: int
    reason: str


@dataclass(frozen=True)
class MarkMissed:
    row_id: int
    reason: str


@dataclass(frozen=True)
class Changes:
    add: tuple[PlannedMessage, ...] = ()
    move: tuple[Move, ...] = ()
    cancel: tuple[Cancel, ...] = ()
    missed: tuple[MarkMissed, ...] = ()
    # A first step (invite / eos_invite) that was never planned and has no row: store it as a
    # cancelled or missed row with its reason, so staff see why nobody was asked.
    record: tuple[Dropped, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.add or self.move or self.cancel or self.missed or self.record)


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def replan(existing: Sequence[ExistingScheduled], new_plan: Plan) -> Changes:
    """What to change in the stored rows so they follow ``new_plan``.

    * a planned step with no row: add it;
    * a pending row at another time: move it (two times both already past count as the same:
      the row is due now either way);
    * a cancelled or missed row the plan wants again (meeting un-cancelled, number opted back
      in, meeting moved later): reopen it at the planned time;
    * a pending row the plan no longer has: mark it missed or cancel it, with the plan's reason;
    * an invitation step that was never planned (no usable contact, meeting too close...) and
      has no row: record it, so the reason can be stored and shown;
    * rows being sent, sent or failed are never touched.
    """
    now = new_plan.planned_at
    planned = {m.key: m for m in new_plan.messages}
    dropped = {d.key: d for d in new_plan.dropped}
    rows = {row.key: row for row in existing}
    add: list[PlannedMessage] = []
    move: list[Move] = []
    cancel: list[Cancel] = []
    missed: list[MarkMissed] = []

    for key, message in planned.items():
        row = rows.get(key)
        if row is None:
            add.append(message)
            continue
        row_due = _as_utc(row.due_at)
        if row.state == PENDING:
            same = row_due == message.due_at or (row_due <= now and message.due_at <= now)
            if not same:
                move.append(Move(row.id, message.due_at, f"due time changed from {_london(row_due)}"))
        elif row.state in _REVIVABLE:
            move.append(Move(row.id, message.due_at, f"planned again after being {row.state}", reopen=True))

    for key, row in rows.items():
        if key in planned or row.state != PENDING or row.kind == Kind.RESEND:
            continue
        reason = dropped.get(key)
        if reason is not None and reason.missed:
            missed.append(MarkMissed(row.id, reason.reason))
        elif reason is not None:
            cancel.append(Cancel(row.id, reason.reason))
        elif is_missed(row.kind, new_plan.meeting_start, now, new_plan.closes_at):
            missed.append(MarkMissed(row.id, "too late: the meeting has started or the invitation closed"))
        else:
            cancel.append(Cancel(row.id, "no longer in the plan"))

    record = tuple(
        d for d in new_plan.dropped
        if d.kind in (Kind.INVITE, Kind.EOS_INVITE) and d.key not in rows and d.key not in planned
    )
    return Changes(tuple(add), tuple(move), tuple(cancel), tuple(missed), record)


__all__ = [
    "Audience",
    "Cancel",
    "Changes",
    "Dropped",
    "EXPERIENCE_OF_SERVICE",
    "ExistingScheduled",
    "Kind",
    "MEETING_QUALITY",
    "MEETING_SURVEY",
    "MarkMissed",
    "Move",
    "Override",
    "Plan",
    "PlanRequest",
    "PlannedMessage",
    "ScheduleSettings",
    "is_missed",
    "plan",
    "replan",
]
