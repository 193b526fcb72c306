"""Staff pages: sign-in, upcoming meetings, the meeting page and its print view, the safeguarding
alerts inbox, advocacy requests and the audit log.

The blueprint's policy admits every staff role; each view narrows it with `auth.require_role`,
and meeting views also check the team (`meetings.rules.can_open_meeting`). Answers a user may not see
are left out of the view model by `store.meetings.load_meeting_page`, so no template can show them.
Every view of identifiable answers and every change is audited (ids only).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSelect, GovTextArea, GovTextInput
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from voice_service import advocacy, alerts, audit, auth, reach
from voice_service.extensions import db, limiter
from voice_service.forms.base import ServiceForm
from voice_service.meetings.changes import OutcomeRefused, mark_views_read, record_outcome
from voice_service.meetings.rules import MEETING_ROLES, allowed_scopes, can_open_meeting
from voice_service.store import alerts as store_alerts
from voice_service.store import audit as store_audit
from voice_service.store.advocacy import advocacy_request_by_id
from voice_service.store.meetings import load_meeting_page, meeting_by_ref, upcoming_meetings
from voice_service.models import Meeting, utcnow
from voice_service.vocab import STAFF_ROLES

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.public_endpoints = ("staff.sign_in",)
log = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")
MAX_NOTES = 2000


# Forms -----------------------------------------------------------------------------------------

class SignInForm(ServiceForm):
    email = StringField("Email address", widget=GovTextInput(),
                        validators=[DataRequired("Enter your email address"), Length(max=200, message="Email address must be 200 characters or fewer")])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[DataRequired("Enter your password"), Length(max=200, message="Password must be 200 characters or fewer")])


class ButtonForm(ServiceForm):
    """No fields but the CSRF token: sign out, mark as read, acknowledge, handled."""


class OutcomeForm(ServiceForm):
    raised_by = SelectField("Who raised this point", widget=GovSelect(), choices=[SelectChoice("", "Nobody in particular")],
                            validate_choice=False)
    point = TextAreaField("What was the point", widget=GovTextArea(), validators=[
        DataRequired("Enter the point that was discussed"),
        Length(max=MAX_NOTES, message=f"The point must be {MAX_NOTES} characters or fewer")])
    decision = TextAreaField("What was discussed and decided", widget=GovTextArea(), validators=[
        DataRequired("Enter what was discussed and decided"),
        Length(max=MAX_NOTES, message=f"What was decided must be {MAX_NOTES} characters or fewer")])

    def validate_raised_by(self, field) -> None:
        allowed = {choice.value for choice in self.raised_by.choices}
        if (field.data or "") not in allowed:
            raise ValidationError("Choose someone from the list")


class AlertActionForm(ServiceForm):
    notes = TextAreaField("What did you do?", widget=GovTextArea(), validators=[
        DataRequired("Enter what you did about this alert"),
        Length(max=MAX_NOTES, message=f"What you did must be {MAX_NOTES} characters or fewer")])


class NotAConcernForm(ServiceForm):
    reason = TextAreaField("Why is this not a concern?", widget=GovTextArea(), validators=[
        DataRequired("Enter why this is not a concern"),
        Length(max=MAX_NOTES, message=f"The reason must be {MAX_NOTES} characters or fewer")])


# Helpers ---------------------------------------------------------------------------------------

@bp.app_template_filter("staff_time")
def staff_time(moment: datetime | None, with_day: bool = True) -> str:
    """A UTC time as London wall time: "Tuesday 7 October 2025, 10:00"."""
    if moment is None:
        return ""
    local = moment.astimezone(LONDON)
    day = f"{local:%A} {local.day} {local:%B %Y}" if with_day else f"{local.day} {local:%B %Y}"
    return f"{day}, {local:%H:%M}"


@bp.context_processor
def staff_context():
    user = auth.current_user() if request.endpoint != "staff.sign_in" else None
    nav = []
    if user is not None:
        endpoint = request.endpoint or ""
        if user.role in MEETING_ROLES:
            nav.append({"href": url_for("staff.upcoming"), "text": "Meetings",
                        "active": endpoint in ("staff.upcoming", "staff.meeting")})
            if "staff.team_week_page" in current_app.view_functions:
                nav.append({"href": url_for("staff.team_week_page"), "text": "Teams this week",
                            "active": endpoint == "staff.team_week_page"})
        if user.role in alerts.ALERT_ROLES:
            nav.append({"href": url_for("staff.alerts_inbox"), "text": "Safeguarding alerts",
                        "active": endpoint in ("staff.alerts_inbox", "staff.alert")})
        if user.role == "admin":
            nav.append({"href": url_for("staff.audit_log"), "text": "Audit log", "active": endpoint == "staff.audit_log"})
            if "staff_admin.accounts_page" in current_app.view_functions:
                nav.append({"href": url_for("staff_admin.accounts_page"), "text": "Staff accounts",
                            "active": endpoint.startswith("staff_admin.")})
    return {"staff_user": user, "staff_roles": STAFF_ROLES, "staff_nav": nav, "sign_out_form": ButtonForm(prefix="signout")}


def _sign_in_limit() -> str:
    return current_app.config.get("STAFF_SIGN_IN_RATE_LIMIT", "10 per minute")


def _safe_next(target: str | None) -> str | None:
    """Only our own staff pages: never another site, never a scheme-relative URL."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/staff/") or target.startswith("//"):
        return None
    if parts.path.startswith("/staff/sign-in"):
        return None
    return target


