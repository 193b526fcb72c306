"""The words of the texts we send: only those a survey file declares, filled in and counted.

Invitation and reminder texts are written in the survey files (surveys/*.toml, `[sms]`), in
neutral words (a phone may be shared), with {service}, {link}, {meeting_date} and {phone}
placeholders. `compose` fills them in, in the invitation's language, and refuses a text the
survey does not declare or one longer than the segments it declares for that kind.
"""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from voice_service.conversation import ServiceInfo
from voice_service.messaging.segments import sms_segments

LONDON = ZoneInfo("Europe/London")
#: Scheduled texts whose link opens the person's "you said, we did" page.
YOU_SAID_KINDS = ("you_said_we_did", "you_said_follow_up")

#: Segments a text may never exceed whatever a survey declares (Survey.sms_max_segments caps at 4).
HARD_SEGMENT_LIMIT = 4
#: The SMS message kinds a survey declares, for each kind of scheduled message.
SCHEDULED_TO_SMS_KIND = {
    "invite": "invite", "reminder": "reminder", "close": "close", "you_said_we_did": "you_said_we_did",
    "eos_invite": "invite", "eos_reminder": "reminder", "thanks": "thanks", "resend": "invite",
    "you_said_follow_up": "you_said_follow_up",
}


class TextNotDeclared(ValueError):
    """The survey has no text of this kind: nothing is sent."""


class TextTooLong(ValueError):
    """The filled-in text is longer than the survey declares for its kind: nothing is sent."""


def survey_for(invitation, language: str | None = None):
    """The invitation's survey version, in its language (English where not translated); None if gone."""
    from voice_service.surveys import localise, registry

    try:
        survey = registry().get(invitation.survey_id, invitation.survey_version)
    except Exception:  # a broken survey folder must not stop a text being refused cleanly
        current_app.logger.exception("survey registry could not be loaded")
        return None
    if survey is None:
        return None
    language = language or invitation.language or "en"
    return survey if language == getattr(survey, "language", "en") else localise(survey, language)


def service_info() -> ServiceInfo:
    config = current_app.config
    return ServiceInfo(name=config["SERVICE_NAME"], phone=config["SERVICE_PHONE"])


def meeting_date_label(starts_at: datetime) -> str:
    """"Tuesday 14 January": the day only, in London time (no meeting type: phones are shared)."""
    local = starts_at.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B}"


def meeting_time_label(starts_at: datetime) -> str:
    """"Tuesday 14 January at 10:00", to tell two meetings apart."""
    local = starts_at.astimezone(LONDON)
    return f"{meeting_date_label(starts_at)} at {local:%H:%M}"


def fill(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), text)


def compose(invitation, kind: str, *, link: str | None = None) -> str:
    """The text of kind `kind` (invite, reminder, close, you_said_we_did, thanks, or the
    scheduler's eos_invite / eos_reminder) for this invitation, ready to send.

    Raises TextNotDeclared or TextTooLong; never returns a text the survey did not declare.
    """
    sms_kind = SCHEDULED_TO_SMS_KIND.get(kind, kind)
    survey = survey_for(invitation)
    if survey is None or sms_kind not in survey.sms:
        raise TextNotDeclared(f"survey {invitation.survey_id} v{invitation.survey_version} declares no '{sms_kind}' text")
    template = survey.sms[sms_kind]
    if "{link}" in template and not link:
        raise ValueError(f"the '{sms_kind}' text needs the private link")
    info = service_info()
    values = {
        "service": info.name, "phone": info.phone, "link": link or "",
        "meeting_date": meeting_date_label(invitation.participant.meeting.starts_at),
    }
    text = fill(template, values)
    encoding, segments, length = sms_segments(text)
    limit = min(int(survey.sms_max_segments.get(sms_kind, 1)), HARD_SEGMENT_LIMIT)
    if segments > limit:
        raise TextTooLong(f"the '{sms_kind}' text is {segments} segments ({encoding}, {length}); at most {limit} declared")
    return text


# Links in scheduled texts ----------------------------------------------------------------------

def link_for(invitation) -> str:
    """The invitation's private link: the same link in every text, and the one staff see."""
    from voice_service.invitations import link_token

    token = link_token(invitation)
    db_flush()
    return f"{current_app.config['PUBLIC_BASE_URL']}/r/{token}"


def db_flush() -> None:
    from voice_service.extensions import db

    db.session.flush()


def compose_scheduled(row, invitation) -> str | None:
    """The scheduler's composer: the words of one scheduled text (``row.kind``), with the
    invitation's private link where the survey's text has {link}. Raises TextNotDeclared /
    TextTooLong for a text that must not be sent (the dispatcher records the row as failed)."""
    survey = survey_for(invitation)
    sms_kind = SCHEDULED_TO_SMS_KIND.get(row.kind, row.kind)
    if survey is None or sms_kind not in survey.sms:
        raise TextNotDeclared(f"survey {invitation.survey_id} v{invitation.survey_version} declares no '{sms_kind}' text")
    link = link_for(invitation) if "{link}" in survey.sms[sms_kind] else None
    if link and row.kind in YOU_SAID_KINDS:
        link += "/you-said-we-did"  # straight to the page, which works after the link closes
    return compose(invitation, row.kind, link=link)
