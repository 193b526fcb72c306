"""The model's prediction without scikit-learn's per-call checks (analysis/linear.py) gives the
same numbers as scikit-learn itself, to the last bit, for the shipped model on the labelled
answers: the same flags, themes and sentiments, only faster (issue 16)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from voice_service.analysis.linear import dense_csr, hstack_rows, linear_scores, positive_proba, tfidf_transform
from voice_service.analysis.model import Analysed
from voice_service.analysis.shipped import shipped_model

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def model():
    return shipped_model()


@pytest.fixture(scope="module")
def answers():
    records = [json.loads(line) for line in (ROOT / "tests/data/labelled_answers.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [r["text"] for r in records] + ["", "?????", "ok"]
    return texts, [r.get("question") for r in records] + [None, "What could be better?", None]


def same(a, b) -> bool:
    a, b = sp.csr_matrix(a), sp.csr_matrix(b)
    return (a.shape == b.shape and np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
            and np.array_equal(a.data, b.data))


def reference_features(featuriser, texts, questions):
    """What Featuriser.transform was: scikit-learn's transforms, stacked by scipy."""
    batch = Analysed(texts, questions)
    parts = [featuriser.word.transform(batch.words), featuriser.char.transform(batch.chars)]
    dense = featuriser._dense(batch)
    if dense is not None:
        parts.append(sp.csr_matrix(dense))
    return sp.hstack(parts).tocsr()


def parts(model):
    return {"themes": model.theme_features, "sentiment": model.sentiment_features, "flag": model.safeguarding_features}


def test_tfidf_matches_scikit_learn_for_a_batch_and_for_one_answer(model, answers):
    texts, questions = answers
    for featuriser in parts(model).values():
        batch = Analysed(texts, questions)
        for vec, docs in ((featuriser.word, batch.words), (featuriser.char, batch.chars)):
            assert same(tfidf_transform(vec, docs), vec.transform(docs))
            for doc in docs[:60]:
                assert same(tfidf_transform(vec, [doc]), vec.transform([doc]))


def test_stacked_features_match_scipy_hstack(model, answers):
    texts, questions = answers
    for featuriser in parts(model).values():
        assert same(featuriser.transform(texts, questions), reference_features(featuriser, texts, questions))
        assert same(featuriser.transform(texts[:1], questions[:1]), reference_features(featuriser, texts[:1], questions[:1]))
    dense = np.array([[0.0, 1.5, 0.0], [0.0, 0.0, 0.0], [2.0, 0.0, -1.0]])
    assert same(dense_csr(dense), sp.csr_matrix(dense))
    assert same(hstack_rows([dense_csr(dense), dense_csr(dense[:, :2])]), sp.hstack([sp.csr_matrix(dense), sp.csr_matrix(dense[:, :2])]))


def test_scores_and_probabilities_match_scikit_learn(model, answers):
    texts, questions = answers
    X = model.theme_features.transform(texts, questions)
    for clf in model.theme_models.values():
        assert np.array_equal(linear_scores(clf, X), clf.decision_function(X))
    Xs = model.sentiment_features.transform(texts, questions)
    assert np.array_equal(linear_scores(model.sentiment_model, Xs), model.sentiment_model.decision_function(Xs))
    Xg = model.safeguarding_features.transform(texts, questions)
    true = list(model.safeguarding_model.classes_).index(True)
    assert np.array_equal(positive_proba(model.safeguarding_model, Xg), model.safeguarding_model.predict_proba(Xg)[:, true])


def test_predict_gives_scikit_learns_themes_sentiments_and_flag_scores(model, answers):
    texts, questions = answers
    themes, sentiments, flags = model.predict(texts, questions)
    X = reference_features(model.theme_features, texts, questions)
    expected = [set() for _ in texts]
    for label, clf in model.theme_models.items():
        for i in np.flatnonzero(clf.decision_function(X) > model.thresholds.get(label, 0.0)):
            expected[i].add(label)
    assert themes == expected and any(expected)
    assert sentiments == list(model.sentiment_model.predict(reference_features(model.sentiment_features, texts, questions)))
    proba = model.safeguarding_model.predict_proba(reference_features(model.safeguarding_features, texts, questions))
    scores = [p for p, _ in flags]
    assert scores == proba[:, list(model.safeguarding_model.classes_).index(True)].tolist()
    # Each part alone (one answer at a time, as a form page does) agrees with the batch.
    assert [model.model_themes([t], [q])[0] for t, q in zip(texts[:40], questions[:40])] == themes[:40]
    assert [model.predict_safeguarding([t], [q])[0] for t, q in zip(texts[:40], questions[:40])] == flags[:40]


def test_predict_in_chunks_gives_the_same_as_in_one_go(model, answers, monkeypatch):
    import voice_service.analysis.model as model_module

    texts, questions = answers
    whole = model.predict(texts, questions)
    monkeypatch.setattr(model_module, "PREDICT_CHUNK", 7)
    assert model.predict(texts, questions) == whole
    assert len(whole[0]) == len(whole[1]) == len(whole[2]) == len(texts)
