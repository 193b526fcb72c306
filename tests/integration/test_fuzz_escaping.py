"""Respondent text is shown escaped on every page and file that shows it, and no spreadsheet cell
we write can run as a formula.

One hostile answer (script, attribute break-out, Jinja expressions and statements, SQL, a formula)
is given by web, by SMS and as a quote, then every surface is read: the person's own check page
and chat, the chair's meeting page and print view, the alert page, the review queue, the trends
page, the monthly report (HTML and CSV), the subject access export, the dev SMS simulator.
"""
from __future__ import annotations

import csv
import io
import json

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.factories import make_invitation, make_meeting, make_participant
from tests.support.insights_data import add_answer, approve_every_quote
from tests.support.staff import sign_in_as, staff_user
from tests.support.sms import new_sid, signed_post, twilio_params
from voice_service.analysis.report import csv_safe
from tests.support.answers import save_answer_and_commit
from voice_service.extensions import db

PAYLOAD = ('<script>alert("x")</script> "><img src=x onerror=alert(1)> {{ 1234*5 }} '
           "{% if true %}RAN{% endif %} '; DROP TABLE answer; -- =HYPERLINK(\"http://x.invalid\")")
NAME = '<b>Dana</b>"><script>alert(2)</script>'
RAW = ("<script>alert(", "<img src=x", "<b>Dana</b>", "<script>alert(2)")
ESCAPED = "&lt;script&gt;alert("
SURVEY = "cp_conference_parent"
NOW = "2026-11-20 12:00:00+00:00"


def assert_escaped(html: str, where: str, expect_words: bool = True) -> None:
    for raw in RAW:
        assert raw not in html, f"{where}: {raw!r} reached the page unescaped"
    assert "6170" not in html and "RAN{%" not in html.replace("RAN{% endif %}", ""), f"{where}: a template ran the answer"
    if expect_words:
        assert ESCAPED in html, f"{where}: the words are not shown (escaped) at all"
        assert "{{ 1234*5 }}" in html, f"{where}: the braces were not shown as written"


@pytest.fixture
def hostile_meeting(app):
    meeting = make_meeting(days_ahead=3, team="north")
    parent = make_participant(meeting, role="parent", name=NAME, phone="+447700900131")
    invitation, token = make_invitation(parent, SURVEY)
    save_answer_and_commit(invitation, "worries", free_text=PAYLOAD, channel="web")
    save_answer_and_commit(invitation, "going_well", free_text="my dad hits me " + PAYLOAD, channel="web")  # raises an alert
    invitation.visibility = "meeting"
    db.session.commit()
    return meeting, invitation, token


def test_the_persons_own_pages_show_their_words_escaped(client, hostile_meeting):
    _meeting, _invitation, token = hostile_meeting
    assert_escaped(client.get(f"/r/{token}/check").get_data(as_text=True), "check page")


def test_the_chat_shows_the_persons_words_escaped(client, app):
    from tests.support.public_survey import csrf, install_test_survey, invite

    install_test_survey(app)
    _invitation, token = invite()
    page = client.get(f"/r/{token}/chat").get_data(as_text=True)
    for message in ("1", PAYLOAD):  # a face, then its free-text follow-up: "Why do you feel like that?"
        page = client.post(f"/r/{token}/chat", data={"csrf_token": csrf(page), "message": message}).get_data(as_text=True)
    assert_escaped(page, "chat")


def test_the_chairs_meeting_page_print_view_and_alert_show_words_escaped(client, hostile_meeting):
    meeting, invitation, _token = hostile_meeting
    chair = staff_user("chair", team="north")
    db.session.commit()
    sign_in_as(client, chair)
    page = client.get(f"/staff/meetings/{meeting.meeting_ref}")
    assert page.status_code == 200
    assert_escaped(page.get_data(as_text=True), "meeting page")
    assert_escaped(client.get(f"/staff/meetings/{meeting.meeting_ref}/print").get_data(as_text=True), "print view")
    from voice_service.models import SafeguardingAlert

    alert = db.session.query(SafeguardingAlert).one()
    assert_escaped(client.get(f"/staff/alerts/{alert.id}").get_data(as_text=True), "alert page")
    assert_escaped(client.get("/staff/alerts").get_data(as_text=True), "alerts inbox", expect_words=False)


