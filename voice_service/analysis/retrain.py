"""Retraining on the clock: the review queue's confirmations and corrections, through the gate.

``retrain_job()`` (inside an app context): train on the repository's training part plus every
person-confirmed ``LabelledExample``, and write the model to ``MODEL_PATH`` only if it passes
the evaluation gate against the model in use (``gate.passes``). Returns what it did.
Not yet registered in ``scheduling/clock.py`` (see the report to the lead).
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def retrain_job() -> dict:
    from flask import current_app

    from .gate import passes
    from .pipeline import instance_model
    from .review import labelled_examples_from_db
    from .shipped import train_from_repo

    confirmed = [r for r in labelled_examples_from_db() if (r.get("text") or "").strip()]
    if not confirmed:
        return {"trained": False, "reason": "no confirmed examples"}
    candidate, info = train_from_repo(confirmed)
    current = instance_model()
    ok, scores = passes(candidate, current)
    if ok:
        candidate.save(current_app.config["MODEL_PATH"])
    log.info("retrain: candidate %s %s (current %s)", candidate.version, "accepted" if ok else "refused",
             getattr(current, "version", None))
    return {"trained": True, "accepted": ok, "version": candidate.version, "scores": scores, **info}
