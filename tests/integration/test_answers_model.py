"""Answers from any channel are analysed with the trained model once `analyse train` has made one."""
from __future__ import annotations

from pathlib import Path


from tests.support.factories import make_invitation, make_meeting, make_participant
from voice_service.analysis.evaluate import load_labelled, to_examples
from voice_service.analysis.model import TextModel
from voice_service.analysis.pipeline import instance_model as current_model
from tests.support.answers import save_answer_and_commit

LABELS = Path(__file__).resolve().parents[1] / "data" / "labelled_answers.jsonl"


def test_without_a_model_the_codebook_still_tags_answers(app):
    from voice_service.analysis.shipped import manifest

    assert current_model().version == manifest()["version"]  # a fresh install: the shipped model (issue 16)
    participant = make_participant(make_meeting(), role="parent")
    invitation, _ = make_invitation(participant, "test_survey")
    answer = save_answer_and_commit(invitation, "q", free_text="Nobody listens to me at the meetings", channel="web")
    assert {t.theme_id for t in answer.tags} & {"listened_to", "meetings"}


def test_a_trained_model_is_used_for_new_answers_and_named_in_the_evidence(app):
    TextModel().fit(to_examples(load_labelled(LABELS)[:200])).save(app.config["MODEL_PATH"])
    model = current_model()
    assert model is not None and model.version != "untrained"
    participant = make_participant(make_meeting(), role="parent")
    invitation, _ = make_invitation(participant, "test_survey")
    answer = save_answer_and_commit(invitation, "q", free_text="I have had four different social workers this year", channel="sms")
    evidence = answer.analysis_evidence["themes"]
    assert "worker_relationship" in {t.theme_id for t in answer.tags}
    assert any(f"model:{model.version}" in found for found in evidence.values())
    assert current_model() is model  # loaded once, not per answer
