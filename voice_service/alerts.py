"""Safeguarding alerts reaching the duty team. (The staff-side engineer extends this module.)"""
from __future__ import annotations

import logging

from voice_service.extensions import db
from voice_service.models import SafeguardingAlert, utcnow

log = logging.getLogger(__name__)


def notify_duty_team(alert: SafeguardingAlert) -> None:
    """Tell the duty team a new alert is waiting (ids only: never the answer's words)."""
    log.warning("safeguarding alert raised", extra={"alert_id": alert.id})
    alert.notified_at = utcnow()
    db.session.commit()
