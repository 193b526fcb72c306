"""JSON API for the case system: meetings in, moves and cancellations."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
