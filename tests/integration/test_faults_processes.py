"""Faults with real processes against PostgreSQL: a web process killed mid-answer, the database
restarted under load. What was acknowledged to a respondent must be in the database."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from tests.support.factories import make_invitation, make_meeting, make_participant
from tests.support.processes import ROOT, flask_command, free_port, gunicorn, kill_hard
from voice_service import create_app
from voice_service.database import discard_session
from voice_service.extensions import db
from voice_service.models import Answer, Message
from voice_service.surveys import registry

pytestmark = pytest.mark.postgres_only
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def _free_text_question(app) -> str:
    survey = registry(app).get("cp_conference_parent")
    return next(q.id for q in survey.questions if q.kind == "free_text")


def _invitations(app, count: int) -> list[tuple[int, str]]:
    made = []
    for i in range(count):
        meeting = make_meeting(days_ahead=10)
        participant = make_participant(meeting, role="parent", name=f"Parent {i}", phone=f"+4477009004{i:02d}")
        invitation, token = make_invitation(participant, "cp_conference_parent", days_valid=20)
        made.append((invitation.id, token))
    db.session.commit()
    return made


class Respondents:
    """Threads answering one free-text question again and again, recording what was acknowledged."""

    def __init__(self, base: str, question_id: str, invitations: list[tuple[int, str]]):
        self.base, self.question_id, self.invitations = base, question_id, invitations
        self.acknowledged: list[tuple[int, str]] = []
        self.failures: list[int | str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._answer, args=inv, daemon=True) for inv in invitations]

    def _answer(self, invitation_id: int, token: str) -> None:
        session = requests.Session()
        url = f"{self.base}/r/{token}/q/{self.question_id}"
        n = 0
        while not self.stop.is_set():
            n += 1
            words = f"answer {invitation_id}-{n}: more time with my family"
            try:
                page = session.get(url, timeout=10)
                found = CSRF.search(page.text) if page.status_code == 200 else None
                if not found:
                    with self.lock:
                        self.failures.append(page.status_code)
                    time.sleep(0.2)
                    continue
                posted = session.post(url, data={"csrf_token": found.group(1) or found.group(2), "answer": words},
                                      allow_redirects=False, timeout=10)
            except requests.RequestException as error:
                with self.lock:
                    self.failures.append(type(error).__name__)
                time.sleep(0.2)
                continue
            with self.lock:
                if posted.status_code in (302, 303):  # "saved": the respondent moves on
                    self.acknowledged.append((invitation_id, words))
                else:
                    self.failures.append(posted.status_code)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=15)


def _saved(invitation_ids) -> set[tuple[int, str]]:
    db.session.expire_all()
    rows = db.session.scalars(select(Answer).where(Answer.invitation_id.in_(list(invitation_ids))))
    return {(a.invitation_id, a.free_text) for a in rows}


def test_every_answer_acknowledged_before_a_web_process_is_killed_is_saved(app, database_url):
    question_id = _free_text_question(app)
    invitations = _invitations(app, 8)
    with gunicorn(database_url, workers=2) as (proc, base):
        with Respondents(base, question_id, invitations) as respondents:
            respondents.wait_for(40)
            kill_hard(proc)  # SIGKILL, mid-traffic: no graceful shutdown, no flush
            time.sleep(0.5)
        acknowledged = list(respondents.acknowledged)
    assert len(acknowledged) >= 40, f"too little traffic before the kill: {respondents.failures[:5]}"
    missing = [a for a in acknowledged if a not in _saved(i for i, _ in invitations)]
    assert missing == []
    # one current answer per question, however the kill fell
    current = db.session.execute(
        select(Answer.invitation_id, func.count()).where(Answer.is_current.is_(True)).group_by(Answer.invitation_id)
    ).all()
    assert all(n == 1 for _, n in current)


@pytest.fixture
def own_postgres():
    """A PostgreSQL cluster of this test's own, so restarting it disturbs nobody else."""
    port = free_port()
    home = Path(tempfile.mkdtemp(prefix="voice-pg-fault-"))  # outside pytest's private tmp: postgres must reach it
    env = dict(os.environ, PGPORT_TEST=str(port), PGDATA_TEST=str(home / "data"))
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
    out = subprocess.run([str(ROOT / "tools/start_postgres.sh")], env=env, capture_output=True, text=True, check=True).stdout
    exports = dict(pair.split("=", 1) for line in out.splitlines() for pair in line.replace("export ", "").split())
    url = exports["TEST_DATABASE_URL"]
    migrate = flask_command(url, "db", "upgrade")
    assert migrate.returncode == 0, migrate.stderr
    pg = {"bin": exports["PG_BIN"], "data": exports["PG_DATA"], "port": port, "url": url}
    yield pg
    _pg_ctl(pg, "stop", "-m", "immediate")
    shutil.rmtree(home, ignore_errors=True)


def _pg_ctl(pg, *args):
    cmd = [f"{pg['bin']}/pg_ctl", "-D", pg["data"], "-w", *args]
    if "start" in args or "restart" in args:
        cmd += ["-o", f"-p {pg['port']} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off", "-l", f"{pg['data']}/server.log"]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)


def test_a_database_restart_under_load_fails_cleanly_then_recovers_and_the_clock_sends_nothing_twice(app, own_postgres):
    other = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": own_postgres["url"]})
    with other.app_context():
        question_id = _free_text_question(other)
        invitations = _invitations(other, 6)
        from voice_service.scheduling.service import plan_invitation_messages
        from voice_service.models import Invitation

        for invitation_id, _ in invitations:
            plan_invitation_messages(db.session.get(Invitation, invitation_id))
        db.session.commit()
        with gunicorn(own_postgres["url"], workers=2, log_path="/tmp/voice-fault-gunicorn.log") as (proc, base):
            with Respondents(base, question_id, invitations) as respondents:
                respondents.wait_for(20)
                _pg_ctl(own_postgres, "restart", "-m", "fast")
                during = len(respondents.acknowledged)
                respondents.wait_for(during + 20, timeout=60)  # answers are taken again
            statuses = {f for f in respondents.failures if isinstance(f, int)}
            assert statuses <= {503}, f"failed uncleanly: {sorted(statuses)}"
            assert len(respondents.acknowledged) >= during + 20
            home = requests.get(base + "/healthz", timeout=5)
            assert home.status_code == 200
        discard_session()
        db.engine.dispose()  # our own connections died in the restart too
        missing = [a for a in respondents.acknowledged if a not in _saved(i for i, _ in invitations)]
        assert missing == []
        # the clock: run twice, around another restart; no scheduled step is texted twice
        for _ in range(2):
            flask_command(own_postgres["url"], "scheduler", "tick", "--job", "dispatch-due-messages")
            _pg_ctl(own_postgres, "restart", "-m", "fast")
        tick = flask_command(own_postgres["url"], "scheduler", "tick", "--job", "dispatch-due-messages")
        assert tick.returncode == 0, tick.stderr
        discard_session()
        db.engine.dispose()
        per_step = db.session.execute(
            select(Message.scheduled_message_id, func.count()).where(Message.scheduled_message_id.is_not(None))
            .group_by(Message.scheduled_message_id)
        ).all()
        assert all(n == 1 for _, n in per_step)
        db.session.remove()
        db.engine.dispose()
