"""When the clock builds the QA Executive's pack, and building it into REPORTS_DIR/<month>/.

The clock looks at 06:30 on each of the first seven days of the month (London time); the job
builds only on the month's first working day (weekends and England and Wales bank holidays,
as the planner knows them, are not working days), for the month just ended.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app, render_template

from voice_service.scheduling.calendar import LONDON, is_working_day


def first_working_day(year: int, month: int) -> date:
    day = date(year, month, 1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def render_pack_html(pack) -> str:
    return render_template("reports/pack.html", pack=pack)


def build_and_store(month: str, as_of: datetime | None = None) -> list:
    from voice_service.analysis import pack as pack_module

    built = pack_module.build_pack(month, current_app.config, as_of=as_of)
    files = pack_module.render_all(built, render_pack_html)
    return pack_module.write_pack(files, pack_module.folder_for(current_app.config["REPORTS_DIR"], month))


def monthly_pack_job(now: datetime | None = None) -> dict:
    """The clock's `monthly-pack` job. Returns what it did (or why it did nothing today)."""
    from voice_service.models import utcnow

    now = now or utcnow()
    today = now.astimezone(LONDON).date()
    first = first_working_day(today.year, today.month)
    if today != first:
        return {"built": False, "reason": f"the first working day is {first.isoformat()}"}
    month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    paths = build_and_store(month, as_of=now)
    return {"built": True, "month": month, "files": sorted(p.name for p in paths)}
