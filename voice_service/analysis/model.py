"""Trainable theme (multi-label) and sentiment model, combined with the codebook.

Features (``Featuriser``): TF-IDF of word 1-2-grams and of character 2-5-grams (within word
boundaries, which copes with misspelling), both over the *normalised* text ("sw" -> "social
worker"), plus a token for the kind of question answered ("improve", "good", "risk", "open"),
plus, for our own taxonomy, one token per codebook theme that matched (so the model learns how
far to trust each codebook entry), plus, for sentiment, VADER's scores and the domain cue score.

Classifiers: one linear classifier per theme (one-vs-rest: ``LinearSVC`` by default, or
``LogisticRegression``), class weights balanced; one multinomial ``LogisticRegression`` for
sentiment.

How the model and the codebook are combined (``combine_themes``), measured by cross-validation
on ``tests/data/labelled_answers.jsonl`` (see ``evaluate.py``):
  * a theme with at least ``min_examples`` (default 8) positive training examples is decided
    by the model, whose features include the codebook's own matches;
  * a theme with fewer examples is decided by the codebook alone;
  * evidence: the codebook's matched words when the codebook also matched, and always
    ``"model:<version>"`` when the model said yes.
So the codebook works from day one (no model at all) and the model takes over theme by theme
as QA corrections give it evidence.

Saved with joblib as a dict ``{"format", "version", "model"}``. Load only files this service
wrote itself (joblib is pickle: never load a model file from an untrusted source).
"""

from __future__ import annotations

import hashlib
import re
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from .codebook import THEME_IDS, load_codebook, normalise
from .linear import analyser_key, dense_csr, hstack_rows, linear_scores, ngram_counts, positive_proba, tfidf_transform
from .questions import non_answer, question_kind
from .safeguarding import named_in_risk_answer
from .sentiment import LABELS as SENTIMENT_LABELS
from .sentiment import cue_score, vader_compound

FORMAT = "voice-service-analysis-model/1"
MIN_EXAMPLES = 8
MIN_SAFEGUARDING = 15
# Probability above which the trained flag says "a person should read this". Chosen on the
# first held-out set (trained on tests/data/labelled_answers.jsonl only: recall 0.68 and
# precision 0.84 on tests/data/safeguarding_holdout.jsonl at 0.5); see docs/analysis.md.
SAFEGUARDING_THRESHOLD = 0.5
SAFEGUARDING_C = 10.0
# The trained flag's threshold is chosen on out-of-fold scores of the TRAINING data (each score
# from a model that did not see that answer) as the highest one at which the flag alone still
# finds this share of the training disclosures.
SAFEGUARDING_RECALL_TARGET = 0.95
_QUESTION_WORD = re.compile(r"[a-z]+")
_QUESTION_STOP = frozenset("what how is are the a you your to do did at in of for there anything want with about "
                           "and or it this that be can could would any else we us me my feel".split())


def question_tokens(question: str | None) -> list[str]:
    """Tokens for the question's own words ("q_meeting"), so themes read the question."""
    if not question:
        return []
    words = _QUESTION_WORD.findall(question.lower())
    return [f"q_{w.rstrip('s')}" for w in words if w not in _QUESTION_STOP]


@dataclass
class Example:
    text: str
    question: str | None = None
    themes: Sequence[str] = ()
    sentiment: str | None = None
    safeguarding: bool | None = None


