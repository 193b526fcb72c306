"""The evaluation gate refuses a retrained model that is worse than the one in use."""

from __future__ import annotations

from voice_service.analysis.evaluate import to_examples
from voice_service.analysis.gate import gate_records, passes
from voice_service.analysis.model import TextModel
from voice_service.analysis.shipped import shipped_model
from voice_service.analysis.training import repo_records, split


def test_the_gate_refuses_a_worse_model_and_accepts_the_same_one():
    current = shipped_model()
    records = gate_records()[:150]
    train = split(repo_records())[0]
    # A model trained on 40 answers is clearly worse than one trained on ~2,500.
    worse = TextModel(tune_thresholds=False, calibrate=False).fit(to_examples(train[::60]))
    ok, scores = passes(worse, current, records)
    assert ok is False
    assert scores["candidate"]["overall"] < scores["current"]["overall"]
    assert passes(current, current, records)[0] is True
