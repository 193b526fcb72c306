"""Meetings from the case system, validated: one validation for the CSV import and the API.

`validate_meeting(data)` is pure: plain dict in, a `MeetingInput` or a list of `FieldError`s
(each naming its field, e.g. ``participants[1].phone``) out. Writing it is
`voice_service.store.meeting_import.upsert_meeting`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from voice_service.scheduling.routes import check_address, check_email
from voice_service.vocab import (AGE_BANDS, CHANNELS, CLOSURE_REASONS, DISABILITY_CODES, ETHNICITY_CODES,
                                 GENDER_CODES, LANGUAGE_NAMES, MEETING_TYPES, ROLES, ROUTES, SERVICES)

LONDON = ZoneInfo("Europe/London")
REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$")
MAX_PARTICIPANTS = 20


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message}


@dataclass(frozen=True)
class ParticipantInput:
    ref: str
    role: str
    name: str
    age_band: str | None
    phone: str | None
    email: str | None
    language: str
    channel: str
    safe_to_text: bool
    easy_read: bool
    consent: bool
    postal_address: str | None = None  # lines joined by newlines, postcode last
    route: str | None = None           # asked for by the case system (vocab.ROUTES), or None


@dataclass(frozen=True)
class ChildRecord:
    """The child's equality fields and the case's closure (each optional; None leaves it as it is)."""

    ethnicity: str | None = None
    gender: str | None = None
    disability: str | None = None
    closed_on: date | None = None
    closure_reason: str | None = None


@dataclass(frozen=True)
class MeetingInput:
    meeting_ref: str
    case_ref: str
    meeting_type: str
    starts_at: datetime
    age_band: str
    service: str
    team: str | None
    location: str | None
    chair_email: str | None
    participants: tuple[ParticipantInput, ...] = field(default_factory=tuple)
    child_record: ChildRecord = field(default_factory=ChildRecord)


MIN_YEAR, MAX_YEAR = 1900, 2999  # wider than any meeting; far from datetime's edges


def parse_time(raw: Any) -> datetime | None:
    """ISO 8601 with an offset (2025-10-01T10:00:00+01:00 or ...Z), or a London wall time
    without one (2025-10-01 10:00). None when it is not a date and time."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 40:
        return None
    text = raw.strip().replace("Z", "+00:00").replace("z", "+00:00")
    if re.search(r"T\d\d:\d\d(:\d\d(\.\d+)?)? \d\d:?\d\d$", text):
        text = text[::-1].replace(" ", "+", 1)[::-1]  # a '+' that arrived unencoded in a query string
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:  # 9999-12-31T23:59:59-23:59 overflowed converting to UTC
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment.astimezone(timezone.utc)


