"""The clock's weekly retraining: from the review queue's labels, live only through the gate."""
from __future__ import annotations

from pathlib import Path

from voice_service.analysis import retrain


def test_with_nothing_confirmed_nothing_is_trained(app):
    assert retrain.retrain_job() == {"trained": False, "reason": "no confirmed examples"}


def test_a_candidate_the_gate_refuses_never_goes_live(app, monkeypatch):
    from voice_service.analysis import gate, review, shipped
    from voice_service.analysis.pipeline import instance_model

    current = instance_model()
    monkeypatch.setattr(review, "labelled_examples_from_db", lambda: [{"text": "he hits me", "safeguarding": True}])
    monkeypatch.setattr(shipped, "train_from_repo", lambda confirmed: (current, {"examples": len(confirmed)}))
    monkeypatch.setattr(gate, "passes", lambda candidate, now_live: (False, {"recall": 0.1}))
    result = retrain.retrain_job()
    assert result["trained"] is True and result["accepted"] is False
    assert not Path(app.config["MODEL_PATH"]).exists()  # the live model is unchanged


def test_a_candidate_the_gate_passes_goes_live(app, monkeypatch):
    from voice_service.analysis import gate, review, shipped
    from voice_service.analysis.pipeline import instance_model

    current = instance_model()
    monkeypatch.setattr(review, "labelled_examples_from_db", lambda: [{"text": "he hits me", "safeguarding": True}])
    monkeypatch.setattr(shipped, "train_from_repo", lambda confirmed: (current, {"examples": len(confirmed)}))
    monkeypatch.setattr(gate, "passes", lambda candidate, now_live: (True, {"recall": 0.97}))
    assert retrain.retrain_job()["accepted"] is True
    assert Path(app.config["MODEL_PATH"]).exists()
