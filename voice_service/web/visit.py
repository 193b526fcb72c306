"""A visit behind a private link (/r/<token>): what every page there shares, the form's and the chat's.

The token is the only key: :func:`open_visit` resolves it or stops with a plain 404 (unknown) or
410 (expired, closed) page that names no child, meeting or person. :data:`link_guard` puts every
/r/ route on one budget per address that only unknown links use up, so guessing is slow and a
family's working link is never refused for it. :func:`render_page` and :func:`page_url` draw
and address the pages in the person's language. The routes are in ``web/public.py`` and
``web/you_said.py``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import abort, current_app, g, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh as refresh_locale
from flask_limiter.util import get_remote_address

from voice_service import journey
from voice_service.extensions import limiter
from voice_service.forms import LanguageForm, with_default_options
from voice_service.i18n import LANGUAGE_NAMES
from voice_service.invitations import lookup_token
from voice_service.journey import CHECK, START, Given
from voice_service.learning.history import answer_locked
from voice_service.models import Answer, Invitation, utcnow
from voice_service.store.answers import current_answers, decode_value
from voice_service.surveys import Survey, localise

log = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")
NOTICES = ("other-window", "help", "already-sent", "language")


def _link_limit() -> str:
    return current_app.config.get("PRIVATE_LINK_RATE_LIMIT", "20 per minute")


def _link_is_known() -> bool:
    """A family's working link is never held back because someone on the same network (a school,
    a library) guessed links: the budget applies to unknown links only (issue 19, finding 11)."""
    token = (request.view_args or {}).get("token")
    return bool(token) and lookup_token(token).problem != "unknown"


# Every /r/ route shares one budget per address; only answers for unknown links use it up, and
# known links are never refused for it.
link_guard = limiter.shared_limit(
    _link_limit, scope="private-link", key_func=get_remote_address,
    deduct_when=lambda response: response.status_code == 404,
    exempt_when=_link_is_known,
)


@dataclass
class Visit:
    """Everything a page needs about the person behind this link."""

    token: str
    invitation: Invitation
    source: Survey  # as written (English): its wording goes to the analysis
    survey: Survey  # in the person's language
    language: str
    languages: list[str]
    easy_read: bool
    rows: dict[str, Answer] = field(default_factory=dict)
    answers: dict[str, Given] = field(default_factory=dict)

    @property
    def completed(self) -> bool:
        return self.invitation.status == "completed"

    def locked(self, question_id: str) -> bool:
        """An answer given before the meeting, now it has started: part of the record."""
        row = self.rows.get(question_id)
        starts_at = self.invitation.participant.meeting.starts_at
        return row is not None and answer_locked(row.received_at, starts_at, utcnow())

    @property
    def locked_ids(self) -> frozenset[str]:
        return frozenset(qid for qid in self.rows if self.locked(qid))

    def question(self, question_id: str):
        question = self.survey.question(question_id)
        return with_default_options(question) if question is not None else None


def survey_for(invitation: Invitation) -> Survey:
    """The survey version this invitation was sent with, as written."""
    from voice_service.surveys import registry

    return registry(current_app).get(invitation.survey_id, invitation.survey_version)


def given_from_answer(answer: Answer) -> Given:
    return Given(value=decode_value(answer.value), free_text=answer.free_text, skipped=answer.skipped)


def problem_page(kind: str, status: int):
    """A plain page for a link that cannot be used; it names no child, meeting or person."""
    return make_response(render_template("public/problem.html", kind=kind, page_title=problem_title(kind)), status)


def problem_title(kind: str) -> str:
    return {
        "unknown": _("This link does not work"),
        "expired": _("This link has closed"),
        "closed": _("This link has closed"),
        "too_many": _("Please wait a minute"),
        "too_large": _("Your answer was too long to send"),
        "unavailable": _("Sorry, this form is not working right now"),
        "session": _("Sorry, something went wrong"),
    }[kind]


def open_visit(token: str) -> Visit:
    """Resolve the token or stop with the plain 404 / 410 page."""
    found = lookup_token(token)
    if found.problem == "unknown":
        log.info("unknown private link")
        abort(problem_page("unknown", 404))
    if found.problem in ("expired", "closed"):
        abort(problem_page(found.problem, 410))
    invitation = found.invitation
    try:
        source = survey_for(invitation)
    except Exception:  # a missing survey file is ours to fix; the person gets a plain page
        log.exception("survey for invitation not found", extra={"invitation_id": invitation.id})
        abort(problem_page("unavailable", 503))
    # Draft translations are offered too, marked as drafts on every page (the issue asks for
    # Bengali, Somali and Arabic now, while they wait for a qualified translator).
    offered = [
        lang for lang in current_app.config["LANGUAGES"]
        if lang == "en" or lang in source.languages or lang in source.draft_languages
    ]
    language = invitation.language if invitation.language in offered else "en"
    g.language = language
    refresh_locale()  # the locale may have been looked up already in this context
    survey = _survey_as_seen(source, language, placeholders(invitation, language))
    easy_read = bool(source.easy_read or invitation.participant.easy_read)
    rows = current_answers(invitation)
    return Visit(
        token=token, invitation=invitation, source=source, survey=survey, language=language,
        languages=offered, easy_read=easy_read, rows=rows,
        answers={qid: given_from_answer(a) for qid, a in rows.items()},
    )


_SEEN_SURVEYS: dict[tuple, tuple[Survey, Survey]] = {}


def _survey_as_seen(source: Survey, language: str, placeholders: dict[str, str]) -> Survey:
    """The survey in the person's language with the meeting's details filled in.

    The same for every page anyone opens for the same meeting, and building it copies every
    question, so it is built once and reused (surveys are immutable). Keyed by the loaded
    survey itself, so a reloaded survey file is never served from here stale.
    """
    key = (id(source), language, tuple(sorted(placeholders.items())))
    found = _SEEN_SURVEYS.get(key)
    if found is not None and found[0] is source:
        return found[1]
    survey = source if language == "en" else localise(source, language)
    survey = journey.fill_placeholders(survey, placeholders)
    if len(_SEEN_SURVEYS) >= 4096:  # a bound, not an eviction policy: rebuilt on the next visit
        _SEEN_SURVEYS.clear()
    _SEEN_SURVEYS[key] = (source, survey)
    return survey


def meeting_date(invitation: Invitation, language: str) -> str:
    starts = invitation.participant.meeting.starts_at.astimezone(LONDON).date()
    return format_date(starts, format="full", locale="en_GB" if language == "en" else language)


def placeholders(invitation: Invitation, language: str) -> dict[str, str]:
    config = current_app.config
    return {
        "service": config["SERVICE_NAME"], "council": config["COUNCIL_NAME"], "phone": config["SERVICE_PHONE"],
        "advocacy_phone": config["ADVOCACY_PHONE"], "duty_team_phone": config["DUTY_TEAM_PHONE"],
        "meeting_date": meeting_date(invitation, language),
    }


def render_page(visit: Visit, template: str, status: int = 200, notice: str | None = None, **context):
    notice = notice or request.args.get("notice")
    response = make_response(
        render_template(
            template,
            visit=visit,
            page_language=visit.language,
            draft_translation=visit.language in visit.survey.draft_languages,
            language_form=LanguageForm(formdata=None),
            language_names=LANGUAGE_NAMES,
            notice=notice if notice in NOTICES else None,
            **context,
        ),
        status,
    )
    return response


def page_url(visit: Visit, page: str, **args) -> str:
    if page == CHECK:
        return url_for("public.check", token=visit.token, **args)
    if page == START:
        return url_for("public.start", token=visit.token, **args)
    return url_for("public.question", token=visit.token, question_id=page, **args)


def meeting_words(visit: Visit) -> dict:
    meeting = visit.invitation.participant.meeting
    names = {
        "cp_conference": _("child protection conference"),
        "cla_review": _("review meeting"),
        "cin_review": _("child in need review meeting"),
        "ehcp_review": _("EHCP review meeting"),
        "fgc": _("family group conference"),
        "yj_panel": _("youth justice panel meeting"),
        "experience_of_service": _("questionnaire about our service"),
    }
    return {
        "meeting_name": names.get(meeting.meeting_type, _("meeting")),
        "meeting_date": meeting_date(visit.invitation, visit.language),
        "is_child": visit.invitation.participant.role in ("child", "young_adult"),
    }
