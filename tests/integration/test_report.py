"""`flask report monthly`: what a QA officer looks for in the HTML and the CSV files."""
from __future__ import annotations

import csv
import re
from datetime import timedelta

import pytest

from tests.support.factories import make_user
from tests.support.insights_data import add_answer, approve_every_quote, add_invited, moment
from voice_service.extensions import db
from voice_service.models import Action, SafeguardingAlert

PHONE_RE = re.compile(r"\b07700\s?9\d\d\s?\d{3}\b|\+447700")


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


@pytest.fixture
def out(tmp_path):
    return tmp_path / "out"   # tmp_path itself holds the app's instance folder


@pytest.fixture
def october():
    qa = make_user(role="qa")
    for i in range(12):
        add_answer(month="2026-10", text=f"I feel safe at my nan's now {i}", themes=("safety",), visibility="meeting")
    for i in range(7):
        add_answer(month="2026-09", text=f"safe {i}", themes=("safety",))
    for i in range(6):
        add_answer(month="2026-10", text=f"school is better now {i}", themes=("education",), visibility="chair_only",
                   role="parent")
    # A quote written to attack a spreadsheet.
    add_answer(month="2026-10", text="=HYPERLINK(\"http://x.invalid\",\"click\") feel safe", themes=("safety",), visibility="meeting")
    for _ in range(6):
        add_invited(month="2026-10", role="parent", status="expired")
    for _ in range(5):
        add_invited(month="2026-10", role="child", status="declined")
    flagged = add_answer(month="2026-10", text="my dad hits me, ring 07700 900555", themes=("safety",), flagged=True,
                         sentiment="negative")
    alert = db.session.query(SafeguardingAlert).filter_by(answer_id=flagged.id).one()
    alert.raised_at = moment("2026-10", 10, 9)
    alert.acknowledged_at = alert.raised_at + timedelta(minutes=30)
    alert.actioned_at = alert.raised_at + timedelta(hours=4)
    alert.status = "actioned"
    second = add_answer(month="2026-10", text="i want to die", themes=("health_wellbeing",), flagged=True, sentiment="negative")
    alert2 = db.session.query(SafeguardingAlert).filter_by(answer_id=second.id).one()
    alert2.raised_at = moment("2026-10", 11, 9)
    alert2.acknowledged_at = alert2.raised_at + timedelta(minutes=90)
    alert2.status = "acknowledged"
    shared = add_answer(month="2026-10", text="I want to see my sister Tilly Quince", themes=("family_contact",))
    meeting = shared.invitation.participant.meeting
    db.session.add(Action(meeting_id=meeting.id, invitation_id=shared.invitation.id, answer_id=shared.id,
                          point="Tilly Quince wants to see her sister", decision="Contact every Saturday at the family centre",
                          recorded_by_id=qa.id, recorded_at=moment("2026-10", 20)))
    approve_every_quote()
    db.session.commit()


def run(runner, out, *extra):
    return runner.invoke(args=["report", "monthly", "--month", "2026-10", "--out", str(out), *extra])


def test_the_report_has_what_a_qa_officer_looks_for(runner, out, october):
    result = run(runner, out)
    assert result.exit_code == 0, result.output
    assert "report 2026-10: themes" in result.stderr              # progress on standard error
    assert str(out / "report.html") in result.stdout
    html = (out / "report.html").read_text()
    assert "Monthly audit report: October 2026" in html and "Compared with September 2026" in html
    assert "<script" not in html and "<link" not in html           # one self-contained file to print
    assert "@page" in html

    themes = {row[0]: row[1:] for row in read_csv(out / "themes.csv")}
    assert themes["theme"] == ["answers 2026-10", "answers 2026-09", "change"]
    assert themes["Feeling safe"] == ["14", "7", "7"]             # 12 + the spreadsheet one + the flagged one
    assert themes["School and learning"] == ["6", "[c]", "[c]"]
    assert themes["Identity and culture"] == ["[c]", "[c]", "[c]"]

    coverage = read_csv(out / "coverage.csv")
    assert coverage[0] == ["breakdown", "group", "asked", "gave views", "did not", "response rate"]
    role = {row[1]: row[2:] for row in coverage if row[0] == "Who was asked"}
    assert role["Parent"] == ["12", "6", "6", "50.0%"]
    assert role["Child or young person"] == ["21", "16", "5", "76.2%"]
    assert role["Total"] == ["33", "22", "11", "66.7%"]

    safeguarding = dict(read_csv(out / "safeguarding.csv")[1:])
    assert safeguarding["alerts raised"] == "2" and safeguarding["acknowledged"] == "2"
    assert safeguarding["acknowledged within 60 minutes"] == "1"
    assert safeguarding["median minutes to acknowledge"] == "60"
    assert safeguarding["median minutes to action"] == "240"
    assert "Alerts raised" in html

    quotes = read_csv(out / "quotes.csv")
    texts = [row[2] for row in quotes[1:]]
    assert any(t.startswith("I feel safe at my nan's now") for t in texts)
    assert not any("school is better" in t for t in texts)        # did not allow sharing
    assert not any("dad hits me" in t or "want to die" in t for t in texts)  # never a possible disclosure

    actions = read_csv(out / "actions.csv")
    assert actions[-1] == ["Total", "[c]"]                       # one action: a small number
    assert "Contact every Saturday at the family centre" in html
    assert "Tilly" not in html and "Quince" not in html         # names taken out of the example

    confirmation = dict(read_csv(out / "confirmation.csv")[1:])
    assert confirmation["share confirmed"] == "0.0%"
    for path in out.iterdir():
        text = path.read_text()
        assert not PHONE_RE.search(text), (path.name, PHONE_RE.search(text))


def test_spreadsheet_formulas_in_quotes_are_neutralised(runner, out, october):
    assert run(runner, out).exit_code == 0
    cells = [cell for path in out.glob("*.csv") for row in read_csv(path) for cell in row]
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    assert not any(c[:1] in ("=", "+", "@") for c in cells)
    assert not any(c.startswith("-") and not re.fullmatch(r"-\d+", c) for c in cells)


def test_default_folder_is_reports_dir_by_month(runner, app, october):
    result = runner.invoke(args=["report", "monthly", "--month", "2026-10"])
    assert result.exit_code == 0, result.output
    folder = app.config["REPORTS_DIR"] + "/2026-10"
    assert f"{folder}/report.html" in result.stdout


@pytest.mark.parametrize("month", ["2026-13", "October", "2026-1", ""])
def test_a_bad_month_is_refused_with_a_clear_message(runner, out, month):
    result = run_month(runner, out, month)
    assert result.exit_code == 2
    assert "use the form YYYY-MM, like 2026-10" in result.output
    assert not out.exists()                                      # nothing written


def run_month(runner, out, month):
    return runner.invoke(args=["report", "monthly", "--month", month, "--out", str(out)])


def test_an_empty_month_still_writes_a_report_that_says_so(runner, out):
    result = run(runner, out)
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text()
    assert "Every figure about answers this month is hidden" in html
    assert "No quotes this month" in html
