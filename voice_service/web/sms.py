"""Twilio webhooks: inbound messages and delivery status callbacks."""
from flask import Blueprint

bp = Blueprint("sms", __name__, url_prefix="/sms")