def _text(data: dict, key: str, errors: list, where: str, *, required: bool, max_length: int = 200) -> str | None:
    raw = data.get(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            errors.append(FieldError(where + key, "is required"))
        return None
    if not isinstance(raw, str):
        errors.append(FieldError(where + key, "must be text"))
        return None
    value = raw.strip()
    if len(value) > max_length:
        errors.append(FieldError(where + key, f"must be {max_length} characters or fewer"))
        return None
    if has_control_characters(value):
        errors.append(FieldError(where + key, "must not contain control characters"))
        return None
    return value


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(text: str) -> bool:
    """NUL and the other control characters no one types (tabs and line ends are fine).
    PostgreSQL cannot store NUL in text at all: without this it was a 500."""
    return bool(_CONTROL.search(text))


def _choice(data: dict, key: str, allowed, errors: list, where: str, *, required: bool, default=None) -> str | None:
    value = _text(data, key, errors, where, required=required, max_length=40)
    if value is None:
        return default
    if value not in allowed:
        errors.append(FieldError(where + key, f"must be one of: {', '.join(allowed)}"))
        return None
    return value


def _ref(data: dict, key: str, errors: list, where: str = "", *, required: bool = True) -> str | None:
    value = _text(data, key, errors, where, required=required, max_length=64)
    if value is not None and not REF_PATTERN.match(value):
        errors.append(FieldError(where + key, "must be 1 to 64 letters, digits, '-', '_', '.' or '/', starting with a letter or digit"))
        return None
    return value


def _flag(data: dict, key: str, errors: list, where: str, default: bool) -> bool:
    raw = data.get(key)
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("yes", "y", "true", "1"):
        return True
    if isinstance(raw, str) and raw.strip().lower() in ("no", "n", "false", "0"):
        return False
    errors.append(FieldError(where + key, "must be true or false (yes or no)"))
    return default


def validate_meeting(data: Any, *, languages=("en",), allow_drama_numbers: bool = False) -> tuple[MeetingInput | None, list[FieldError]]:
    """Check a meeting from the case system; every problem is reported, each naming its field."""
    if not isinstance(data, dict):
        return None, [FieldError("(body)", "must be a JSON object")]
    errors: list[FieldError] = []
    meeting_ref = _ref(data, "meeting_ref", errors)
    case_ref = _ref(data, "case_ref", errors)
    meeting_type = _choice(data, "meeting_type", tuple(MEETING_TYPES), errors, "", required=True)
    starts_at = None
    raw_start = data.get("starts_at")
    if raw_start in (None, ""):
        errors.append(FieldError("starts_at", "is required"))
    else:
        starts_at = parse_time(raw_start)
        if starts_at is None:
            errors.append(FieldError("starts_at", "must be a date and time like 2025-10-01T10:00:00+01:00"))
    child = data.get("child", {})
    if child is None:
        child = {}
    if not isinstance(child, dict):
        errors.append(FieldError("child", "must be an object"))
        child = {}
    age_band = _choice(child, "age_band", tuple(AGE_BANDS), errors, "child.", required=True)
    service = _choice(child, "service", tuple(SERVICES), errors, "child.", required=True)
    team = _text(child, "team", errors, "child.", required=False, max_length=64)
    record = validate_child_record(child, errors)
    location = _text(data, "location", errors, "", required=False)
    chair_email = _text(data, "chair_email", errors, "", required=False)
    if chair_email is not None and "@" not in chair_email:
        errors.append(FieldError("chair_email", "must be an email address"))
    raw_people = data.get("participants", [])
    if raw_people is None:
        raw_people = []
    people: list[ParticipantInput] = []
    if not isinstance(raw_people, list):
        errors.append(FieldError("participants", "must be a list"))
        raw_people = []
    elif len(raw_people) > MAX_PARTICIPANTS:
        errors.append(FieldError("participants", f"must have {MAX_PARTICIPANTS} people or fewer"))
        raw_people = []
    seen_refs: set[str] = set()
    for index, raw in enumerate(raw_people):
        where = f"participants[{index}]."
        if not isinstance(raw, dict):
            errors.append(FieldError(f"participants[{index}]", "must be an object"))
            continue
        person = validate_participant(raw, where, errors, languages=languages, allow_drama_numbers=allow_drama_numbers)
        if person is not None:
            if person.ref in seen_refs:
                errors.append(FieldError(where + "ref", f"{person.ref} is given twice in this meeting"))
            seen_refs.add(person.ref)
            people.append(person)
    if errors:
        return None, errors
    return MeetingInput(meeting_ref, case_ref, meeting_type, starts_at, age_band, service, team, location,
                        chair_email.lower() if chair_email else None, tuple(people), record), []


def _code(data: dict, key: str, codes: dict, errors: list, where: str, what: str) -> str | None:
    value = _text(data, key, errors, where, required=False, max_length=16)
    if value is None:
        return None
    found = next((c for c in codes if c.lower() == value.lower()), None)
    if found is None:
        errors.append(FieldError(where + key, f"{value!r} is not a {what} code; use one of: {', '.join(codes)}"))
    return found


def validate_child_record(child: dict, errors: list) -> ChildRecord:
    """The equality fields (DfE census codes, vocab) and the closure; each optional."""
    ethnicity = _code(child, "ethnicity", ETHNICITY_CODES, errors, "child.", "known ethnicity")
    gender = _code(child, "gender", GENDER_CODES, errors, "child.", "gender")
    disability = _code(child, "disability", DISABILITY_CODES, errors, "child.", "disability")
    reason = _code(child, "closure_reason", CLOSURE_REASONS, errors, "child.", "closure reason")
    closed_on = None
    raw = child.get("closed_on")
    if raw not in (None, ""):
        try:
            closed_on = date.fromisoformat(raw.strip()) if isinstance(raw, str) else None
        except ValueError:
            closed_on = None
        if closed_on is None:
            errors.append(FieldError("child.closed_on", "must be a date like 2025-10-01"))
        elif closed_on > datetime.now(LONDON).date():
            errors.append(FieldError("child.closed_on", "must not be in the future: send it once the case has closed"))
            closed_on = None
    if reason is not None and raw in (None, ""):
        errors.append(FieldError("child.closed_on", "is required with a closure reason"))
    return ChildRecord(ethnicity, gender, disability, closed_on, reason)


def validate_participant(raw: dict, where: str, errors: list, *, languages=("en",), allow_drama_numbers=False) -> ParticipantInput | None:
    from voice_service.messaging.phone import normalise_phone

    before = len(errors)
    ref = _ref(raw, "ref", errors, where)
    role = _choice(raw, "role", tuple(ROLES), errors, where, required=True)
    name = _text(raw, "name", errors, where, required=True, max_length=120)
    age_band = _choice(raw, "age_band", tuple(AGE_BANDS), errors, where, required=False)
    language = _text(raw, "language", errors, where, required=False, max_length=16) or "en"
    if language not in languages:
        named = ", ".join(f"{code} ({LANGUAGE_NAMES.get(code, code)})" for code in languages)
        errors.append(FieldError(where + "language", f"{language!r} is not a language the service has; use one of: {named}"))
    channel = _choice(raw, "channel", CHANNELS, errors, where, required=False, default="web")
    route = _choice(raw, "route", tuple(ROUTES), errors, where, required=False)
    email = _text(raw, "email", errors, where, required=False, max_length=254)
    if email is not None:
        checked = check_email(email)
        if not checked.ok:
            errors.append(FieldError(where + "email", checked.reason))  # never repeats the address
        email = checked.address
    postal_address = None
    raw_address = raw.get("postal_address")
    if raw_address not in (None, "", []):
        if isinstance(raw_address, str) and has_control_characters(raw_address):
            errors.append(FieldError(where + "postal_address", "must not contain control characters"))
        else:
            address = check_address(raw_address)
            if not address.ok:
                errors.append(FieldError(where + "postal_address", address.reason))
            postal_address = address.text
    phone = None
    raw_phone = raw.get("phone")
    if raw_phone not in (None, ""):
        if not isinstance(raw_phone, str):
            errors.append(FieldError(where + "phone", "must be text, like 07700 900123"))
        else:
            check = normalise_phone(raw_phone, allow_drama_numbers=allow_drama_numbers)
            if not check.ok:
                errors.append(FieldError(where + "phone", check.reason))  # the reason never repeats the number
            phone = check.e164
    safe_to_text = _flag(raw, "safe_to_text", errors, where, default=False)
    easy_read = _flag(raw, "easy_read", errors, where, default=False)
    consent = _flag(raw, "consent", errors, where, default=True)
    if channel in ("sms", "whatsapp") and raw_phone in (None, ""):
        errors.append(FieldError(where + "phone", f"is required when the channel is {channel}"))
    if route in ("sms", "whatsapp") and raw_phone in (None, ""):
        errors.append(FieldError(where + "phone", f"is required when the route is {route}"))
    elif route == "email" and raw.get("email") in (None, ""):
        errors.append(FieldError(where + "email", "is required when the route is email"))
    elif route == "letter" and raw_address in (None, "", []):
        errors.append(FieldError(where + "postal_address", "is required when the route is letter: a letter needs an address"))
    if len(errors) > before:
        return None
    return ParticipantInput(ref, role, name, age_band, phone, email, language, channel, safe_to_text, easy_read, consent,
                            postal_address, route)