def _meeting_for(meeting_ref: str) -> Meeting:
    """The meeting, or 404; 403 when the user may not open it (another team, family_advisory)."""
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


def meeting_or_abort(meeting_ref: str) -> Meeting:
    """The meeting the signed-in user may open, or 404 / 403 (for the staff_reach pages)."""
    return _meeting_for(meeting_ref)


@bp.errorhandler(403)
def _forbidden(_error):
    return render_template("staff/problem.html", page_title="You cannot see this page", kind="forbidden"), 403


@bp.errorhandler(404)
def _not_found(_error):
    return render_template("staff/problem.html", page_title="Page not found", kind="not_found"), 404


@bp.errorhandler(429)
def _too_many(_error):
    return render_template("staff/problem.html", page_title="Too many attempts", kind="too_many"), 429


# Signing in and out ----------------------------------------------------------------------------

@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def sign_in():
    """The sign-in form. Wrong details and an expired session each get a clear message; wrong
    attempts are slowed down per account and address (auth.authenticate), never a lock-out."""
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        result = auth.authenticate(form.email.data, form.password.data, address=request.remote_addr or "")
        if result.user is not None:
            auth.start_session(result.user)
            return redirect(_safe_next(request.args.get("next")) or url_for("staff.home"))
        if result.problem == "throttled":
            form.email.errors.append(
                "Too many wrong attempts with this email address. Wait 15 minutes and try again, or ask an administrator")
            status = 429
        else:
            form.email.errors.append("Enter a correct email address and password")
            status = 400
    elif form.is_submitted():
        status = 400
    return make_response(render_template(
        "staff/sign_in.html", form=form, errors=wtforms_errors(form), form_has_errors=bool(form.errors),
        expired=request.args.get("expired") if request.args.get("expired") in ("1", "ended") else None,
        page_title="Sign in",
    ), status)


@bp.post("/sign-out")
def sign_out():
    form = ButtonForm(prefix="signout")
    if form.validate_on_submit():
        auth.end_session()
    return redirect(url_for("staff.sign_in"))


@bp.get("/")
def home():
    """Where a signed-in person starts: their meetings, or trends for the Family Advisory Group."""
    user = auth.current_user()
    if user.role == "family_advisory":
        if "insights.dashboard" in current_app.view_functions:
            return redirect(url_for("insights.dashboard"))
        return render_template("staff/home.html", page_title="Family voice trends", insights=False)
    return redirect(url_for("staff.upcoming"))


# Meetings ----------------------------------------------------------------------------------------

@bp.get("/meetings")
def upcoming():
    """Meetings in the next 14 days (or ?days=N up to 90) with each person's invitation state."""
    auth.require_role(*MEETING_ROLES)
    user = auth.current_user()
    try:
        days = int(request.args.get("days", 14))
    except ValueError:
        days = 14
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    result = upcoming_meetings(user, days=days, scope=request.args.get("scope"), page=page)
    return render_template("staff/upcoming.html", result=result, days=max(1, min(days, 90)),
                           scopes=allowed_scopes(user), page_title="Upcoming meetings")


