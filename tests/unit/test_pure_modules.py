"""The engine, the planner, the analysis and the vocabularies are pure: importing one of them, in
a fresh interpreter, loads neither Flask nor SQLAlchemy (the design's rule; docs in ARCHITECTURE)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = ("flask", "flask_sqlalchemy", "sqlalchemy")
PURE = [
    "voice_service.vocab",
    "voice_service.conversation",
    "voice_service.scheduling.planner",
    "voice_service.scheduling.calendar",
    "voice_service.messaging.phone",
    "voice_service.messaging.keywords",
    "voice_service.messaging.segments",
    "voice_service.analysis.pipeline",
    "voice_service.analysis.model",
    "voice_service.analysis.trends",
    "voice_service.analysis.suppression",
    "voice_service.analysis.exceptions",
    "voice_service.analysis.safeguarding",
    "voice_service.analysis.sentiment",
    "voice_service.analysis.redaction",
    "voice_service.analysis.codebook",
    "voice_service.analysis.charts",
    "voice_service.analysis.by_category",
    "voice_service.analysis.other_sources",
    "voice_service.analysis.linear",
    "voice_service.journey",
    "voice_service.meetings.rules",
    "voice_service.survey_model",
    "voice_service.survey_text",
    "voice_service.survey_translation",
    "voice_service.survey_checks",
    "voice_service.survey_validation",
]


def frameworks_loaded_by(module: str) -> list[str]:
    probe = (f"import importlib, sys; importlib.import_module({module!r}); "
             f"print(','.join(n for n in {FRAMEWORKS!r} if n in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return [name for name in result.stdout.strip().split(",") if name]


@pytest.mark.parametrize("module", PURE)
def test_importing_a_pure_module_loads_no_flask_and_no_orm(module):
    assert frameworks_loaded_by(module) == []


def test_the_probe_sees_flask_when_a_module_does_load_it():
    assert "flask" in frameworks_loaded_by("voice_service.web.public")