@pytest.fixture
def october():
    with time_machine.travel(NOW, tick=False):
        for i in range(6):  # enough for a theme to be shown, with a quote
            add_answer(month="2026-10", text=f"{PAYLOAD} {i}", redacted=f"{PAYLOAD} {i}", themes=("safety",),
                       visibility="meeting")
        approve_every_quote()
        db.session.commit()
        yield


def test_the_review_queue_and_trends_page_show_quotes_escaped(client, october):
    qa = staff_user("qa", team=None)
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        sign_in_as(client, qa)
        queue = client.get("/insights/review").get_data(as_text=True)
        assert_escaped(queue, "review queue")
        from voice_service.models import Answer

        answer_id = db.session.query(Answer.id).first()[0]
        assert_escaped(client.get(f"/insights/review/{answer_id}").get_data(as_text=True), "review page")
        trends = client.get("/insights/?period=3").get_data(as_text=True)
        assert_escaped(trends, "trends page")


def test_the_monthly_report_html_escapes_and_its_csv_cannot_run_formulas(runner, october, tmp_path):
    out = tmp_path / "report"
    with time_machine.travel(NOW, tick=False):
        result = runner.invoke(args=["report", "monthly", "--month", "2026-10", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert_escaped((out / "report.html").read_text(encoding="utf-8"), "report.html")
    quotes = _rows(out / "quotes.csv")
    cells = [cell for row in quotes[1:] for cell in row]
    assert any(PAYLOAD in cell for cell in cells), "the quote is missing from quotes.csv"
    for path in out.glob("*.csv"):
        for row in _rows(path):
            for cell in row:
                assert not _runs_as_formula(cell), (path.name, cell)


def _rows(path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh, strict=True))


def test_the_subject_access_export_holds_the_words_exactly(runner, hostile_meeting, tmp_path):
    _meeting, invitation, _token = hostile_meeting
    target = tmp_path / "export.json"
    result = runner.invoke(args=["person", "export", "--participant-id", str(invitation.participant_id),
                                 "--out", str(target), "--requested-by", "test"])
    assert result.exit_code == 0, result.output
    text = json.dumps(json.loads(target.read_text(encoding="utf-8")), ensure_ascii=False)
    assert json.dumps(PAYLOAD, ensure_ascii=False)[1:-1] in text  # exactly what was written, as JSON text


def test_the_dev_sms_simulator_shows_texts_escaped(client, app):
    make_invitation(make_participant(make_meeting(), phone="+447700900132", channel="sms"), SURVEY, channel="sms")
    signed_post(client, "/sms/inbound", twilio_params(PAYLOAD, sender="+447700900132", sid=new_sid()))
    page = client.get("/dev/sms?phone=%2B447700900132")
    assert page.status_code == 200
    assert_escaped(page.get_data(as_text=True), "SMS simulator")


def _write_csv(buffer, rows) -> None:
    """The report's own CSV writing (report.csv_text), so the property covers its quoting too."""
    from voice_service.analysis.report import csv_text

    buffer.write(csv_text(rows))


def _runs_as_formula(cell: str) -> bool:
    """What a spreadsheet would run: a cell starting = + - @ (or tab/CR), unless a plain number."""
    import re

    return cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"[+-]?\d+(?:\.\d+)?%?", cell)


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none()))
def test_no_csv_cell_can_run_as_a_formula_and_words_survive(value):
    cell = csv_safe(value)
    assert not _runs_as_formula(cell), cell
    buffer = io.StringIO()
    _write_csv(buffer, [[cell]])
    (back,) = csv.reader(io.StringIO(buffer.getvalue(), newline=""), strict=True)
    assert back == [cell]  # the file holds the cell exactly
    if isinstance(value, str):
        assert cell in (value, "'" + value)  # nothing lost but the neutralising quote


def test_a_quote_with_a_carriage_return_stays_one_cell_so_no_formula_hides_behind_it():
    """Found by the property above: with "\\n" line ends, a cell holding a lone CR was written
    unquoted, so a spreadsheet split the row there and "=..." after the CR became a cell of its own."""
    from voice_service.analysis.report import csv_text

    text = csv_text([["safety", "I feel safe\r=HYPERLINK(\"http://x.invalid\")"]])
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    assert rows == [["safety", "I feel safe\r=HYPERLINK(\"http://x.invalid\")"]]
    assert text.startswith('safety,"I feel safe')  # quoted: one cell, however a spreadsheet reads line ends
