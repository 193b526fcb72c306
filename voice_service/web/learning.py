"""The Learning Loop for staff: "you said, we did" by each person's route, QA's actions, the
scorecard and the QA Executive's monthly pack.

/learning/meetings/<ref>/you-said-we-did        how each person gets it (chair, worker, QA, admin)
/learning/meetings/<ref>/you-said-we-did/<id>/letter   a printable letter, for post or in person
Access: the blueprint admits admin, qa, chair and worker; meeting views also check the team
(``meetings.rules.can_open_meeting``), QA views narrow to qa and admin. Views of a person's words are
audited (ids only).
"""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for


from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovRadioInput, GovSelect, GovTextArea, GovTextInput
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from voice_service import audit, auth
from voice_service.extensions import db
from voice_service.forms.base import ServiceForm
from voice_service.learning import you_said_records as records
from voice_service.meetings.rules import MEETING_ROLES, can_open_meeting, can_see_answers
from voice_service.store.invitations import invitation_by_id
from voice_service.store.learning import all_actions, learning_action_by_id
from voice_service.store.meetings import meeting_by_ref
from voice_service.models import Invitation, utcnow
from voice_service.vocab import MEETING_TYPES

bp = Blueprint("learning", __name__, url_prefix="/learning")
log = logging.getLogger(__name__)
QA_ROLES = ("qa", "admin")
QA_PAGES = (("learning.actions", "Actions"), ("learning.scorecard", "Scorecard"), ("learning.packs", "Monthly pack"),
            ("learning.voices", "Other sources"))
STATE_LABELS = {
    "waiting": "Waiting for the outcome or the text",
    "sent": "Sent by text",
    "handed_over": "Given or posted",
    "to_hand_over": "To give or post",
}


class ButtonForm(ServiceForm):
    """No fields but the CSRF token."""


class ActionForm(ServiceForm):
    title = StringField("What will be done", widget=GovTextInput(), validators=[
        DataRequired("Enter what will be done"), Length(max=200, message="What will be done must be 200 characters or fewer")])
    finding_kind = RadioField("What is the finding", widget=GovRadioInput(), validators=[InputRequired("Choose what the finding is")])
    finding_ref = StringField("Which finding", widget=GovTextInput(), validators=[Optional(), Length(max=64)])
    measure_id = SelectField("The measure it should move", widget=GovSelect(), validators=[InputRequired("Choose a measure")])
    owner_name = StringField("Owner", widget=GovTextInput(), validators=[DataRequired("Enter who owns this action"), Length(max=200)])
    started_on = DateField("Start date", widget=GovDateInput(), format="%d %m %Y", validators=[InputRequired("Enter the start date")])
    due_on = DateField("Due date", widget=GovDateInput(), format="%d %m %Y", validators=[InputRequired("Enter the due date")])
    plain_words = TextAreaField("What it means for families, in plain words", widget=GovTextArea(),
                                validators=[Optional(), Length(max=600, message="Use 600 characters or fewer")])

    def __init__(self, *args, **kwargs):
        from voice_service.learning import actions as rules
        from voice_service.learning import scorecard as card_rules

        super().__init__(*args, **kwargs)
        self.finding_kind.choices = list(rules.FINDING_KINDS.items())
        self.measure_id.choices = [(m.id, m.label) for m in card_rules.measures()]
        for day in (self.started_on, self.due_on):  # the widget wants day, month and year, or nothing
            if day.raw_data is not None and len(day.raw_data) != 3:
                day.raw_data = None


