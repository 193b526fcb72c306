"""`flask analyse train` learns from the labels people confirmed in the review queue."""
from __future__ import annotations

import json
from pathlib import Path

from voice_service.extensions import db
from voice_service.models import LabelledExample

LABELLED = Path(__file__).resolve().parents[1] / "data" / "labelled_answers.jsonl"

CONFIRMED = [
    ("my social worker never rings me back", "worker_relationship", "negative"),
    ("my sw is kind and listens", "worker_relationship", "positive"),
    ("i want to see my brother more", "family_contact", "negative"),
    ("contact with my dad was cancelled again", "family_contact", "negative"),
    ("i like my new school", "education", "positive"),
    ("school is hard and the teachers shout", "education", "negative"),
]


def store_confirmed_labels(copies: int = 4) -> None:
    for n in range(copies):
        for text, theme, sentiment in CONFIRMED:
            db.session.add(LabelledExample(text=f"{text} ({n})", question="What could be better?", themes=[theme],
                                           sentiment=sentiment, safeguarding=False))
    db.session.commit()


def test_train_reads_the_database_by_default_and_writes_the_model_to_model_path(app, runner):
    store_confirmed_labels()
    target = Path(app.config["MODEL_PATH"])
    assert not target.exists()
    result = runner.invoke(args=["analyse", "train"])
    assert result.exit_code == 0, result.output
    assert "on 24 answers (24 confirmed in the review queue)" in result.output
    assert target.exists()

    # `analyse classify` then uses that model without being told where it is.
    result = runner.invoke(args=["analyse", "classify"], input=json.dumps({"id": 1, "text": "my sw never rings"}) + "\n")
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.splitlines()[0])
    assert "worker_relationship" in line["themes"]
    assert any(e.startswith("model:tfidf-") for e in line["evidence"]["themes"]["worker_relationship"])


def test_train_combines_a_labels_file_with_the_database(app, runner, tmp_path):
    store_confirmed_labels(copies=1)
    small = tmp_path / "labels.jsonl"
    small.write_text("".join(LABELLED.read_text(encoding="utf-8").splitlines(keepends=True)[:60]), encoding="utf-8")
    result = runner.invoke(args=["analyse", "train", "--labels", str(small), "--from-db"])
    assert result.exit_code == 0, result.output
    assert f"on 66 answers (60 from {small}; 6 confirmed in the review queue)" in result.output


def test_train_with_a_file_only_does_not_need_the_database(app, runner, tmp_path):
    store_confirmed_labels()
    out = tmp_path / "file-only.joblib"
    result = runner.invoke(args=["analyse", "train", "--labels", str(LABELLED), "--no-db", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "confirmed in the review queue" not in result.output and "with a trained safeguarding flag" in result.output
    assert out.exists()


def test_train_with_too_few_confirmed_labels_says_so_and_writes_nothing(app, runner):
    db.session.add(LabelledExample(text="nothing", question=None, themes=[], sentiment="neutral", safeguarding=False))
    db.session.commit()
    result = runner.invoke(args=["analyse", "train"])
    assert result.exit_code != 0
    assert "too few labelled answers to learn from (1: 1 confirmed in the review queue)" in result.output
    assert "No model was written" in result.output
    assert not Path(app.config["MODEL_PATH"]).exists()


def test_instance_model_is_the_trained_file_and_follows_retraining(app, runner):
    from voice_service.analysis.pipeline import instance_model

    from voice_service.analysis.shipped import manifest

    # Nothing retrained yet: the shipped model, not the codebook and rules alone (issue 16).
    assert instance_model().version == manifest()["version"]
    store_confirmed_labels()
    assert runner.invoke(args=["analyse", "train"]).exit_code == 0
    first = instance_model()
    assert first is not None and first is instance_model()  # loaded once
    store_confirmed_labels(copies=1)
    import os

    assert runner.invoke(args=["analyse", "train"]).exit_code == 0
    os.utime(app.config["MODEL_PATH"], (1, 2_000_000_000))  # a new file, whatever the clock's resolution
    assert instance_model().version != first.version
