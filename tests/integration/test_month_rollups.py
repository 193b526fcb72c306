"""The counts of closed months kept for the trends pages (analysis/rollups.py): the pages show
the same figures from kept counts as from counting everything, and a change to a closed month
shows at once (answers and theme tags) or by the next day's recount (everything else)."""
from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import func, select, text

from tests.support.factories import make_invitation, make_meeting, make_participant
from tests.support.insights_data import add_answer, add_invited, moment
from voice_service.analysis import queries, rollups, trends
from voice_service.analysis.review import Decision, apply_review
from voice_service.answers import save_answer
from voice_service.extensions import db
from voice_service.learning.scorecard_queries import answer_rows
from voice_service.models import MonthRollup, ThemeTag
from tests.support.factories import make_user

NOW = "2026-11-20 12:00:00+00:00"
PARTS = ("coverage", "themes", "sentiment", "confirmation", "scorecard")
# on 20 November: 25 closed months and the 19 closed days of November, for each part
EVERY_PERIOD = len(PARTS) * (25 + 19)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def counted_live(part: str, first: str, last: str) -> list[dict]:
    """What counting everything again gives, the way the pages did before any period was kept."""
    window = queries.bounds(first, last)
    if part == "scorecard":
        from voice_service.learning import scorecard

        return answer_rows(*window, scorecard.question_ids(scorecard.measures()))
    if part == "coverage":  # kept as margins, by each dimension on its own
        return trends.coverage_margins(queries.coverage_rows(*window))
    return {"themes": queries.theme_rows, "sentiment": queries.sentiment_rows,
            "confirmation": queries.confirmation_rows}[part](*window)


def totals(rows: list[dict], key: str) -> dict:
    out: dict = {}
    for row in rows:
        out[row[key]] = out.get(row[key], 0) + int(row["n"])
    return out


def canonical(rows: list[dict]) -> list[tuple]:
    """Rows as a sorted list of (group, count): kept months and live ones come back in any order,
    and a group with no month in its key (coverage) may come once per month."""
    summed: dict[tuple, int] = {}
    for row in rows:
        group = tuple(sorted((k, str(v)) for k, v in row.items() if k != "n"))
        summed[group] = summed.get(group, 0) + int(row["n"])
    return sorted(summed.items())


@pytest.fixture
def three_months(app):
    for month, themes in (("2026-09", ("safety",)), ("2026-10", ("safety", "education")), ("2026-11", ("education",))):
        for i in range(3):
            add_answer(month=month, text=f"words {month} {i}", themes=themes, sentiment="positive" if i else "negative")
        add_invited(month=month, role="parent", status="expired")
    db.session.commit()


def test_kept_counts_give_the_same_figures_as_counting_everything(three_months):
    counted = rollups.refresh()
    assert counted == EVERY_PERIOD  # every kept period of every part, the first time
    stored = db.session.scalar(select(MonthRollup).where(MonthRollup.kind == "themes", MonthRollup.period == "2026-10"))
    assert stored is not None and totals(stored.rows, "theme") == {"safety": 3, "education": 3}
    for part in PARTS:
        assert canonical(rollups.rows(part, "2026-09", "2026-11")) == canonical(counted_live(part, "2026-09", "2026-11")), part
    assert rollups.refresh() == 0  # nothing changed, nothing counted again


def test_kept_periods_are_what_the_page_reads_until_the_daily_recount(three_months):
    rollups.refresh()
    # a change no flush sees (as a bulk import would make) in October and on 10 November
    db.session.execute(text("UPDATE theme_tag SET theme_id = 'family_contact'"))
    db.session.commit()
    shown = totals(rollups.rows("themes", "2026-10", "2026-11"), "theme")
    assert shown == {"safety": 3, "education": 6}  # October and 10 November as kept
    with time_machine.travel("2026-11-21 12:30:00+00:00", tick=False):  # the next day's recount
        assert rollups.refresh() == EVERY_PERIOD + len(PARTS)  # and 20 November, now closed
        assert totals(rollups.rows("themes", "2026-10", "2026-11"), "theme") == {"family_contact": 9}


