"""Voices from other sources, for QA on the Learning Loop blueprint: /learning/voices.

Record one piece of feedback, import a CSV of them, and see the last twelve months by source:
how many, their themes and sentiment (voice_service.other_voices). QA and admins only; the words
themselves are not listed here, only counts.
"""
from __future__ import annotations

import io
from datetime import date, timedelta

from flask import redirect, render_template, request, url_for
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovFileInput, GovSelect, GovTextArea, GovTextInput
from wtforms import DateField, FileField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from voice_service import auth, other_voices
from voice_service.extensions import db
from voice_service.forms.base import ServiceForm
from voice_service.vocab import SERVICES, SENTIMENTS
from voice_service.web.learning import QA_ROLES, bp


class VoiceForm(ServiceForm):
    source = SelectField("Where it was gathered", widget=GovSelect(), validators=[InputRequired("Choose where it was gathered")],
                         choices=[SelectChoice(k, v) for k, v in other_voices.SOURCES.items()])
    gathered_on = DateField("Date gathered", widget=GovDateInput(), format="%d %m %Y",
                            validators=[InputRequired("Enter the date it was gathered")])
    text = TextAreaField("What was said", widget=GovTextArea(), validators=[
        DataRequired("Enter what was said"), Length(max=other_voices.MAX_TEXT, message="Use 4000 characters or fewer")])
    service = SelectField("Service", widget=GovSelect(), validators=[Optional()],
                          choices=[SelectChoice("", "Not known")] + [SelectChoice(k, v) for k, v in SERVICES.items()])
    team = StringField("Team", widget=GovTextInput(), validators=[Optional(), Length(max=64)])


class ImportForm(ServiceForm):
    file = FileField("CSV file", widget=GovFileInput(), validators=[DataRequired("Choose a CSV file")])


def _render(form=None, upload=None, status=200, problems=None, notice=None, alerts_raised=0):
    form = form or VoiceForm(formdata=None)
    upload = upload or ImportForm(formdata=None)
    errors = None
    for f in (form, upload):
        if f.errors:
            errors = wtforms_errors(f)
    if problems:
        errors = {"titleText": "There is a problem", "errorList": [{"text": p, "href": "#text"} for p in problems[:20]]}
    last = date.today()
    first = last - timedelta(days=365)
    counts = other_voices.trends_by_source(first, last)
    rows = [(other_voices.SOURCES[s], counts[s]) for s in other_voices.SOURCES if s in counts]
    from voice_service.safety_net import crisis_reply

    return render_template("learning/voices.html", form=form, upload=upload, errors=errors, form_has_errors=bool(errors),
                           crisis_numbers=crisis_reply("en"), alerts_raised=alerts_raised,
                           rows=rows, sentiments=SENTIMENTS, sources=list(other_voices.SOURCES), notice=notice or request.args.get("notice"),
                           page_title="Voices from other sources"), status


@bp.route("/voices", methods=["GET", "POST"])
def voices():
    auth.require_role(*QA_ROLES)
    if request.method == "GET":
        return _render()
    form = VoiceForm()
    if not form.validate_on_submit():
        return _render(form, status=400)
    alerts: list = []
    try:
        item = other_voices.record(auth.current_user(), form.source.data, form.gathered_on.data, form.text.data,
                                   form.service.data or None, form.team.data, alerts=alerts)
    except other_voices.FeedbackRefused as refused:
        db.session.rollback()
        return _render(form, status=400, problems=[str(refused)])
    db.session.commit()
    other_voices.notify_all(alerts)
    return redirect(url_for("learning.voices", notice=_notice(item)))


def _notice(item) -> str:
    """What the person recording it is told: a risk of harm (crisis words first), words the
    analysis cannot read, or only that it was recorded."""
    if item.safeguarding:
        return "crisis" if (item.analysis_evidence or {}).get("crisis") else "concern"
    return "interpreter" if item.needs_interpreter else "recorded"


@bp.post("/voices/import")
def voices_import():
    auth.require_role(*QA_ROLES)
    upload = ImportForm()
    if not upload.validate_on_submit():
        return _render(upload=upload, status=400)
    text = upload.file.data.read().decode("utf-8-sig", errors="replace")
    report = other_voices.import_csv(io.StringIO(text), auth.current_user())
    db.session.commit()
    other_voices.notify_all(report.alerts)
    return _render(status=200 if not report.problems else 400, problems=report.problems or None,
                   notice=f"imported {report.imported} of {report.rows}", alerts_raised=len(report.alerts))
