"""A case-system CSV export as the import reads it: one row per participant, written to a file."""
from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

from voice_service.models import utcnow
from voice_service.staff_cli import KNOWN_COLUMNS

START = (utcnow() + timedelta(days=15)).replace(microsecond=0)


def row(**values) -> dict:
    base = {
        "meeting_ref": "MTG-100", "case_ref": "CASE-100", "meeting_type": "cp_conference",
        "starts_at": START.isoformat(), "child_age_band": "8_12", "service": "cp", "team": "north",
        "location": "Civic Centre", "chair_email": "", "meeting_status": "",
        "participant_ref": "P1", "role": "child", "name": "Maya", "age_band": "8_12", "phone": "",
        "email": "", "language": "en", "channel": "web", "safe_to_text": "", "easy_read": "", "consent": "",
    }
    base.update(values)
    return base


def write(tmp_path: Path, rows: list[dict], name="export.csv", columns=KNOWN_COLUMNS) -> str:
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return str(path)