def test_a_review_of_an_answer_from_a_closed_month_shows_at_once(three_months, app):
    rollups.refresh()
    reviewer = make_user(role="qa")
    tag = db.session.scalar(select(ThemeTag).where(ThemeTag.theme_id == "education").join(ThemeTag.answer)
                            .where(ThemeTag.answer.has(question_id="going_well")).order_by(ThemeTag.id))
    answer = tag.answer
    assert queries.month_key(answer.received_at) == "2026-10" and answer.sentiment == "negative"
    with app.test_request_context():
        apply_review(answer, reviewer, Decision(themes=("safety",), sentiment="neutral", safeguarding=False))
    db.session.commit()
    themes = totals(rollups.rows("themes", "2026-10", "2026-10"), "theme")
    assert themes == {"safety": 3, "education": 2}  # the reviewer took education off one answer
    # the first of October's answers, the negative one, is now neutral
    assert totals(rollups.rows("sentiment", "2026-10", "2026-10"), "sentiment") == {"positive": 2, "neutral": 1}
    assert rollups.refresh() == len(PARTS)  # October counted again, every part; nothing else


def test_an_answer_changed_after_its_month_closed_is_counted_once_in_the_month_it_was_changed(app):
    meeting = make_meeting(days_ahead=30)
    mum = make_participant(meeting, role="parent", name="Rhea Lantern", phone="+447700900412")
    invitation, _ = make_invitation(mum, "parent_survey_for_tests")
    with time_machine.travel("2026-10-25 09:00:00+00:00", tick=False):
        save_answer(invitation, "what_matters", free_text="I am happy with how the school helps us", channel="web")
        db.session.commit()
    rollups.refresh()
    assert sum(totals(rollups.rows("sentiment", "2026-10", "2026-10"), "sentiment").values()) == 1
    save_answer(invitation, "what_matters", free_text="Things got worse at school this month", channel="web")
    db.session.commit()
    assert sum(totals(rollups.rows("sentiment", "2026-10", "2026-10"), "sentiment").values()) == 0
    assert sum(totals(rollups.rows("sentiment", "2026-11", "2026-11"), "sentiment").values()) == 1
    assert canonical(rollups.rows("sentiment", "2026-10", "2026-11")) == canonical(counted_live("sentiment", "2026-10", "2026-11"))


def test_the_clock_job_counts_and_reports_how_many(three_months, app):
    from voice_service.scheduling.clock import JOBS, run_job

    job = next(j for j in JOBS if j.id == "count-closed-months")
    ok, result = run_job(app, job)
    assert ok and result == {"periods_counted": EVERY_PERIOD}
    ok, result = run_job(app, job)
    assert ok and result == {"periods_counted": 0}


def test_the_clock_keeps_the_last_25_closed_months_and_this_months_closed_days(app):
    from datetime import datetime, timezone

    periods = rollups.kept_periods(datetime(2026, 11, 3, 12, tzinfo=timezone.utc))
    assert periods[0] == "2024-10" and periods[24] == "2026-10" and periods[25:] == ["2026-11-01", "2026-11-02"]


def test_this_months_closed_days_are_kept_and_today_is_live(three_months):
    rollups.refresh()
    assert db.session.scalar(select(MonthRollup).where(MonthRollup.kind == "themes", MonthRollup.period == "2026-11-10"))
    db.session.execute(text("UPDATE theme_tag SET theme_id = 'family_contact'"))  # unseen by any flush
    db.session.commit()
    add_answer(month="2026-11", day=20, text="said today", themes=("education",))
    db.session.commit()
    # the 10th's three answers as kept, and today's new one live
    assert totals(rollups.rows("themes", "2026-11", "2026-11"), "theme") == {"education": 4}
    with time_machine.travel("2026-12-01 00:20:00+00:00", tick=False):  # November has closed
        rollups.refresh()
        assert db.session.scalar(select(func.count()).select_from(MonthRollup).where(
            func.length(MonthRollup.period) == 10)) == 0  # its days gave way to the month
        assert totals(rollups.rows("themes", "2026-11", "2026-11"), "theme") == {"family_contact": 3, "education": 1}


def test_a_late_change_to_a_closed_day_of_this_month_shows_at_once(three_months, app):
    rollups.refresh()
    tag = db.session.scalar(select(ThemeTag).join(ThemeTag.answer).where(ThemeTag.answer.has(received_at=moment("2026-11")))
                            .order_by(ThemeTag.id))
    tag.theme_id = "identity_culture"
    db.session.commit()
    assert totals(rollups.rows("themes", "2026-11", "2026-11"), "theme") == {"education": 2, "identity_culture": 1}
    assert rollups.refresh() == len(PARTS)  # the 10th of November again, every part
