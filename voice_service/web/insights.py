"""Trends for QA and the Family Advisory Group: suppressed aggregates and redacted quotes only."""
from flask import Blueprint

bp = Blueprint("insights", __name__, url_prefix="/insights")
