"""Which environment runs, which pages exist, which settings production refuses (issue 19,
findings 5, 6 and 11)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.settings import TWILIO_SID as SID
from tests.support.settings import strong_production
from voice_service import create_app
from voice_service.config import ConfigError, build_settings

ROOT = Path(__file__).resolve().parent.parent


# Finding 5: development only when chosen ---------------------------------------------------------

def test_unset_environment_serves_no_development_pages(tmp_path, monkeypatch):
    for name in ("VOICE_ENV", "TWILIO_ACCOUNT_SID", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert build_settings(environ={})["DEV_PAGES"] is False
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///:memory:", "INSTANCE_DIR": str(tmp_path)})
    assert app.config["ENV_NAME"] == "development"
    assert not any(rule.rule.startswith("/dev") for rule in app.url_map.iter_rules())
    assert app.test_client().get("/dev/outbox.json").status_code == 404


def test_development_chosen_explicitly_has_the_development_pages():
    assert build_settings(environ={"VOICE_ENV": "development"})["DEV_PAGES"] is True


@pytest.mark.parametrize("live", [
    {"TWILIO_ACCOUNT_SID": SID},
    {"DATABASE_URL": "postgresql+psycopg://voice:pw@db.council.example/voice"},
])
def test_never_development_pages_with_a_twilio_account_or_a_remote_database(live):
    assert build_settings(environ={"VOICE_ENV": "development", **live})["DEV_PAGES"] is False
    with pytest.raises(ConfigError, match="VOICE_ENV is not set.*Set VOICE_ENV=production"):
        build_settings(environ=live)


def test_a_local_postgresql_is_still_development():
    local = {"VOICE_ENV": "development", "DATABASE_URL": "postgresql+psycopg://voice@127.0.0.1:5432/voice"}
    assert build_settings(environ=local)["DEV_PAGES"] is True


def test_the_procfile_web_process_runs_production_by_default(tmp_path):
    """gunicorn from the Procfile's command with nothing set: production, so it refuses to start
    (naming what is missing) instead of serving /dev/sms on the development keys."""
    procfile = (ROOT / "Procfile").read_text()
    web = next(line.split(":", 1)[1].strip() for line in procfile.splitlines() if line.startswith("web:"))
    assert web.startswith("gunicorn ")
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path), "PORT": "0",
           "VOICE_INSTANCE_DIR": str(tmp_path)}
    result = subprocess.run(web + " --workers 1", shell=True, env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "Production settings are missing or unsafe" in result.stderr
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("process", ["clock", "release"])
def test_the_procfile_other_processes_choose_production(process):
    line = next(row for row in (ROOT / "Procfile").read_text().splitlines() if row.startswith(f"{process}:"))
    assert 'VOICE_ENV="${VOICE_ENV:-production}"' in line


# Finding 6: weak settings refused ------------------------------------------------------------------

def test_strong_production_settings_start():
    assert build_settings("production", environ=strong_production())["ENV_NAME"] == "production"


def test_weak_production_settings_are_refused_naming_each_problem():
    weak = strong_production(SECRET_KEY="x", LOOKUP_HASH_KEY="k", DATA_ENCRYPTION_KEYS="not-a-key",
                             PUBLIC_BASE_URL="http://voice.example.org", DATABASE_URL="sqlite:///voice.sqlite")
    with pytest.raises(ConfigError) as excinfo:
        build_settings("production", environ=weak)
    message = str(excinfo.value)
    assert "SECRET_KEY: too weak" in message
    assert "LOOKUP_HASH_KEY: too weak" in message
    assert "DATA_ENCRYPTION_KEYS: key 1 is not a Fernet key" in message
    assert "PUBLIC_BASE_URL: must start with https://" in message
    assert "DATABASE_URL: must be PostgreSQL" in message


def test_a_long_but_repetitive_secret_is_refused():
    with pytest.raises(ConfigError, match="SECRET_KEY: too weak"):
        build_settings("production", environ=strong_production(SECRET_KEY="x" * 64))
    zeros = "A" * 43 + "="  # 32 zero bytes: a valid Fernet key, not a random one
    with pytest.raises(ConfigError, match="DATA_ENCRYPTION_KEYS: key 1 is not random"):
        build_settings("production", environ=strong_production(DATA_ENCRYPTION_KEYS=zeros))


# Finding 11: the shared rate-limit store -------------------------------------------------------------

@pytest.mark.parametrize("store", [None, "memory://"])
def test_production_refuses_to_start_without_the_shared_rate_limit_store(store):
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI"):
        build_settings("production", environ=strong_production(RATELIMIT_STORAGE_URI=store))
