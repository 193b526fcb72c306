"""Staff pages for reaching each person (on the staff blueprint): the private link to copy, the
printable letter, resend, reissue, and "helped to answer" on a tablet. See voice_service/reach.py.

Each acts on one invitation of a meeting the user may open (`_meeting_for` checks the team),
only for chairs, workers and admins; each is audited (ids only).
"""
from __future__ import annotations

from flask import abort, make_response, redirect, render_template, session, url_for
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from voice_service import audit, auth, reach
from voice_service.extensions import db
from voice_service.forms.base import ServiceForm
from voice_service.models import Invitation
from voice_service.store.invitations import invitation_by_id
from voice_service.vocab import ASSISTANCE
from voice_service.web.staff import ButtonForm, bp, meeting_or_abort


class HelpForm(ServiceForm):
    how = SelectMultipleField(
        "How are you helping?", widget=GovCheckboxesInput(),
        choices=[SelectChoice(k, v) for k, v in ASSISTANCE.items()],
        validators=[DataRequired("Choose how you are helping")],
        description="Select all that apply. The chair will see that these views were given with your help.",
    )


def _invitation(invitation_id: int) -> Invitation:
    invitation = invitation_by_id(invitation_id)
    if invitation is None:
        abort(404)
    meeting_or_abort(invitation.participant.meeting.meeting_ref)  # 404/403 and the team check
    auth.require_role(*reach.REACH_ROLES)
    return invitation


def _back(invitation: Invitation, notice: str) -> str:
    return url_for("staff.meeting", meeting_ref=invitation.participant.meeting.meeting_ref, notice=notice) + \
        f"#person-{invitation.participant_id}"


@bp.get("/invitations/<int:invitation_id>/link")
def invitation_link(invitation_id: int):
    """The person's private link, to copy or read out, with its QR code. Audited."""
    from voice_service.letters import qr_data_uri
    from voice_service.messaging.texts import link_for

    invitation = _invitation(invitation_id)
    link = link_for(invitation)
    audit.record(auth.current_user(), "invitation_link_viewed", invitation)
    db.session.commit()
    participant = invitation.participant
    return render_template("staff/invitation_link.html", invitation=invitation, participant=participant,
                           link=link, qr=qr_data_uri(link), button=ButtonForm(),
                           page_title=f"Private link for {participant.display_name}")


@bp.get("/invitations/<int:invitation_id>/letter.pdf")
def invitation_letter(invitation_id: int):
    """The printable invitation letter (PDF) in the person's language. Audited."""
    from voice_service.letters import letter_pdf

    invitation = _invitation(invitation_id)
    pdf = letter_pdf(invitation)
    audit.record(auth.current_user(), "invitation_letter_printed", invitation)
    db.session.commit()
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="letter-{invitation.id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/invitations/<int:invitation_id>/resend")
def invitation_resend(invitation_id: int):
    invitation = _invitation(invitation_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        reach.resend(invitation, auth.current_user())
    except reach.ReachRefused as refused:
        db.session.rollback()
        return _refused(invitation, str(refused))
    db.session.commit()
    return redirect(_back(invitation, "resent"))


@bp.post("/invitations/<int:invitation_id>/reissue")
def invitation_reissue(invitation_id: int):
    """A new link; the old one stops working at once."""
    invitation = _invitation(invitation_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        reach.reissue(invitation, auth.current_user())
    except reach.ReachRefused as refused:
        db.session.rollback()
        return _refused(invitation, str(refused))
    db.session.commit()
    return redirect(_back(invitation, "reissued"))


def _refused(invitation: Invitation, message: str):
    return make_response(render_template("staff/problem.html", page_title="That could not be done", kind="refused",
                                         message=message, back=_back(invitation, "")), 409)


@bp.route("/invitations/<int:invitation_id>/help", methods=["GET", "POST"])
def invitation_help(invitation_id: int):
    """Before handing over a tablet: record who is helping and how, then open the person's form."""
    from voice_service.messaging.texts import link_for

    invitation = _invitation(invitation_id)
    form = HelpForm()
    if form.validate_on_submit():
        try:
            reach.start_helped_session(invitation, auth.current_user(), form.how.data or [])
        except reach.ReachRefused as refused:
            db.session.rollback()
            form.how.errors = [str(refused)]
        else:
            link = link_for(invitation)
            db.session.commit()
            # This browser (the worker's tablet) shows the form as a helped session: see
            # templates/public/helped_banner.html. Only the role is kept, never the worker's name.
            session["helped_session"] = {"invitation_id": invitation.id, "role": auth.current_user().role}
            return redirect(link[link.index("/r/"):])
    status = 400 if form.is_submitted() else 200
    return make_response(render_template(
        "staff/invitation_help.html", form=form, invitation=invitation, participant=invitation.participant,
        errors=wtforms_errors(form) if form.errors else None, form_has_errors=bool(form.errors),
        page_title=f"Help {invitation.participant.display_name} to answer",
    ), status)


