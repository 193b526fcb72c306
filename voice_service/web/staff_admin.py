"""Staff accounts on the web, for admins (issue 18, item 9).

/staff/users                       every account; add one
/staff/users/<id>                  one account: change role or team, disable or enable, reset sign-in
/staff/users/<id>/role|disable|enable|password   (POST) the changes

The changes are voice_service.staff_accounts', the same functions `flask users ...` calls: each is
audited with the admin who made it, and disabling, a role change and a password reset end every
session the person has. Passwords are never shown, logged or audited.
"""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovTextInput
from wtforms import PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional

from voice_service import auth
from voice_service import staff_accounts as accounts
from voice_service.extensions import db
from voice_service.forms.base import ServiceForm
from voice_service.models import User, utcnow
from voice_service.store.staff import all_accounts, user_by_id
from voice_service.vocab import STAFF_ROLES

bp = Blueprint("staff_admin", __name__, url_prefix="/staff/users")
ROLE_CHOICES = [SelectChoice(role, words) for role, words in STAFF_ROLES.items()]
NOTICES = {
    "created": "Account added. Give them their password in person or by phone, never by email.",
    "role": "Role changed. They have been signed out everywhere.",
    "disabled": "Account disabled. They have been signed out everywhere and cannot sign in.",
    "enabled": "Account enabled. They can sign in again now.",
    "password": "New password set. They have been signed out everywhere and can sign in with it now.",
    "unchanged": "Nothing changed.",
}


class _PasswordFields:
    password = PasswordField("Password", widget=GovPasswordInput(), validators=[DataRequired("Enter a password")])
    confirm = PasswordField("Type the password again", widget=GovPasswordInput(), validators=[
        DataRequired("Type the password again"), EqualTo("password", "The passwords do not match")])


class NewAccountForm(ServiceForm, _PasswordFields):
    email = StringField("Work email address", widget=GovTextInput(), validators=[
        DataRequired("Enter their work email address"), Length(max=200, message="Email address must be 200 characters or fewer")])
    name = StringField("Name", widget=GovTextInput(), validators=[
        DataRequired("Enter their name"), Length(max=200, message="Name must be 200 characters or fewer")])
    role = RadioField("Role", widget=GovRadioInput(), choices=ROLE_CHOICES, validators=[InputRequired("Choose a role")])
    team = StringField("Team", widget=GovTextInput(), validators=[Optional(), Length(max=64)])


class RoleForm(ServiceForm):
    role = RadioField("Role", widget=GovRadioInput(), choices=ROLE_CHOICES, validators=[InputRequired("Choose a role")])
    team = StringField("Team", widget=GovTextInput(), validators=[Optional(), Length(max=64)])


class PasswordForm(ServiceForm, _PasswordFields):
    pass


class ButtonForm(ServiceForm):
    """No fields but the CSRF token."""


@bp.context_processor
def _layout():
    from voice_service.web.staff import staff_context

    return staff_context()


def _problem(text: str, href: str) -> dict:
    field = text.split(":", 1)[0] if ":" in text else None
    words = text.split(": ", 1)[-1]
    return {"titleText": "There is a problem",
            "errorList": [{"text": words[:1].upper() + words[1:], "href": f"#{field}" if field else href}]}


def _render_list(form: NewAccountForm | None = None, status: int = 200, problem: str | None = None):
    form = form or NewAccountForm(formdata=None)
    errors = wtforms_errors(form) if form.errors else None
    if problem:
        errors = _problem(problem, "#email")
    return render_template("staff/users.html", rows=all_accounts(), form=form, errors=errors, form_has_errors=bool(errors), now=utcnow(),
                           notice=NOTICES.get(request.args.get("notice", "")), page_title="Staff accounts"), status


@bp.route("", methods=["GET", "POST"])
def accounts_page():
    if request.method == "GET":
        return _render_list()
    form = NewAccountForm()
    if not form.validate_on_submit():
        return _render_list(form, 400)
    try:
        user = accounts.create(auth.current_user(), form.email.data, form.name.data, form.role.data,
                               form.password.data, form.team.data)
    except accounts.AccountChangeRefused as refused:
        db.session.rollback()
        return _render_list(form, 400, str(refused))
    db.session.commit()
    return redirect(url_for("staff_admin.account", user_id=user.id, notice="created"))


def _user_or_404(user_id: int) -> User:
    user = user_by_id(user_id)
    if user is None:
        abort(404)
    return user


def _render_account(user: User, role_form: RoleForm | None = None, password_form: PasswordForm | None = None,
                    status: int = 200, problem: str | None = None):
    role_form = role_form or RoleForm(formdata=None, role=user.role, team=user.team or "")
    password_form = password_form or PasswordForm(formdata=None)
    errors = None
    for form in (role_form, password_form):
        if form.errors:
            errors = wtforms_errors(form)
    if problem:
        errors = _problem(problem, "#role")
    me = auth.current_user()
    return render_template("staff/user.html", account=user, role_form=role_form, password_form=password_form,
                           button=ButtonForm(), errors=errors, form_has_errors=bool(errors), is_me=me is not None and me.id == user.id, now=utcnow(),
                           notice=NOTICES.get(request.args.get("notice", "")), page_title=f"Staff account: {user.name}"), status


@bp.get("/<int:user_id>")
def account(user_id: int):
    return _render_account(_user_or_404(user_id))


def _change(user_id: int, change, notice: str, form=None, form_slot: str = "role_form"):
    user = _user_or_404(user_id)
    if form is None:
        form = ButtonForm()
    if not form.validate_on_submit():
        return _render_account(user, status=400, **({form_slot: form} if not isinstance(form, ButtonForm) else {}))
    try:
        changed = change(user, form)
    except accounts.AccountChangeRefused as refused:
        db.session.rollback()
        return _render_account(user, status=409, problem=str(refused))
    db.session.commit()
    return redirect(url_for("staff_admin.account", user_id=user.id, notice=notice if changed is not False else "unchanged"))


@bp.post("/<int:user_id>/role")
def change_role(user_id: int):
    return _change(user_id, lambda user, form: accounts.change_role(auth.current_user(), user, form.role.data, form.team.data or ""),
                   "role", RoleForm())


@bp.post("/<int:user_id>/disable")
def disable(user_id: int):
    return _change(user_id, lambda user, _form: accounts.disable(auth.current_user(), user), "disabled")


@bp.post("/<int:user_id>/enable")
def enable(user_id: int):
    return _change(user_id, lambda user, _form: accounts.unlock(auth.current_user(), user), "enabled")


@bp.post("/<int:user_id>/password")
def reset_password(user_id: int):
    return _change(user_id, lambda user, form: accounts.reset_sign_in(auth.current_user(), user, form.password.data),
                   "password", PasswordForm(), "password_form")
