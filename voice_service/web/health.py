"""Liveness for load balancers: says the process is up and can reach the database."""
from flask import Blueprint, jsonify
from sqlalchemy import text

from voice_service.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers; 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        return jsonify(status="database unavailable"), 503
    return jsonify(status="ok")
