"""The QA Executive's monthly pack on the web (qa and admin only).

/insights/pack/                       the packs the clock has built, newest first
/insights/pack/<month>.<html|pdf|csv> one pack, as a download; a month the clock has not built
                                      yet (a past month only) is built and stored on first asking
Each download is written to the audit log.
"""
from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, render_template, send_file, url_for

from voice_service import audit, auth
from voice_service.analysis import pack, report, trends
from voice_service.analysis.pack_job import build_and_store
from voice_service.extensions import db
from voice_service.models import utcnow
from voice_service.web.insights import insights_context

bp = Blueprint("pack", __name__, url_prefix="/insights/pack")
PACK_ROLES = ("qa", "admin")
MIMETYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}
# The stored HTML pack is one self-contained file with its print style inline (it must read the
# same when saved and opened elsewhere). The site's policy (style-src 'self') would show it
# unstyled; this one lets its inline style apply and nothing else: no script, no request out.
STORED_DOCUMENT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
                       "form-action 'none'; frame-ancestors 'none'")


@bp.context_processor
def pack_context():
    return insights_context()


def _last_month() -> str:
    now = utcnow().astimezone(report.queries.LONDON)
    return trends.previous_month(f"{now.year}-{now.month:02d}")


@bp.get("/")
def index():
    auth.require_role(*PACK_ROLES)
    months = pack.stored_months(current_app.config["REPORTS_DIR"])
    last = _last_month()
    return render_template("insights/pack.html", months=months, last_month=last,
                           labels={m: trends.month_label(m) for m in [*months, last]},
                           page_title="QA Executive monthly pack")


@bp.get("/<month>.<fmt>")
def download(month: str, fmt: str):
    auth.require_role(*PACK_ROLES)
    try:
        month = report.parse_month(month)
    except ValueError:
        abort(404)
    if fmt not in pack.FILES or month > _last_month():
        abort(404)
    folder = pack.folder_for(current_app.config["REPORTS_DIR"], month)
    path = folder / pack.FILES[fmt]
    if not path.is_file():
        build_and_store(month)
    audit.record(auth.current_user(), "monthly_pack_downloaded", detail={"month": month, "format": fmt})
    db.session.commit()
    response = send_file(io.BytesIO(path.read_bytes()), mimetype=MIMETYPES[fmt], as_attachment=fmt != "html",
                         download_name=f"qa-executive-pack-{month}.{fmt}", max_age=0)
    if fmt == "html":
        response.headers["Content-Security-Policy"] = STORED_DOCUMENT_CSP
    return response


def link(month: str, fmt: str) -> str:
    return url_for("pack.download", month=month, fmt=fmt)