class Featuriser:
    """Sparse features for a list of (text, question). Module-level so joblib can pickle it."""

    def __init__(self, use_codebook: bool = True, sentiment_features: bool = False, codebook_weight: float = 1.0):
        self.use_codebook = use_codebook
        self.codebook_weight = codebook_weight
        self.sentiment_features = sentiment_features
        self.word = TfidfVectorizer(
            ngram_range=(1, 2), min_df=1, sublinear_tf=True, token_pattern=r"(?u)\b[\w']+\b", max_features=40000
        )
        self.char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, max_features=80000
        )

    def _dense(self, batch: Analysed) -> np.ndarray | None:
        """The columns after the TF-IDF ones: sentiment scores and/or codebook matches."""
        blocks = []
        if self.sentiment_features:
            rows = []
            for norm, na in zip(batch.norms, batch.non_answers):
                c = vader_compound(norm.text)
                cues, _ = cue_score(norm)
                rows.append([max(c, 0.0), max(-c, 0.0), max(cues, 0.0), max(-cues, 0.0), float(na is not None)])
            blocks.append(np.asarray(rows))
        if self.use_codebook:
            book = load_codebook()
            hits = [book.match(norm) for norm in batch.norms]
            blocks.append(np.asarray([[self.codebook_weight if t in h else 0.0 for t in THEME_IDS] for h in hits]))
        return np.hstack(blocks) if blocks else None

    def fit_transform(self, texts: Sequence[str], questions: Sequence[str | None]) -> sp.csr_matrix:
        batch = Analysed(texts, questions)
        parts = [self.word.fit_transform(batch.words), self.char.fit_transform(batch.chars)]
        for vec in (self.word, self.char):
            # The pruned terms are only kept for inspection (scikit-learn's docs): not shipped.
            if hasattr(vec, "stop_words_"):
                delattr(vec, "stop_words_")
        return self._stack(parts, batch)

    def transform(self, texts: Sequence[str], questions: Sequence[str | None], batch: Analysed | None = None) -> sp.csr_matrix:
        """Features of answers; ``batch``: the same answers already read (``Analysed``)."""
        batch = batch if batch is not None else Analysed(texts, questions)
        parts = [tfidf_transform(self.word, batch.words, batch.counts(self.word, "words")),
                 tfidf_transform(self.char, batch.chars, batch.counts(self.char, "chars"))]
        return self._stack(parts, batch)

    def _stack(self, parts: list[sp.csr_matrix], batch: Analysed) -> sp.csr_matrix:
        dense = self._dense(batch)
        if dense is not None:
            parts.append(dense_csr(dense))
        return hstack_rows(parts)


class Analysed:
    """Answers as every Featuriser reads them, worked out once for all of a model's parts
    (themes, sentiment, flag): the normalised text, the word input (the text plus tokens for
    the question and the rules) and, per kind of vectoriser, each answer's n-grams counted."""

    def __init__(self, texts: Sequence[str], questions: Sequence[str | None]):
        self.norms, self.words, self.non_answers = [], [], []
        for text, question in zip(texts, questions):
            norm = normalise(text or "")
            kind = question_kind(question)
            extra = [f"qkind_{kind}"] + question_tokens(question)
            if named_in_risk_answer(norm, question):
                extra.append("rule_named_in_risk_answer")
            na = non_answer(text or "")
            if na is not None:
                extra.append(f"nonanswer_{na}_{kind}")
            self.norms.append(norm)
            self.words.append(norm.text + " " + " ".join(extra))
            self.non_answers.append(na)
        self.chars = [norm.text for norm in self.norms]
        self._counts: dict[tuple[str, str], list] = {}

    def counts(self, vec: TfidfVectorizer, which: str) -> list:
        """``ngram_counts`` of ``self.words`` or ``self.chars``, made once per kind of analyser."""
        key = (which, analyser_key(vec))
        if key not in self._counts:
            self._counts[key] = ngram_counts(vec, getattr(self, which))
        return self._counts[key]


SOFT_FACTOR = 0.5
PREDICT_CHUNK = 512
# The calibrated threshold stays within [FLOOR, 0.5]: lower costs too many false alarms.
SAFEGUARDING_FLOOR = 0.35


def _fit_flag(texts, questions, flags):
    features = Featuriser(use_codebook=False)
    X = features.fit_transform(texts, questions)
    clf = LogisticRegression(C=SAFEGUARDING_C, class_weight="balanced", max_iter=3000).fit(X, flags)
    return features, clf


def hard_rule_flags(texts: Sequence[str], questions: Sequence[str | None]) -> np.ndarray:
    """The rules' and the lexicons' flag per answer, without the soft catch-all."""
    from .lexicons import match as lexicon_match
    from .safeguarding import SOFT_REASON
    from .safeguarding import check as rules_check

    out = []
    for t, q in zip(texts, questions):
        r = rules_check(t or "", q)
        out.append(any(x != SOFT_REASON for x in r.reasons) or bool(lexicon_match(t or "").categories))
    return np.array(out, dtype=bool)


