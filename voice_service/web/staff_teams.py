"""The team managers' weekly view, on the staff blueprint: /staff/teams/week[?week=YYYY-MM-DD].

Counts per team (voice_service.team_week), never a name or an answer. Admins, QA and chairs see
every team; a worker sees their own.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import render_template, request

from voice_service import auth, team_week
from voice_service.meetings.rules import MEETING_ROLES
from voice_service.models import utcnow
from voice_service.web.staff import bp


def _day() -> date:
    today = utcnow().astimezone(team_week.LONDON).date()
    try:
        return date.fromisoformat(request.args.get("week", ""))
    except ValueError:
        return today


@bp.get("/teams/week")
def team_week_page():
    auth.require_role(*MEETING_ROLES)
    user = auth.current_user()
    day = _day()
    start, end = team_week.week_bounds(day)
    monday = start.date()
    this_monday = team_week.week_bounds(utcnow().astimezone(team_week.LONDON).date())[0].date()
    return render_template(
        "staff/team_week.html", rows=team_week.team_week(user, day), monday=monday, sunday=end.date() - timedelta(days=1),
        previous=(monday - timedelta(days=7)).isoformat(),
        following=(monday + timedelta(days=7)).isoformat() if monday < this_monday else None,
        age_words=team_week.age_words, due_days=team_week.OUTCOME_DUE_DAYS, own_team=user.role == "worker",
        page_title="Teams this week")