def _outcome_form(page) -> OutcomeForm:
    form = OutcomeForm()
    form.raised_by.choices = [SelectChoice("", "Nobody in particular")] + [
        SelectChoice(str(p.invitation_id), f"{p.name} ({p.role_label})") for p in page.participants if p.invitation_id
    ]
    return form


def _render_meeting(meeting: Meeting, form: OutcomeForm | None = None, status: int = 200, notice: str | None = None):
    user = auth.current_user()
    page = load_meeting_page(meeting, user)
    audit.record(user, "meeting_answers_viewed", meeting,
                 {"shown": page.shown_invitation_ids, "withheld": page.withheld_invitation_ids})
    db.session.commit()
    if form is None:
        form = _outcome_form(page)
    return make_response(render_template(
        "staff/meeting.html", m=page, form=form, button=ButtonForm(), reach=reach.for_meeting(meeting, user.role),
        errors=wtforms_errors(form) if form.errors else None, form_has_errors=bool(form.errors),
        notice=notice or request.args.get("notice"), page_title=f"{page.meeting_type_label}: {page.meeting_ref}",
    ), status)


@bp.get("/meetings/<meeting_ref>")
def meeting(meeting_ref: str):
    """Everyone's views for one meeting, side by side, the child's first. Audited."""
    return _render_meeting(_meeting_for(meeting_ref))


@bp.get("/meetings/<meeting_ref>/print")
def meeting_print(meeting_ref: str):
    """A compact, dated summary for printing (the same visibility rules). Audited."""
    meeting = _meeting_for(meeting_ref)
    user = auth.current_user()
    page = load_meeting_page(meeting, user)
    audit.record(user, "meeting_answers_printed", meeting,
                 {"shown": page.shown_invitation_ids, "withheld": page.withheld_invitation_ids})
    db.session.commit()
    return render_template("staff/print.html", m=page, printed_at=utcnow(), printed_by=user.name,
                           reach=reach.for_meeting(meeting, user.role),
                           page_title=f"Views for {page.meeting_ref}")


@bp.post("/meetings/<meeting_ref>/read")
def mark_read(meeting_ref: str):
    meeting = _meeting_for(meeting_ref)
    auth.require_role("chair")
    if not ButtonForm().validate_on_submit():
        abort(400)
    mark_views_read(meeting, auth.current_user())
    db.session.commit()
    return redirect(url_for("staff.meeting", meeting_ref=meeting.meeting_ref, notice="read"))


@bp.post("/meetings/<meeting_ref>/outcome")
def outcome(meeting_ref: str):
    """Record what was discussed and decided on one point; plans "you said, we did"."""
    meeting = _meeting_for(meeting_ref)
    auth.require_role("chair")
    user = auth.current_user()
    page = load_meeting_page(meeting, user)
    form = _outcome_form(page)
    if form.validate_on_submit():
        invitation_id = int(form.raised_by.data) if form.raised_by.data else None
        try:
            record_outcome(meeting, user, form.point.data, form.decision.data, invitation_id)
        except OutcomeRefused as refused:
            db.session.rollback()
            form.point.errors = list(form.point.errors) + [str(refused)]
        else:
            db.session.commit()
            return redirect(url_for("staff.meeting", meeting_ref=meeting.meeting_ref, notice="outcome") + "#outcome")
    return _render_meeting(meeting, form, status=400)


@bp.post("/advocacy/<int:request_id>/handled")
def advocacy_handled(request_id: int):
    found = advocacy_request_by_id(request_id)
    if found is None:
        abort(404)
    meeting = _meeting_for(found.invitation.participant.meeting.meeting_ref)
    if not ButtonForm().validate_on_submit():
        abort(400)
    advocacy.mark_handled(found, auth.current_user())
    db.session.commit()
    return redirect(url_for("staff.meeting", meeting_ref=meeting.meeting_ref, notice="advocacy") + "#advocacy")


# Safeguarding alerts -----------------------------------------------------------------------------