def calibrate_threshold(texts, questions, y: np.ndarray, target: float, folds: int = 3) -> tuple[float, dict]:
    """The flag's threshold: the highest at which rules + lexicons + flag find ``target`` of the
    disclosures, on out-of-fold scores of these training answers (module constants)."""
    n = len(texts)
    proba = np.zeros(n)
    order = np.random.RandomState(2).permutation(n)
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        feats, clf = _fit_flag([texts[i] for i in train], [questions[i] for i in train], y[train].tolist())
        X = feats.transform([texts[i] for i in test], [questions[i] for i in test])
        proba[test] = clf.predict_proba(X)[:, list(clf.classes_).index(True)]
    # The flag alone must reach the target: the rules were written on part of this data, so
    # counting them here would be optimistic about new phrasings.
    rules = np.zeros(n, dtype=bool)
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    best = float(grid[0])
    for t in grid:
        flagged = rules | (proba > t)
        if flagged[y].mean() >= target:
            best = float(t)
    # Never stricter than the old fixed 0.5: the calibration may lower the bar, not raise it.
    best = min(max(best, SAFEGUARDING_FLOOR), SAFEGUARDING_THRESHOLD)
    flagged = rules | (proba > best)
    tp = int((flagged & y).sum())
    info = {"target": target, "threshold": best, "answers": n, "disclosures": int(y.sum()),
            "recall": round(tp / max(int(y.sum()), 1), 4),
            "precision": round(tp / max(int(flagged.sum()), 1), 4), "folds": folds}
    return best, info


def _f1(pred: np.ndarray, y: np.ndarray) -> float:
    tp = int((pred & y).sum())
    return 2 * tp / (2 * tp + int((pred & ~y).sum()) + int((~pred & y).sum())) if tp else 0.0


def _linear(kind: str, C: float, class_weight: str | None = "balanced"):
    if kind == "lr":
        return LogisticRegression(C=C * 10, class_weight=class_weight, max_iter=2000, solver="liblinear", random_state=0)
    return LinearSVC(C=C, class_weight=class_weight, max_iter=5000, random_state=0)


