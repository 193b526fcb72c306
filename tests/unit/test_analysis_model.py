"""The trainable model: learns from labelled answers, beats the codebook by cross-validation,
saves and loads with its version, and beats the lexicon baselines on the public NHS set."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from voice_service.analysis.evaluate import (
    cross_validate,
    evaluate_rules,
    folds_of,
    load_labelled,
    load_nhs,
    macro_f1_single,
    prf,
    to_examples,
)
from voice_service.analysis.model import Example, TextModel
from voice_service.analysis.pipeline import classify, classify_many
from voice_service.analysis.sentiment import vader_compound

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "tests" / "data" / "labelled_answers.jsonl"
# The public NHS set is evaluation only and never copied into the repository: point NHS_FEEDBACK_DIR
# at the folder holding pxtextmining_v6framework_230831.csv (default: ../shared/datasets/nhs-feedback).
NHS = Path(os.environ.get("NHS_FEEDBACK_DIR", ROOT.parent / "shared" / "datasets" / "nhs-feedback"))


@pytest.fixture(scope="module")
def records():
    return load_labelled(LABELLED)


@pytest.fixture(scope="module")
def model(records):
    return TextModel().fit(to_examples(records))


@pytest.fixture(scope="module")
def cv(records):
    return cross_validate(records, folds=5, progress=None)


def test_labelled_set_is_big_varied_and_uses_only_contract_ids(records):
    from voice_service.analysis.codebook import THEME_IDS

    assert len(records) >= 300
    assert {r["respondent"] for r in records} >= {"child", "young_person", "young_adult", "parent", "carer"}
    assert {r["sentiment"] for r in records} == {"positive", "neutral", "negative"}
    assert all(set(r["themes"]) <= set(THEME_IDS) for r in records)
    assert sum(r["safeguarding"] for r in records) >= 60
    assert len({r["id"] for r in records}) == len(records)


def test_model_plus_codebook_beats_the_codebook_alone_by_cross_validation(records, cv):
    codebook = evaluate_rules(records)["themes"]["macro_f1"]
    combined = cv["combined"]["macro_f1"]
    # Measured: codebook 0.664, model + codebook 0.720 (5-fold, seed 0).
    assert combined >= 0.68
    assert combined > codebook + 0.02


def test_model_sentiment_beats_rules_and_vader_by_cross_validation(records, cv):
    rules = evaluate_rules(records)
    # Measured: VADER alone 0.40, rules + VADER + cues 0.64, rules + model 0.79.
    assert rules["sentiment_macro_f1"] > rules["vader_sentiment_macro_f1"] + 0.1
    assert cv["sentiment_macro_f1"] >= 0.72
    assert cv["sentiment_macro_f1"] > rules["sentiment_macro_f1"]


def test_model_evidence_names_its_version_and_keeps_codebook_words(model):
    result = classify("my foster carer is lovely but contact with my brother got cancelled", model=model)
    assert "family_contact" in result["themes"] and "home_and_care" in result["themes"]
    evidence = result["evidence"]["themes"]["family_contact"]
    assert f"model:{model.version}" in evidence
    assert any(not e.startswith("model:") for e in evidence)  # the codebook's words are kept too


def test_safeguarding_rules_still_apply_with_a_model(model):
    result = classify("i want to kms", model=model)
    assert result["safeguarding"] is True and result["sentiment"] == "negative"
    assert classify("nothing", question="What could be better?", model=model)["sentiment"] == "neutral"


def test_model_saves_and_loads_with_its_version(model, tmp_path):
    path = model.save(tmp_path / "instance" / "analysis_model.joblib")
    loaded = TextModel.load(path)
    assert loaded.version == model.version and loaded.version.startswith("tfidf-")
    texts = [("my sw never listens", None), ("i miss my mum", "What could be better?")]
    assert classify_many(texts, model=loaded) == classify_many(texts, model=model)


def test_load_refuses_a_file_that_is_not_a_model(tmp_path):
    import joblib

    joblib.dump({"something": "else"}, tmp_path / "x.joblib")
    with pytest.raises(ValueError):
        TextModel.load(tmp_path / "x.joblib")


def test_a_theme_with_few_examples_stays_with_the_codebook():
    examples = [Example("school is hard", None, ("education",), "negative"), Example("i like school", None, ("education",), "positive")] * 5
    examples += [Example("nothing", None, (), "neutral")] * 10
    m = TextModel().fit(examples)
    assert m.trusted("education") and not m.trusted("identity_culture")
    result = classify("they respected our religion", model=m)
    assert result["themes"] == ["identity_culture"]
    assert result["evidence"]["themes"]["identity_culture"] == ["religion"]


def test_cli_train_writes_a_model_that_classify_uses(tmp_path):
    from click.testing import CliRunner

    from voice_service.analysis.cli import analyse_cli

    out = tmp_path / "m.joblib"
    small = tmp_path / "labels.jsonl"
    small.write_text("".join(LABELLED.read_text(encoding="utf-8").splitlines(keepends=True)[:120]), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(analyse_cli, ["train", "--labels", str(small), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and "trained tfidf-" in result.output
    result = runner.invoke(analyse_cli, ["classify", "--model", str(out)], input='{"id": 1, "text": "my sw is kind"}\n')
    assert result.exit_code == 0
    assert "model:tfidf-" in result.stdout


def test_evaluate_says_where_to_point_nhs_when_the_folder_is_not_the_nhs_set(tmp_path):
    from click.testing import CliRunner

    from voice_service.analysis.cli import analyse_cli

    result = CliRunner().invoke(analyse_cli, ["evaluate", "--nhs", str(tmp_path)])
    assert result.exit_code == 2
    assert "pxtextmining_v6framework_230831.csv" in result.output and "point it at the NHS set's folder" in result.output


@pytest.mark.skipif(not NHS.is_dir(), reason=f"NHS feedback set not found at {NHS}: set NHS_FEEDBACK_DIR to the folder "
                    "holding pxtextmining_v6framework_230831.csv (evaluation only, kept outside the repository)")
def test_nhs_one_fold_beats_the_lexicon_baselines():
    """One held-out fifth of the public NHS set (the full 5-fold run is `flask analyse evaluate --nhs`)."""
    rows, _ = load_nhs(NHS)
    assert len(rows) > 6000
    test_idx = set(folds_of(len(rows), 5, 0)[0])
    train = [r for i, r in enumerate(rows) if i not in test_idx and r["sentiment"]]
    test = [r for i, r in enumerate(rows) if i in test_idx]
    counts: dict[str, int] = {}
    for r in rows:
        for t in r["themes"]:
            counts[t] = counts.get(t, 0) + 1
    labels = [t for t, c in counts.items() if c >= 25]
    m = TextModel(use_codebook=False, tune_thresholds=False).fit(
        [Example(r["text"], r["question"], tuple(r["themes"]), r["sentiment"]) for r in train], labels=labels)
    predicted = m.model_themes([r["text"] for r in test], [r["question"] for r in test])
    macro = prf([set(r["themes"]) for r in test], predicted, labels)["macro_f1"]
    # Baseline keyword codebook 0.466 (README). Measured on this fold without threshold tuning ~0.50;
    # the tuned 5-fold figure is in the report.
    assert macro > 0.466
    s_test = [r for r in test if r["sentiment"]]
    pred = m.predict_sentiment([r["text"] for r in s_test], [r["question"] for r in s_test])
    vader = ["positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral"
             for c in (vader_compound(r["text"]) for r in s_test)]
    truth = [r["sentiment"] for r in s_test]
    assert macro_f1_single(truth, pred) > 0.6 > 0.46 + 0.1 > macro_f1_single(truth, vader)