@bp.get("/alerts")
def alerts_inbox():
    """Open alerts, oldest first (or ?status=acknowledged / actioned)."""
    auth.require_role(*alerts.ALERT_ROLES)
    status = request.args.get("status", "open")
    if status not in ("open", "acknowledged", "actioned"):
        status = "open"
    rows = store_alerts.list_alerts(auth.current_user(), status)
    waited = store_alerts.acknowledgement_minutes(utcnow() - timedelta(days=30))
    return render_template("staff/alerts.html", rows=rows, status=status, now=utcnow(), waited=waited,
                           median_wait=waited[len(waited) // 2] if waited else None,
                           page_title="Safeguarding alerts")


def _alert_or_404(alert_id: int):
    auth.require_role(*alerts.ALERT_ROLES)
    found = store_alerts.get_alert(auth.current_user(), alert_id)
    if found is None:
        abort(404)
    return found


def _render_alert(alert_id: int, form: AlertActionForm | None = None, status: int = 200, problem: str | None = None,
                  not_a_concern: "NotAConcernForm | None" = None):
    row, alert = _alert_or_404(alert_id)
    user = auth.current_user()
    said = alerts.alert_words(alert)
    for entry in said:  # every view of a person's words is audited
        if entry.answer_id:
            audit.record(user, "alert_answer_viewed", alert, {"answer_id": entry.answer_id})
        elif entry.source_feedback_id:
            audit.record(user, "alert_source_feedback_viewed", alert, {"source_feedback_id": entry.source_feedback_id})
        else:
            audit.record(user, "alert_message_viewed", alert, {"message_id": entry.message_id})
    db.session.commit()
    form = form or AlertActionForm()
    not_a_concern = not_a_concern or NotAConcernForm()
    problems = {**form.errors, **not_a_concern.errors}
    errors = wtforms_errors(not_a_concern if not_a_concern.errors else form) if problems else None
    return make_response(render_template(
        "staff/alert.html", row=row, alert=alert, said=said, form=form, not_a_concern=not_a_concern,
        button=ButtonForm(), errors=errors, form_has_errors=bool(errors),
        problem=problem, notice=request.args.get("notice"), page_title=f"Safeguarding alert {row.id}",
    ), status)


@bp.get("/alerts/<int:alert_id>")
def alert(alert_id: int):
    """One alert with the words that raised it (safeguarding overrides the respondent's visibility
    choice, as the survey tells them). Audited."""
    return _render_alert(alert_id)


@bp.post("/alerts/<int:alert_id>/acknowledge")
def alert_acknowledge(alert_id: int):
    _row, found = _alert_or_404(alert_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        alerts.acknowledge(found, auth.current_user())
    except alerts.AlertChangeRefused as refused:
        db.session.rollback()
        return _render_alert(alert_id, status=409, problem=str(refused))
    db.session.commit()
    return redirect(url_for("staff.alert", alert_id=alert_id, notice="acknowledged"))


@bp.post("/alerts/<int:alert_id>/action")
def alert_action(alert_id: int):
    _row, found = _alert_or_404(alert_id)
    form = AlertActionForm()
    if not form.validate_on_submit():
        return _render_alert(alert_id, form, status=400)
    try:
        alerts.record_action(found, auth.current_user(), form.notes.data)
    except alerts.AlertChangeRefused as refused:
        db.session.rollback()
        return _render_alert(alert_id, status=409, problem=str(refused))
    db.session.commit()
    return redirect(url_for("staff.alert", alert_id=alert_id, notice="actioned"))


@bp.post("/alerts/<int:alert_id>/not-a-concern")
def alert_not_a_concern(alert_id: int):
    """Closed as not a concern, with the reason; its words become labelled examples."""
    _row, found = _alert_or_404(alert_id)
    form = NotAConcernForm()
    if not form.validate_on_submit():
        return _render_alert(alert_id, status=400, not_a_concern=form)
    try:
        alerts.record_not_a_concern(found, auth.current_user(), form.reason.data)
    except alerts.AlertChangeRefused as refused:
        db.session.rollback()
        return _render_alert(alert_id, status=409, problem=str(refused))
    db.session.commit()
    return redirect(url_for("staff.alert", alert_id=alert_id, notice="not-a-concern"))


# Audit log -----------------------------------------------------------------------------------------

@bp.get("/audit")
def audit_log():
    """The audit log for admins, newest first, 100 to a page."""
    auth.require_role("admin")
    try:
        before = int(request.args["before"]) if request.args.get("before") else None
    except ValueError:
        before = None
    action = request.args.get("action") or None
    if action and len(action) > 64:
        action = None
    rows = store_audit.read(limit=100, before_id=before, action=action)
    actions = store_audit.recorded_actions()
    return render_template("staff/audit.html", rows=rows, action=action, actions=actions,
                           next_before=rows[-1].id if len(rows) == 100 else None, page_title="Audit log")

