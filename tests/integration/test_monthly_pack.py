"""The QA Executive's monthly pack: what QA download, who may, when the clock builds it, and the
exceptions report drawing its lines where the settings say."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pypdfium2
import pytest

from tests.support.insights_data import add_invited
from tests.support.scheduler import london
from tests.support.staff import sign_in_as, staff_user
from voice_service.extensions import db
from voice_service.models import LearningAction
from voice_service.scheduling.clock import JOBS, due_jobs, run_job

PACK_JOB = next(job for job in JOBS if job.id == "monthly-pack")


def _people(month: str, asked: int, gave: int, service: str = "cp", read: bool = False):
    for i in range(asked):
        invitation = add_invited(month=month, service=service, status="completed" if i < gave else "expired")
        if read:
            meeting = invitation.participant.meeting
            meeting.views_read_at = meeting.starts_at - timedelta(hours=2)


def _action(title: str, due: date, status: str = "open"):
    db.session.add(LearningAction(title=title, finding_kind="theme", finding_ref="safety", measure_id="listened_to",
                                  owner_name="Robin Testowner", due_on=due, started_on=date(2026, 9, 1), status=status))


@pytest.fixture
def november(app, time_machine):
    time_machine.move_to(london(2026, 12, 2, 9, 0))
    app.config["SUPPRESSION_THRESHOLD"] = 5
    _people("2026-10", asked=20, gave=15)
    _people("2026-11", asked=20, gave=8)   # 75% in October, 40% in November (both cells over 5)
    _action("Tell children who their new worker is", date(2026, 11, 20))
    db.session.commit()


def _pdf_text(data: bytes) -> str:
    doc = pypdfium2.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in doc)


def test_qa_download_the_pack_as_a_page_a_pdf_and_a_csv(client, november):
    sign_in_as(client, staff_user("qa", team=None))
    index = client.get("/insights/pack/").get_data(as_text=True)
    assert "November 2026" in index and "/insights/pack/2026-11.pdf" in index

    page = client.get("/insights/pack/2026-11.html")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "QA Executive monthly pack: November 2026" in html
    assert "Response rate fell" in html and "75% last month, 40% this month" in html
    assert "Actions past their due date" in html and "Tell children who their new worker is" in html
    assert "Views not read before meetings: Child protection" in html  # nobody marked them read
    assert "<svg" in html  # the charts

    pdf = client.get("/insights/pack/2026-11.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    text = _pdf_text(pdf.data)
    assert "Exceptions report" in text and "Response rate fell" in text

    got = client.get("/insights/pack/2026-11.csv")
    assert got.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(got.get_data(as_text=True))))
    assert rows[0] == ["section", "group", "measure", "value"]
    assert any(r[0] == "exception" and r[2] == "Response rate fell" for r in rows)
    assert ["highlight", "Child protection", "response rate", "40.0%"] in rows


def test_a_month_not_over_yet_is_not_a_pack(client, november):
    sign_in_as(client, staff_user("admin", team=None))
    assert client.get("/insights/pack/2026-12.html").status_code == 404
    assert client.get("/insights/pack/2026-11.docx").status_code == 404
    assert client.get("/insights/pack/2026-11.html").status_code == 200


@pytest.mark.parametrize("role", ["worker", "family_advisory", "chair"])
def test_the_pack_is_refused_to_everyone_but_qa_and_admins(client, november, role):
    sign_in_as(client, staff_user(role, team=None if role == "family_advisory" else "north"))
    assert client.get("/insights/pack/").status_code == 403
    assert client.get("/insights/pack/2026-11.pdf").status_code == 403


def test_no_exception_when_nothing_crosses_a_line(client, app, time_machine):
    time_machine.move_to(london(2026, 12, 2, 9, 0))
    _people("2026-10", asked=20, gave=15)
    _people("2026-11", asked=20, gave=14, read=True)   # 75% then 70%: a fall of 5 points
    _action("Finished on time", date(2026, 11, 20), status="done")
    _action("Due next month", date(2026, 12, 20))
    db.session.commit()
    sign_in_as(client, staff_user("qa", team=None))
    html = client.get("/insights/pack/2026-11.html").get_data(as_text=True)
    assert "No exceptions this month" in html, re.findall(r"<h3>([^<]*)</h3><p>([^<]*)</p>", html)
    assert "Response rate fell" not in html and "Actions past their due date" not in html


def test_the_line_is_the_setting(client, app, november):
    app.config["PACK_RESPONSE_DROP_POINTS"] = 70   # a fall of 35 points is now within the line
    app.config["PACK_ACTIONS_PAST_DUE_MAX"] = 1
    sign_in_as(client, staff_user("qa", team=None))
    html = client.get("/insights/pack/2026-11.html").get_data(as_text=True)
    assert "Response rate fell" not in html and "Actions past their due date" not in html


def test_the_clock_builds_the_pack_on_the_first_working_day_not_on_new_years_day(app, time_machine, tmp_path):
    app.config["REPORTS_DIR"] = str(tmp_path / "reports")
    _people("2025-12", asked=6, gave=5)
    db.session.commit()
    folder = tmp_path / "reports" / "2025-12"
    # Thursday 1 January 2026 is a bank holiday: the clock looks, and builds nothing.
    time_machine.move_to(london(2026, 1, 1, 6, 30, 5))
    assert PACK_JOB in due_jobs(london(2026, 1, 1, 6, 30, 5))
    ok, result = run_job(app, PACK_JOB)
    assert ok and result["built"] is False and not folder.exists()
    # Friday 2 January is the first working day: last month's pack in three formats.
    time_machine.move_to(london(2026, 1, 2, 6, 30, 5))
    ok, result = run_job(app, PACK_JOB)
    assert ok and result == {"built": True, "month": "2025-12", "files": ["pack.csv", "pack.html", "pack.pdf"]}
    assert (folder / "pack.pdf").read_bytes().startswith(b"%PDF")
    # Monday 5 January: built already, and not the first working day.
    time_machine.move_to(london(2026, 1, 5, 6, 30, 5))
    assert run_job(app, PACK_JOB)[1]["built"] is False


def test_the_clock_waits_for_monday_when_the_month_starts_at_a_weekend(app, time_machine, tmp_path):
    app.config["REPORTS_DIR"] = str(tmp_path / "reports")
    time_machine.move_to(london(2026, 8, 1, 6, 30, 5))  # Saturday
    assert run_job(app, PACK_JOB)[1]["built"] is False
    time_machine.move_to(london(2026, 8, 3, 6, 30, 5))  # Monday
    assert run_job(app, PACK_JOB)[1] == {"built": True, "month": "2026-07",
                                         "files": ["pack.csv", "pack.html", "pack.pdf"]}


