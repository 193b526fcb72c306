"""Public forms and web chat behind a private link (/r/<token>)."""
from flask import Blueprint

bp = Blueprint("public", __name__)