class NoteForm(ServiceForm):
    status = RadioField("Status", widget=GovRadioInput(), validators=[InputRequired("Choose a status")])
    note = TextAreaField("Note", widget=GovTextArea(), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        from voice_service.learning import actions as rules

        super().__init__(*args, **kwargs)
        self.status.choices = list(rules.STATUSES.items())


@bp.context_processor
def learning_context():
    """The staff layout's header, with the Learning Loop pages in its menu."""
    from voice_service.web.staff import staff_context

    context = staff_context()
    nav = list(context.get("staff_nav", []))
    user = context.get("staff_user")
    endpoint = request.endpoint or ""
    if user is not None and user.role in QA_ROLES:
        for target, words in QA_PAGES:
            if target in current_app.view_functions:
                nav.append({"href": url_for(target), "text": words, "active": endpoint.startswith(target)})
    return {**context, "staff_nav": nav}


def _meeting(meeting_ref: str):
    auth.require_role(*MEETING_ROLES)
    user = auth.current_user()
    meeting = meeting_by_ref(meeting_ref)
    if meeting is None:
        abort(404)
    if not can_open_meeting(user.role, user.team, meeting.child.team):
        audit.record(user, "meeting_access_refused", meeting)
        db.session.commit()
        abort(403)
    return meeting


def _invitation_of(meeting, invitation_id: int) -> Invitation:
    invitation = invitation_by_id(invitation_id)
    if invitation is None or invitation.participant.meeting_id != meeting.id:
        abort(404)
    return invitation


# The scorecard --------------------------------------------------------------------------------

def period_months(choice: str, now=None) -> tuple[str, str]:
    """(first, last) month for "the last N months", up to this one (London)."""
    from voice_service.analysis.queries import LONDON
    from voice_service.analysis.trends import previous_month

    now = (now or utcnow()).astimezone(LONDON)
    last = f"{now.year}-{now.month:02d}"
    first = last
    for _ in range(int(choice) - 1):
        first = previous_month(first)
    return first, last


def cached(name: str, key: tuple, build):
    """`build()`, reused while no answer, tag or invitation is added (INSIGHTS_CACHE_SECONDS)."""
    import time

    from voice_service.analysis.queries import data_version

    ttl = float(current_app.config.get("INSIGHTS_CACHE_SECONDS", 300))
    cache = current_app.extensions.setdefault(f"learning_cache_{name}", {})
    version = data_version()
    hit = cache.get(key)
    now = time.monotonic()
    if hit is not None and hit[0] > now and hit[1] == version:
        return hit[2]
    result = build()
    if ttl > 0:
        if len(cache) > 32:
            cache.clear()
        cache[key] = (now + ttl, version, result)
    return result


def scorecard_chart(card):
    from voice_service.analysis import charts

    items = [(m.label, card.overall[m.id].share) for m in card.measures]
    return charts.bar_chart("chart-scorecard", "What good looks like: share who said yes", items, fmt=charts.percent,
                            max_value=1.0, value_heading="Share who said yes", label_heading="Measure")


@bp.get("/scorecard")
def scorecard():
    """The "What good looks like" scorecard by service, team, meeting type and month (qa, admin)."""
    from voice_service.analysis.trends import month_label
    from voice_service.learning.scorecard_queries import collect
    from voice_service.web.insights import DEFAULT_PERIOD, PERIODS

    auth.require_role(*QA_ROLES)
    choice = request.args.get("period", DEFAULT_PERIOD)
    if choice not in PERIODS:
        choice = DEFAULT_PERIOD
    first, last = period_months(choice)
    threshold = int(current_app.config["SUPPRESSION_THRESHOLD"])
    card = cached("scorecard", (first, last, threshold), lambda: collect(first, last, threshold))
    label = month_label(first) if first == last else f"{month_label(first)} to {month_label(last)}"
    return render_template("learning/scorecard.html", card=card, chart=scorecard_chart(card), periods=PERIODS,
                           period=choice, period_label=label, page_title="What good looks like: the scorecard")


@bp.get("/meetings/<meeting_ref>/you-said-we-did")
def you_said(meeting_ref: str):
    """Who gets "you said, we did" how, and who still needs a letter or a visit."""
    meeting = _meeting(meeting_ref)
    people = records.meeting_routes(meeting)
    db.session.commit()
    return render_template("learning/you_said.html", meeting=meeting, people=people, state_labels=STATE_LABELS,
                           meeting_type=MEETING_TYPES.get(meeting.meeting_type, meeting.meeting_type),
                           button=ButtonForm(), notice=request.args.get("notice"),
                           page_title=f"You said, we did: {meeting.meeting_ref}")


@bp.get("/meetings/<meeting_ref>/you-said-we-did/<int:invitation_id>/letter")
def you_said_letter(meeting_ref: str, invitation_id: int):
    """The person's "you said, we did" as a letter to print (their words: audited)."""
    from voice_service.invitations import link_token
    from voice_service.surveys import registry

    meeting = _meeting(meeting_ref)
    invitation = _invitation_of(meeting, invitation_id)
    if meeting.outcome_recorded_at is None:
        abort(404)
    try:
        survey = registry(current_app).get(invitation.survey_id, invitation.survey_version)
    except Exception:
        survey = None
    data = records.page_data(invitation, survey)
    link = f"{current_app.config['PUBLIC_BASE_URL']}/r/{link_token(invitation)}/you-said-we-did"
    user = auth.current_user()
    # their words only for a reader they allowed, as on the meeting page
    words_shown = can_see_answers(user.role, invitation.visibility)
    audit.record(user, "you_said_we_did_letter_printed", invitation, {"words_shown": words_shown})
    db.session.commit()
    return render_template("learning/you_said_letter.html", meeting=meeting, invitation=invitation, data=data,
                           link=link, words_shown=words_shown, printed_at=utcnow(), page_title="You said, we did: letter")


@bp.post("/meetings/<meeting_ref>/you-said-we-did/<int:invitation_id>/handed-over")
def you_said_handed_over(meeting_ref: str, invitation_id: int):
    meeting = _meeting(meeting_ref)
    invitation = _invitation_of(meeting, invitation_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    records.mark_handed_over(invitation, auth.current_user())
    db.session.commit()
    return redirect(url_for("learning.you_said", meeting_ref=meeting.meeting_ref, notice="handed-over"))


# Learning Loop actions ---------------------------------------------------------------------------

def _render_actions(form: ActionForm | None = None, status: int = 200, problem: str | None = None):
    from voice_service.learning import action_records as store
    from voice_service.learning import actions as rules

    form = form or ActionForm(formdata=None)
    errors = wtforms_errors(form) if form.errors else None
    if problem:
        errors = {"titleText": "There is a problem", "errorList": [{"text": problem, "href": "#title"}]}
    today = store.today()
    rows = [(a, store.measure_label(a.measure_id), rules.past_due(a.due_on, a.status, today)) for a in all_actions()]
    return render_template("learning/actions.html", rows=rows, form=form, errors=errors, form_has_errors=bool(errors),
                           statuses=rules.STATUSES, notice=request.args.get("notice"),
                           page_title="Learning Loop: actions"), status


@bp.route("/actions", methods=["GET", "POST"])
def actions():
    """Actions from findings, soonest due first; POST adds one (qa, admin). Audited."""
    from voice_service.learning import action_records as store
    from voice_service.learning import actions as rules

    auth.require_role(*QA_ROLES)
    if request.method == "GET":
        return _render_actions()
    form = ActionForm()
    if not form.validate_on_submit():
        return _render_actions(form, 400)
    try:
        action = store.create(rules.NewAction(
            title=form.title.data, finding_kind=form.finding_kind.data, finding_ref=form.finding_ref.data or "",
            measure_id=form.measure_id.data, owner_name=form.owner_name.data, due_on=form.due_on.data,
            started_on=form.started_on.data, plain_words=form.plain_words.data), auth.current_user())
    except rules.ActionRefused as refused:
        db.session.rollback()
        return _render_actions(form, 400, str(refused))
    db.session.commit()
    return redirect(url_for("learning.action", action_id=action.id, notice="created"))


def _action_or_404(action_id: int):
    auth.require_role(*QA_ROLES)
    action = learning_action_by_id(action_id)
    if action is None:
        abort(404)
    return action


def _render_action(action, form: NoteForm | None = None, status: int = 200, problem: str | None = None):
    from voice_service.learning import action_records as store
    from voice_service.learning import actions as rules

    threshold = int(current_app.config["SUPPRESSION_THRESHOLD"])
    chart, before, after = store.before_after_chart(action, threshold)
    form = form or NoteForm(formdata=None, data={"status": action.status})
    errors = wtforms_errors(form) if form.errors else None
    if problem:
        errors = {"titleText": "There is a problem", "errorList": [{"text": problem, "href": "#status"}]}
    return render_template("learning/action.html", action=action, chart=chart, before=before, after=after,
                           measure=store.measure_label(action.measure_id), statuses=rules.STATUSES,
                           finding_kinds=rules.FINDING_KINDS, form=form, button=ButtonForm(), errors=errors,
                           form_has_errors=bool(errors), past_due=rules.past_due(action.due_on, action.status, store.today()),
                           notice=request.args.get("notice"), page_title=f"Action: {action.title}"), status


@bp.get("/actions/<int:action_id>")
def action(action_id: int):
    """One action: the measure before and after on one chart, its status and notes over time."""
    return _render_action(_action_or_404(action_id))


@bp.post("/actions/<int:action_id>/notes")
def action_note(action_id: int):
    from voice_service.learning import action_records as store
    from voice_service.learning import actions as rules

    found = _action_or_404(action_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render_action(found, form, 400)
    try:
        store.add_note(found, auth.current_user(), form.status.data, form.note.data)
    except rules.ActionRefused as refused:
        db.session.rollback()
        return _render_action(found, form, 400, str(refused))
    db.session.commit()
    return redirect(url_for("learning.action", action_id=found.id, notice="noted"))


@bp.post("/actions/<int:action_id>/publish")
def action_publish(action_id: int):
    """Publish (or take down) the action's plain words on the Family Advisory Group's page."""
    from voice_service.learning import action_records as store
    from voice_service.learning import actions as rules

    found = _action_or_404(action_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        store.set_published(found, auth.current_user(), request.form.get("publish") == "1")
    except rules.ActionRefused as refused:
        db.session.rollback()
        return _render_action(found, status=400, problem=str(refused))
    db.session.commit()
    return redirect(url_for("learning.action", action_id=found.id, notice="published" if found.published else "unpublished"))
