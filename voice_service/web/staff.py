"""Staff pages: sign-in, upcoming meetings, the meeting page, alerts, audit."""
from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.public_endpoints = ("staff.sign_in",)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    return "Sign in"
