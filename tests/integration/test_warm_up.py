"""A web process warms up before its first request (voice_service/warm_up.py, gunicorn.conf.py):
the first page a person opens after a restart compiles no template."""
from __future__ import annotations

import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def warmed(app):
    """What gunicorn's master does after loading the app and before forking its workers."""
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    conf["when_ready"](SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app)))
    return app


def test_after_the_warm_up_no_page_compiles_a_template(warmed, client, monkeypatch):
    def compile_again(*args, **kwargs):
        raise AssertionError("a template was compiled on a request")

    monkeypatch.setattr(warmed.jinja_env, "compile", compile_again)
    for path in ("/staff/sign-in", "/r/not-a-real-link"):
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert b"<html" in response.data

