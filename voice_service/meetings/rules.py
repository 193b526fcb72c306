"""Meetings for staff, the rules (pure): who may open a meeting, see a person's answers or record
an outcome; where an invitation is up to; how a phone number and an answer are shown.

Visibility is enforced by the queries that build the page (voice_service/store/meetings.py)
with these rules: answers a person may not see are never put into the view model, so no page,
print view or export built from it can show them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import phonenumbers

from voice_service.vocab import VISIBILITY

if TYPE_CHECKING:
    from voice_service.models import User

# Access --------------------------------------------------------------------------------------

#: Which of the respondent's choices (vocab.VISIBILITY) let each staff role read the answers.
#: "Only the chair" means only chairs/IROs; family_advisory never reads identifiable answers.
ANSWER_VISIBILITY: dict[str, frozenset[str]] = {
    "chair": frozenset({"chair_only", "worker_and_chair", "meeting"}),
    "worker": frozenset({"worker_and_chair", "meeting"}),
    "admin": frozenset({"meeting"}),
    "qa": frozenset({"meeting"}),
    "family_advisory": frozenset(),
}
MEETING_ROLES = ("admin", "qa", "chair", "worker")  # roles that may open a meeting page at all
PHONE_ROLES = ("admin",)  # roles that see whole phone numbers


def effective_visibility(chosen: str | None) -> str:
    """The respondent's choice; not chosen (or unknown) counts as the narrowest: chair only."""
    return chosen if chosen in VISIBILITY else "chair_only"


def can_see_answers(role: str, chosen: str | None) -> bool:
    return effective_visibility(chosen) in ANSWER_VISIBILITY.get(role, frozenset())


def can_open_meeting(role: str, user_team: str | None, child_team: str | None) -> bool:
    """Chairs, QA and admins open any meeting; a worker only their own team's."""
    if role not in MEETING_ROLES:
        return False
    if role == "worker":
        return user_team is not None and user_team == child_team
    return True


def can_record_outcome(role: str) -> bool:
    return role == "chair"


STATE_LABELS = {
    "not_sent": "Not sent",
    "sent": "Sent",
    "delivered": "Delivered",
    "opened": "Opened",
    "in_progress": "In progress",
    "completed": "Completed",
    "declined": "Declined",
    "opted_out": "Opted out",
    "delivery_failed": "Delivery failed",
    "expired": "Closed, no reply",
    "no_invitation": "No invitation",
}
# GOV.UK tag colours: problems red/orange, done green, waiting grey/blue.
STATE_TAG_CLASSES = {
    "not_sent": "govuk-tag--grey", "sent": "govuk-tag--blue", "delivered": "govuk-tag--light-blue",
    "opened": "govuk-tag--turquoise", "in_progress": "govuk-tag--yellow", "completed": "govuk-tag--green",
    "declined": "govuk-tag--orange", "opted_out": "govuk-tag--orange", "delivery_failed": "govuk-tag--red",
    "expired": "govuk-tag--grey", "no_invitation": "govuk-tag--grey",
}
_FAILED_MESSAGE = ("failed", "undelivered")
_DELIVERED_MESSAGE = ("delivered", "read")
_SENT_MESSAGE = ("accepted", "queued", "sending", "sent")


def invitation_state(status: str | None, delivery_failed: bool, last_message_status: str | None) -> str:
    """Where an invitation is up to, for staff: from its status, its delivery flag and the
    status of the latest text we sent for it. What the person did beats what the network said."""
    if status is None:
        return "no_invitation"
    if status in ("completed", "declined", "opted_out", "in_progress", "opened"):
        return status
    if delivery_failed or last_message_status in _FAILED_MESSAGE:
        return "delivery_failed"
    if last_message_status in _DELIVERED_MESSAGE:
        return "delivered"
    if status == "expired":
        return "expired"
    if status == "sent" or last_message_status in _SENT_MESSAGE:
        return "sent"
    return "not_sent"


VIEWS_LABELS = {"in": "Views in", "partial": "Some views in", "none": "No views yet"}


def views_state(status: str | None, answered: int) -> str:
    if status == "completed":
        return "in"
    return "partial" if answered else "none"


def mask_phone(phone: str | None) -> str | None:
    """07700 900123 -> 07700 900•••: enough to recognise a number, not to ring it."""
    if not phone:
        return None
    try:
        national = phonenumbers.format_number(phonenumbers.parse(phone, "GB"), phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        national = phone
    out, hidden = [], 0
    for ch in reversed(national):
        if ch.isdigit() and hidden < 3:
            out.append("•")
            hidden += 1
        else:
            out.append(ch)
    return "".join(reversed(out))


def phone_for(role: str, phone: str | None) -> str | None:
    if not phone:
        return None
    if role in PHONE_ROLES:
        try:
            return phonenumbers.format_number(phonenumbers.parse(phone, "GB"), phonenumbers.PhoneNumberFormat.NATIONAL)
        except phonenumbers.NumberParseException:
            return phone
    return mask_phone(phone)


THEME_LABELS = {
    "listened_to": "Being listened to", "understanding": "Understanding what is happening",
    "worker_relationship": "Relationship with the worker", "family_contact": "Family time and contact",
    "home_and_care": "Home and care", "safety": "Safety", "education": "Education",
    "health_wellbeing": "Health and wellbeing", "meetings": "Meetings",
    "support_services": "Support and services", "identity_culture": "Identity and culture",
    "rights_advocacy": "Rights and advocacy", "friends_activities": "Friends and activities",
    "communication": "Communication",
}
ROLE_ORDER = {"child": 0, "young_adult": 1, "parent": 2, "carer": 3, "other": 4}
_YES_NO = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}
HIDDEN_KINDS = ("visibility", "advocate")  # shown as "who may see" and advocacy instead


# The upcoming list: who sees which meetings ------------------------------------------------

PAGE_SIZE = 50
SCOPES = ("mine", "team", "all")


def default_scope(user: User) -> str:
    return {"chair": "mine", "worker": "team"}.get(user.role, "all")


def allowed_scopes(user: User) -> tuple[str, ...]:
    if user.role == "worker":
        return ("team",)
    if user.role == "chair":
        return ("mine", "all")
    return ("all",)



def answer_display(question, value, free_text: str | None) -> tuple[str | None, str | None]:
    """(text, emoji) for an answer: a scale or choice shows its label, free text its words."""
    if question is None:
        if free_text:
            return free_text, None
        if isinstance(value, list):
            return ", ".join(str(v) for v in value), None
        return (None if value is None else str(value)), None
    if question.kind == "free_text":
        return free_text, None
    chosen = value if isinstance(value, list) else [value]
    labels, emoji = [], None
    for option_id in chosen:
        if option_id is None:
            continue
        option = question.option(str(option_id)) if question.options else None
        if option is not None:
            labels.append(option.label)
            emoji = emoji or option.emoji
        else:
            labels.append(_YES_NO.get(str(option_id), str(option_id)))
    text = ", ".join(labels) if labels else None
    if free_text:  # an "other, please say" box beside a choice
        text = f"{text}: {free_text}" if text else free_text
    return text, emoji
