"""The trends page: what the Family Advisory Group and QA see, and what they must never see."""
from __future__ import annotations

import re

import pytest
import time_machine

from tests.support.factories import make_user
from tests.support.insights_data import add_answer, approve_every_quote, add_invited
from voice_service.extensions import db
from sqlalchemy import func, select

from voice_service.models import Answer, utcnow

NOW = "2026-11-20 12:00:00+00:00"
PHONE_RE = re.compile(r"(?:\+44|\b0)7\d{3}\s?\d{3}\s?\d{3}\b|\b07700")
EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
POSTCODE_RE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b")
DAY_RE = re.compile(r"\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b|\b20\d\d-\d\d-\d\d\b")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def sign_in(client, role):
    user = make_user(role=role)
    db.session.commit()
    with client.session_transaction() as s:
        s["user_id"] = user.id
        s["seen"] = utcnow().timestamp()
    return user


def numeric_cells(html: str) -> list[str]:
    return [c.strip() for c in re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]*)</td>', html)]


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def october():
    """Answers for October: enough to show some figures, with traps that must never be shown."""
    for i in range(8):
        add_answer(text=f"I feel safe with my carer Zara Quill, ring 07700 900{i:03d}", redacted=f"I feel safe with my carer [name], ring [phone] ({i})",
                   themes=("safety",), visibility="meeting")
    for i in range(6):  # did not allow sharing: counted, never quoted
        add_answer(text=f"Secret words about school number {i}", themes=("education",), visibility="chair_only")
    for i in range(6):  # chose nothing: counted, never quoted
        add_answer(text=f"Undecided words about school number {i}", themes=("education",), visibility=None)
    for i in range(2):  # a theme under the threshold: never a quote, never its count
        add_answer(text=f"Nobody understands our culture at all {i}", themes=("identity_culture",), visibility="meeting")
    add_answer(text="he hits me and said keep it secret", themes=("safety",), visibility="meeting", flagged=True,
               sentiment="negative")
    for _ in range(5):
        add_invited(role="parent", status="expired")
    approve_every_quote()
    db.session.commit()


def test_family_advisory_group_sees_trends_and_only_shareable_redacted_quotes(client, october):
    sign_in(client, "family_advisory")
    response = client.get("/insights/?period=3")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "September 2026 to November 2026" in html
    assert "I feel safe with my carer [name], ring [phone]" in html          # a shareable, redacted quote
    assert "Secret words" not in html and "Undecided words" not in html     # no consent to share
    assert "culture at all" not in html                                      # its theme is under the threshold
    assert "keep it secret" not in html                                      # a possible disclosure is never quoted
    assert "Zara" not in html and "Quill" not in html and "Zebedee" not in html
    text = visible_text(html)
    assert not PHONE_RE.search(text), PHONE_RE.search(text)
    assert not EMAIL_RE.search(text), EMAIL_RE.search(text)
    assert not POSTCODE_RE.search(text), POSTCODE_RE.search(text)
    assert "CASE-Q" not in html and "MTG-Q" not in html                     # no case or meeting references
    assert not DAY_RE.search(text), DAY_RE.search(text)                     # nothing finer than a month
    assert "/staff/meetings/" not in html and "/insights/review/" not in html  # no drill-down to an answer


def test_no_number_under_the_threshold_is_shown(client, october):
    sign_in(client, "family_advisory")
    html = client.get("/insights/?period=3").get_data(as_text=True)
    cells = numeric_cells(html)
    assert cells, "the page has tables"
    counts = [c for c in cells if c != "[c]" and not c.endswith("%")]
    assert counts and all(int(c.replace(",", "")) >= 5 for c in counts), counts
    assert "[c]" in cells
    # The identity theme has 2 answers: its row is hidden everywhere it appears.
    row = re.search(r"Identity and culture</th>(.*?)</tr>", html, re.S).group(1)
    assert "2" not in re.findall(r">([^<]*)<", row)


def test_the_threshold_is_a_setting(client, october, app):
    app.config["SUPPRESSION_THRESHOLD"] = 10
    app.config["INSIGHTS_CACHE_SECONDS"] = 0
    sign_in(client, "qa")
    html = client.get("/insights/?period=3").get_data(as_text=True)
    counts = [c for c in numeric_cells(html) if c != "[c]" and not c.endswith("%")]
    assert all(int(c.replace(",", "")) >= 10 for c in counts)
    assert "every number under 10 is hidden" in html


def test_charts_come_with_words_and_a_table(client, october):
    sign_in(client, "family_advisory")
    html = client.get("/insights/?period=3").get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img"' in html
    assert "<title id=\"chart-themes-title\">Answers by theme</title>" in html
    assert "Answers by theme: the highest is School and learning (12) and the lowest shown is Feeling safe (9)" in html
    assert "Show the figures in this chart as a table" in html
    main = html[html.index("<main"):html.index("</main>")]
    assert "<script" not in main                                             # the charts need no JavaScript


def test_small_numbers_say_plainly_that_everything_is_hidden(client):
    for i in range(3):
        add_answer(text=f"I like my school {i}", themes=("education",))
    db.session.commit()
    sign_in(client, "family_advisory")
    html = client.get("/insights/?period=1").get_data(as_text=True)
    assert "Every figure for November 2026 is hidden" in html or "is hidden." in html
    assert "does not make up figures" in html


def test_a_bad_period_is_refused_clearly(client, october):
    sign_in(client, "qa")
    response = client.get("/insights/?period=99")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html and "Choose a period from the list" in html


@pytest.mark.parametrize("role,status", [("family_advisory", 200), ("qa", 200), ("admin", 200), ("chair", 403), ("worker", 403)])
def test_who_may_see_trends(client, role, status):
    sign_in(client, role)
    assert client.get("/insights/").status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/insights/")
    assert response.status_code == 302 and "/staff/sign-in" in response.headers["Location"]


def test_family_advisory_group_cannot_open_the_review_queue(client, october):
    sign_in(client, "family_advisory")
    assert client.get("/insights/review").status_code == 403
    answer_id = db.session.scalar(select(func.min(Answer.id)))
    assert client.get(f"/insights/review/{answer_id}").status_code == 403
    html = client.get("/insights/").get_data(as_text=True)
    assert "Review queue" not in html
