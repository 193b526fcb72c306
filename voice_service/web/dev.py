"""Development only: the SMS simulator and the outbox of messages that would have been sent."""
from flask import Blueprint

bp = Blueprint("dev", __name__, url_prefix="/dev")