@dataclass
class TextModel:
    """Multi-label themes + three-class sentiment, learnt from labelled examples."""

    labels: list[str] = field(default_factory=list)
    use_codebook: bool = True
    classifier: str = "svc"
    C: float = 0.5
    codebook_weight: float = 1.0
    min_examples: int = MIN_EXAMPLES
    # "balanced" weights rare themes up; None leaves that to the tuned thresholds (better on the
    # NHS set: 0.562 against 0.554 macro-F1, 5-fold).
    class_weight: str | None = "balanced"
    tune_thresholds: bool = True
    thresholds: dict = field(default_factory=dict)  # label -> decision threshold (0.0 if not tuned)
    version: str = "untrained"
    theme_features: Featuriser | None = None
    theme_models: dict = field(default_factory=dict)  # label -> fitted classifier
    label_counts: dict = field(default_factory=dict)
    sentiment_features: Featuriser | None = None
    sentiment_model: object | None = None
    n_examples: int = 0
    # A trained safeguarding flag, used ALONGSIDE the rules (either one flags): see
    # ``predict_safeguarding``. Trained when the examples hold >= MIN_SAFEGUARDING of each kind.
    safeguarding_features: Featuriser | None = None
    safeguarding_model: object | None = None
    safeguarding_threshold: float = SAFEGUARDING_THRESHOLD
    # A worry answer naming a person (safeguarding.SOFT_REASON) flags when p > soft_threshold.
    soft_threshold: float = SAFEGUARDING_THRESHOLD * 0.5
    calibrate: bool = True
    recall_target: float = SAFEGUARDING_RECALL_TARGET
    calibration: dict = field(default_factory=dict)  # what the threshold was chosen on

    # ---- training -------------------------------------------------------------------------
    def fit(self, examples: Sequence[Example], labels: Sequence[str] | None = None) -> TextModel:
        texts = [e.text for e in examples]
        questions = [e.question for e in examples]
        if labels is None:
            labels = sorted({t for e in examples for t in e.themes})
        self.labels = list(labels)
        self.n_examples = len(examples)
        digest = hashlib.sha256(
            json.dumps([[e.text, e.question, sorted(e.themes), e.sentiment]
                        + ([e.safeguarding] if e.safeguarding is not None else []) for e in examples]).encode()
        ).hexdigest()[:10]
        self.version = f"tfidf-{self.classifier}-n{len(examples)}-{digest}"

        Y = np.array([[label in e.themes for label in self.labels] for e in examples], dtype=bool).reshape(len(examples), len(self.labels))
        self.label_counts = {label: int(Y[:, j].sum()) for j, label in enumerate(self.labels)}
        self.thresholds = {label: 0.0 for label in self.labels}
        if self.tune_thresholds and len(examples) >= 60:
            self.thresholds = self._tuned_thresholds(texts, questions, Y)
        self.theme_features, self.theme_models = self._fit_themes(texts, questions, Y)

        # Sentiment and the safeguarding flag learn from the examples that carry that label.
        with_sentiment = [i for i, e in enumerate(examples) if e.sentiment in SENTIMENT_LABELS]
        sentiments = [examples[i].sentiment for i in with_sentiment]
        if len(set(sentiments)) > 1:
            self.sentiment_features = Featuriser(use_codebook=False, sentiment_features=True)
            Xs = self.sentiment_features.fit_transform([texts[i] for i in with_sentiment], [questions[i] for i in with_sentiment])
            # newton-cg: the same fit as the default lbfgs, about 4x faster on ~150k sparse features.
            self.sentiment_model = LogisticRegression(C=5.0, class_weight="balanced", max_iter=3000,
                                                      solver="newton-cg").fit(Xs, sentiments)

        with_flag = [i for i, e in enumerate(examples) if e.safeguarding is not None]
        flags = [bool(examples[i].safeguarding) for i in with_flag]
        if MIN_SAFEGUARDING <= sum(flags) <= len(flags) - MIN_SAFEGUARDING:
            g_texts = [texts[i] for i in with_flag]
            g_questions = [questions[i] for i in with_flag]
            if self.calibrate and len(with_flag) >= 60:
                self.safeguarding_threshold, self.calibration = calibrate_threshold(
                    g_texts, g_questions, np.array(flags), self.recall_target)
            self.safeguarding_features, self.safeguarding_model = _fit_flag(g_texts, g_questions, flags)
        self.soft_threshold = self.safeguarding_threshold * SOFT_FACTOR
        return self

    def _fit_themes(self, texts, questions, Y):
        features = Featuriser(use_codebook=self.use_codebook, codebook_weight=self.codebook_weight)
        X = features.fit_transform(texts, questions)
        models = {}
        for j, label in enumerate(self.labels):
            y = Y[:, j].astype(int)
            if 2 <= y.sum() < len(y):
                models[label] = _linear(self.classifier, self.C, self.class_weight).fit(X, y)
        return features, models

    def _tuned_thresholds(self, texts, questions, Y, folds: int = 3) -> dict:
        """Per-label decision thresholds that maximise F1 on inner out-of-fold scores.

        Class weights alone leave rare labels with low recall; the threshold is chosen on data
        the inner model did not see, from a grid around 0 (ties go to the value nearest 0).
        """
        n = len(texts)
        scores = np.zeros(Y.shape)
        order = np.random.RandomState(1).permutation(n)
        for k in range(folds):
            test = order[k::folds]
            train = np.setdiff1d(order, test)
            features, models = self._fit_themes([texts[i] for i in train], [questions[i] for i in train], Y[train])
            X = features.transform([texts[i] for i in test], [questions[i] for i in test])
            for j, label in enumerate(self.labels):
                scores[test, j] = models[label].decision_function(X) if label in models else -1.0
        grid = np.round(np.arange(-1.0, 0.51, 0.05), 2)
        out = {}
        for j, label in enumerate(self.labels):
            y = Y[:, j]
            if y.sum() < 3:
                out[label] = 0.0
                continue
            best = max(grid, key=lambda t: (_f1(scores[:, j] > t, y), -abs(t)))
            out[label] = float(best)
        return out

    # ---- prediction -----------------------------------------------------------------------
    def predict(self, texts: Sequence[str], questions: Sequence[str | None]) -> tuple[list[set[str]], list[str] | None, list[tuple[float, list[str]]] | None]:
        """``model_themes``, ``predict_sentiment`` and ``predict_safeguarding`` of a batch, each
        answer read once for all three (``Analysed``)."""
        themes: list[set[str]] = []
        sentiments: list[str] | None = None if self.sentiment_model is None or self.sentiment_features is None else []
        flags: list[tuple[float, list[str]]] | None = (
            None if self.safeguarding_model is None or self.safeguarding_features is None else [])
        # In chunks: the shared n-gram counts of a chunk are held until its three parts are done
        # (each answer is scored on its own row, so chunking changes no result).
        for start in range(0, len(texts), PREDICT_CHUNK):
            t, q = texts[start:start + PREDICT_CHUNK], questions[start:start + PREDICT_CHUNK]
            batch = Analysed(t, q)
            themes += self.model_themes(t, q, batch)
            if sentiments is not None:
                sentiments += self.predict_sentiment(t, q, batch) or []
            if flags is not None:
                flags += self.predict_safeguarding(t, q, batch) or []
        return themes, sentiments, flags

    def model_themes(self, texts: Sequence[str], questions: Sequence[str | None] | None = None,
                     batch: Analysed | None = None) -> list[set[str]]:
        """Themes the model says yes to (only themes it was trained on)."""
        questions = questions if questions is not None else [None] * len(texts)
        if not texts or self.theme_features is None:
            return [set() for _ in texts]
        X = self.theme_features.transform(texts, questions, batch)
        out: list[set[str]] = [set() for _ in texts]
        for label, clf in self.theme_models.items():
            for i in np.flatnonzero(linear_scores(clf, X) > self.thresholds.get(label, 0.0)):
                out[i].add(label)
        return out

    def trusted(self, label: str) -> bool:
        """Whether the model decides this theme (enough training examples), else the codebook."""
        return label in self.theme_models and self.label_counts.get(label, 0) >= self.min_examples

    def predict_sentiment(self, texts: Sequence[str], questions: Sequence[str | None] | None = None,
                          batch: Analysed | None = None) -> list[str] | None:
        if self.sentiment_model is None or self.sentiment_features is None:
            return None
        questions = questions if questions is not None else [None] * len(texts)
        if not texts:
            return []
        scores = linear_scores(self.sentiment_model, self.sentiment_features.transform(texts, questions, batch))
        # LogisticRegression.predict: the class with the highest score (sign when two classes).
        picked = (scores > 0).astype(int) if scores.ndim == 1 else np.argmax(scores, axis=1)
        return list(self.sentiment_model.classes_.take(picked))

    def _word_names(self):
        cached = getattr(self, "_word_names_cache", None)
        if cached is None:
            cached = self._word_names_cache = self.safeguarding_features.word.get_feature_names_out()
        return cached

    def predict_safeguarding(self, texts: Sequence[str], questions: Sequence[str | None] | None = None,
                             batch: Analysed | None = None) -> list[tuple[float, list[str]]] | None:
        """(probability, the answer's words that weighed most towards a flag) per text; None if
        no flag was trained. The caller flags when probability > ``safeguarding_threshold``."""
        if self.safeguarding_model is None or self.safeguarding_features is None:
            return None
        questions = questions if questions is not None else [None] * len(texts)
        if not texts:
            return []
        feats = self.safeguarding_features
        batch = batch if batch is not None else Analysed(texts, questions)
        X = feats.transform(texts, questions, batch)
        proba = positive_proba(self.safeguarding_model, X)
        n_words = len(feats.word.vocabulary_)
        names = None  # built once, and only when a text is flagged (it costs ~25 ms each time)
        coef = np.ravel(self.safeguarding_model.coef_)[:n_words]
        out = []
        for i in range(len(texts)):
            words: list[str] = []
            if proba[i] > self.safeguarding_threshold:
                if names is None:
                    names = self._word_names()
                row = X[i, :n_words].tocoo()
                weights = sorted(((v * coef[j], j) for j, v in zip(row.col, row.data) if coef[j] > 0), reverse=True)
                for _, j in weights[:4]:
                    found = _original_words(batch.norms[i], names[j])
                    if found and not any(found in w or w in found for w in words):
                        words.append(found)
            out.append((float(proba[i]), words))
        return out

    # ---- persistence ----------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        import joblib

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"format": FORMAT, "version": self.version, "model": self}, path, compress=3)
        return path

    @classmethod
    def load(cls, path: str | Path) -> TextModel:
        import joblib

        data = joblib.load(Path(path))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"{path} is not a {FORMAT} file")
        model = data["model"]
        if not isinstance(model, cls):
            raise ValueError(f"{path} does not hold a TextModel")
        return model


def _original_words(norm, ngram: str) -> str | None:
    """The original words of an answer behind one normalised word n-gram of the model."""
    import re

    m = re.search(r"(?<![\w'])" + re.escape(ngram) + r"(?![\w'])", norm.text)
    return norm.original_span(m.start(), m.end()).strip() if m else None


def combine_themes(
    codebook_hits: dict[str, list[str]], model_yes: set[str], model: TextModel | None
) -> dict[str, list[str]]:
    """Theme id -> evidence, by the rule in the module docstring."""
    if model is None:
        return {k: list(v) for k, v in codebook_hits.items()}
    out: dict[str, list[str]] = {}
    for label, evidence in codebook_hits.items():
        if not model.trusted(label):
            out[label] = list(evidence)
    for label in model_yes:
        if model.trusted(label):
            out[label] = list(codebook_hits.get(label, [])) + [f"model:{model.version}"]
    return out


def train(examples: Sequence[Example], **kwargs) -> TextModel:
    labels = kwargs.pop("labels", None)
    return TextModel(**kwargs).fit(examples, labels=labels)
