"""The clock: fixed-id jobs, `scheduler tick` and `scheduler run`, the in-process demo clock."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import select

from tests.support.scheduler import CLOCK_SENDER, invitation_for, london
from voice_service.extensions import db
from voice_service.models import Invitation, ScheduledMessage
from voice_service.scheduling import clock, in_process
from voice_service.scheduling.calendar import LONDON
from voice_service.scheduling.clock import JOB_IDS, JOBS, add_jobs, due_jobs, run_job
from voice_service.scheduling.service import plan_invitation_messages

SENDER = CLOCK_SENDER


def compose_for_tests(row, invitation):
    return f"{row.kind} {row.sequence}"


@pytest.fixture
def app_config():
    return {
        "SCHEDULER_SENDER_FACTORY": "tests.support.scheduler:clock_sender_factory",
        "SCHEDULER_COMPOSER": "tests.integration.test_scheduler_clock:compose_for_tests",
    }


def ids(jobs):
    return [job.id for job in jobs]


def test_the_job_ids_are_fixed():
    assert JOB_IDS == ("dispatch-due-messages", "close-expired-invitations", "escalate-safeguarding-alerts",
                       "refer-advocacy-requests", "plan-meeting-quality", "count-closed-months", "nightly-retention", "monthly-report", "monthly-pack",
                       "retrain-analysis-model")


def test_a_tick_every_minute_runs_dispatch_always_and_the_rest_on_their_hour():
    assert ids(due_jobs(london(2027, 3, 2, 11, 7, 30))) == ["dispatch-due-messages"]
    assert ids(due_jobs(london(2027, 3, 2, 11, 15, 10))) == [
        "dispatch-due-messages", "close-expired-invitations", "escalate-safeguarding-alerts", "refer-advocacy-requests"]
    assert "nightly-retention" in ids(due_jobs(london(2027, 3, 2, 2, 30, 20)))
    assert "nightly-retention" not in ids(due_jobs(london(2027, 3, 2, 2, 31, 20)))
    assert "plan-meeting-quality" in ids(due_jobs(london(2027, 3, 2, 11, 37, 5)))
    assert "monthly-report" in ids(due_jobs(london(2027, 4, 1, 6, 0, 5)))
    assert "monthly-report" not in ids(due_jobs(london(2027, 4, 2, 6, 0, 5)))


def test_an_unacknowledged_alert_is_escalated_and_an_advocate_request_referred_by_the_clock(app, runner):
    from datetime import timedelta

    from tests.support.factories import make_invitation, make_meeting, make_participant
    from tests.support.answers import save_answer_and_commit
    from voice_service.models import AdvocacyRequest, SafeguardingAlert, utcnow

    participant = make_participant(make_meeting(), role="parent")
    invitation, _ = make_invitation(participant, "test_survey")
    answer = save_answer_and_commit(invitation, "q", free_text="he hits me and I am scared to go home", channel="web")
    alert = db.session.scalar(select(SafeguardingAlert).where(SafeguardingAlert.answer_id == answer.id))
    alert.raised_at = utcnow() - timedelta(hours=3)
    db.session.add(AdvocacyRequest(invitation=invitation, status="open"))
    db.session.commit()
    result = runner.invoke(args=["scheduler", "tick", "--job", "escalate-safeguarding-alerts",
                                 "--job", "refer-advocacy-requests"])
    assert result.exit_code == 0, result.output
    assert '"escalated": 1' in result.output and '"referred": 1' in result.output
    db.session.expire_all()
    assert db.session.get(SafeguardingAlert, alert.id).escalated_at is not None


def test_retention_runs_at_half_past_two_london_time_in_summer_and_winter():
    assert "nightly-retention" in ids(due_jobs(london(2027, 7, 1, 2, 30, 1)))   # 01:30 UTC
    assert "nightly-retention" in ids(due_jobs(london(2027, 1, 5, 2, 30, 1)))   # 02:30 UTC
    # the night the clocks go forward (28 March 2027) 02:30 BST still comes
    assert "nightly-retention" in ids(due_jobs(london(2027, 3, 28, 2, 30, 1)))


def test_adding_the_jobs_twice_replaces_them(app):
    scheduler = BackgroundScheduler(timezone=LONDON)
    scheduler.start(paused=True)
    try:
        add_jobs(scheduler, app)
        add_jobs(scheduler, app)
        assert sorted(job.id for job in scheduler.get_jobs()) == sorted(JOB_IDS)
    finally:
        scheduler.shutdown(wait=False)


def test_a_job_that_is_not_installed_is_skipped_not_fatal(app):
    app.config["SCHEDULER_JOB_TARGETS"] = {"monthly-report": "voice_service.no_such_module:run"}
    ok, error = run_job(app, next(job for job in JOBS if job.id == "monthly-report"))
    assert not ok and "not available" in error


def test_a_job_that_raises_is_reported_not_fatal(app):
    app.config["SCHEDULER_JOB_TARGETS"] = {"nightly-retention": "tests.integration.test_scheduler_clock:boom"}
    ok, error = run_job(app, next(job for job in JOBS if job.id == "nightly-retention"))
    assert not ok and error == "RuntimeError: boom"


def boom():
    raise RuntimeError("boom")


def test_scheduler_tick_runs_the_named_job_once(app, runner):
    invitation = invitation_for(london(2027, 3, 19, 10), london(2027, 3, 1, 9, 30), status="sent")
    invitation.expires_at = london(2020, 1, 1)
    db.session.commit()
    result = runner.invoke(args=["scheduler", "tick", "--job", "close-expired-invitations"])
    assert result.exit_code == 0, result.output
    assert 'close-expired-invitations: ok {"expired": 1}' in result.output
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).status == "expired"


def test_scheduler_tick_dispatches_through_the_configured_sender(app, runner, time_machine):
    SENDER.calls.clear()
    created = london(2027, 3, 1, 9, 30)
    invitation = invitation_for(london(2027, 3, 19, 10), created)
    plan_invitation_messages(invitation, now=created)
    db.session.commit()
    time_machine.move_to(london(2027, 3, 1, 9, 31))
    result = runner.invoke(args=["scheduler", "tick", "--job", "dispatch-due-messages"])
    assert result.exit_code == 0, result.output
    assert 'dispatch-due-messages: ok {"sent": 1' in result.output
    db.session.expire_all()
    row = db.session.scalar(select(ScheduledMessage).where(ScheduledMessage.invitation_id == invitation.id,
                                                          ScheduledMessage.kind == "invite"))
    assert row.state == "sent" and [call[2] for call in SENDER.calls] == [invitation.id]


def test_scheduler_tick_without_a_sender_keeps_rows_pending_and_fails_loudly(app, runner):
    app.config["SCHEDULER_SENDER_FACTORY"] = "voice_service.messaging:no_such_sender"
    result = runner.invoke(args=["scheduler", "tick", "--job", "dispatch-due-messages"])
    assert result.exit_code == 1
    assert "dispatch-due-messages: FAILED" in result.output


def test_scheduler_run_starts_a_blocking_scheduler_with_the_fixed_jobs(app, runner, monkeypatch):
    seen = {}

    def fake_start(self, *args, **kwargs):
        seen["jobs"] = sorted(job.id for job in self.get_jobs())
        raise KeyboardInterrupt

    monkeypatch.setattr(BlockingScheduler, "start", fake_start)
    result = runner.invoke(args=["scheduler", "run"])
    assert result.exit_code == 0, result.output
    assert seen["jobs"] == sorted(JOB_IDS)
    assert "clock stopped" in result.output


def noop():
    return None


def test_the_in_process_clock_starts_once_and_never_in_production(app):
    app.config["SCHEDULER_JOB_TARGETS"] = {job_id: "tests.integration.test_scheduler_clock:noop" for job_id in JOB_IDS}
    try:
        first = in_process.start(app)
        assert first is not None and in_process.start(app) is first
        assert sorted(job.id for job in first.get_jobs()) == sorted(JOB_IDS)
    finally:
        in_process.stop()
    app.config["ENV_NAME"] = "production"
    assert in_process.start(app) is None


def test_dispatch_job_uses_the_configured_sender(app):
    assert clock.DEFAULT_SENDER_FACTORY == "voice_service.messaging:get_sender"
    assert clock.DEFAULT_COMPOSER == "voice_service.messaging:compose_scheduled"


def test_the_monthly_report_job_writes_last_months_report(app, runner, time_machine):
    time_machine.move_to(london(2027, 4, 1, 6, 0, 5))  # the job's time: 06:00 on the 1st
    assert "plan-meeting-quality" in ids(due_jobs(london(2027, 3, 2, 11, 37, 5)))
    assert "monthly-report" in ids(due_jobs(london(2027, 4, 1, 6, 0, 5)))
    result = runner.invoke(args=["scheduler", "tick", "--job", "monthly-report"])
    assert result.exit_code == 0, result.output
    assert 'monthly-report: ok {"month": "2027-03"' in result.output
    folder = Path(app.config["REPORTS_DIR"]) / "2027-03"
    assert "March 2027" in (folder / "report.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in folder.glob("*.csv"))  # the tables, for spreadsheets


def test_replan_moves_pending_texts_to_new_quiet_hours_and_tick_sends_them(app, runner, time_machine):
    SENDER.calls.clear()
    evening = london(2027, 3, 1, 21, 30)
    time_machine.move_to(evening)
    invitation = invitation_for(london(2027, 3, 19, 10), evening)
    plan_invitation_messages(invitation)
    db.session.commit()
    invite = db.session.scalar(select(ScheduledMessage).where(ScheduledMessage.invitation_id == invitation.id,
                                                             ScheduledMessage.kind == "invite"))
    assert invite.due_at == london(2027, 3, 2, 8, 0)  # waits for 08:00

    app.config["QUIET_HOURS"] = "none"  # QUIET_HOURS=none in the environment
    result = runner.invoke(args=["scheduler", "replan"])
    assert result.exit_code == 0, result.output
    assert "re-planned 1 invitations; 1 changed" in result.output
    time_machine.move_to(evening + timedelta(minutes=1))  # the next tick
    result = runner.invoke(args=["scheduler", "tick", "--job", "dispatch-due-messages"])
    assert result.exit_code == 0, result.output
    assert '"sent": 1' in result.output, result.output
    assert [invitation_id for _, _, invitation_id in SENDER.calls] == [invitation.id]
    db.session.expire_all()
    assert db.session.get(ScheduledMessage, invite.id).state == "sent"
