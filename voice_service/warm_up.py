"""What a web process loads once at start, so no person's first request waits for it.

gunicorn calls `warm_up` in the master before it forks the workers (gunicorn.conf.py), so the
workers share what it loaded; `bench/bench_insights_pack.py` calls it to measure a first request
as it is after a restart.
"""
from __future__ import annotations

from flask import Flask


def warm_up(app: Flask) -> None:
    """Load the analysis (the shipped model, the language detector), the small-number
    suppression's solver, and every template compiled: together about a second and a half that
    otherwise falls on the first answer, the first trends page and the first of each page."""
    from scipy.linalg import null_space  # noqa: F401  (the suppression's solver, imported when
    from scipy.optimize import linprog  # noqa: F401  a table is first suppressed)

    from voice_service.analysis.pipeline import classify
    from voice_service.analysis.shipped import shipped_model

    model = shipped_model()
    classify("warm up", question=None, model=model)
    classify("tengo miedo de volver a casa", question=None, model=model)  # the language detector
    for name in app.jinja_env.list_templates(extensions=("html",)):
        app.jinja_env.get_template(name)
