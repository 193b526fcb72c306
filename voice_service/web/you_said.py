"""'You said, we did' behind each person's own private link (/r/<token>/you-said-we-did).

The page works after the link has closed for answers: it shows what the person said (their own
words, never an answer flagged as a possible disclosure) and what was decided, in their
language, easy-read with read-aloud for children. From a month after the meeting it asks one
question, "did it happen?"; the answer is a measure in the trends. An unknown link (or a
cancelled meeting) gets the same plain 404 as the form.
"""
from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from babel.dates import format_date

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh as refresh_locale
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from voice_service.extensions import db
from voice_service.forms.base import ServiceForm
from voice_service.learning import you_said_records as records
from voice_service.web.visit import link_guard

bp = Blueprint("you_said", __name__)
LONDON = ZoneInfo("Europe/London")
log = logging.getLogger(__name__)


class FollowUpForm(ServiceForm):
    happened = RadioField(widget=GovRadioInput(), validators=[InputRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.happened.label.text = _("Did what was decided happen?")
        self.happened.validators[0].message = _("Choose whether what was decided happened")
        self.happened.choices = [
            SelectChoice("yes", _("Yes")), SelectChoice("partly", _("Some of it")),
            SelectChoice("no", _("No")), SelectChoice("not_sure", _("I am not sure")),
        ]


def _survey(invitation):
    from voice_service.surveys import localise, registry

    try:
        survey = registry(current_app).get(invitation.survey_id, invitation.survey_version)
    except Exception:  # the page still shows what was decided without the question wording
        log.exception("survey for invitation not found", extra={"invitation_id": invitation.id})
        return None, False
    if survey is None:
        return None, False
    easy = bool(survey.easy_read)
    if invitation.language != "en" and invitation.language in (survey.languages + survey.draft_languages):
        survey = localise(survey, invitation.language)
    return survey, easy


def _invitation(token: str):
    invitation = records.invitation_for_token(token)
    if invitation is None:
        log.info("unknown private link")
        abort(make_response(render_template("public/problem.html", kind="unknown",
                                            page_title=_("This link does not work")), 404))
    language = invitation.language if invitation.language in current_app.config["LANGUAGES"] else "en"
    g.language = language
    refresh_locale()
    return invitation, language


def _date(moment, language: str) -> str:
    return format_date(moment.astimezone(LONDON).date(), format="long", locale="en_GB" if language == "en" else language)


def _render(token: str, invitation, language: str, form: FollowUpForm, status: int = 200, thanks: bool = False):
    survey, survey_easy = _survey(invitation)
    participant = invitation.participant
    meeting = participant.meeting
    child = participant.role in ("child", "young_adult")
    easy_read = bool(survey_easy or participant.easy_read or child)
    data = records.page_data(invitation, survey) if meeting.outcome_recorded_at else None
    errors = None
    if form.errors:
        errors = {"titleText": _("There is a problem"),
                  "errorList": [{"text": _("Choose whether what was decided happened"), "href": "#happened"}]}
    return make_response(render_template(
        "public/you_said.html", data=data, form=form, token=token, errors=errors, form_has_errors=bool(errors),
        page_language=language, easy_read=easy_read, read_aloud=easy_read, is_child=child, thanks=thanks,
        meeting_date=_date(meeting.starts_at, language), page_title=_("You said, we did"),
    ), status)


@bp.route("/r/<token>/you-said-we-did", methods=["GET", "POST"])
@link_guard
def page(token: str):
    """What you said and what was decided; POST answers the follow-up ("did it happen?")."""
    invitation, language = _invitation(token)
    if invitation.participant.meeting.outcome_recorded_at is None:
        return _render(token, invitation, language, FollowUpForm(formdata=None))
    if request.method == "POST":
        form = FollowUpForm()
        if not form.validate():
            return _render(token, invitation, language, form, status=400)
        try:
            records.answer_follow_up(invitation, form.happened.data)
        except records.FollowUpRefused:
            db.session.rollback()
            abort(409)
        db.session.commit()
        log.info("follow-up answered", extra={"invitation_id": invitation.id})
        return redirect(url_for("you_said.page", token=token, thanks="1"))
    records.note_viewed(invitation)
    db.session.commit()
    return _render(token, invitation, language, FollowUpForm(formdata=None), thanks=request.args.get("thanks") == "1")
