"""Prediction with fitted scikit-learn parts by the same arithmetic, without per-call checks.

scikit-learn checks its input on every call (types, finiteness, dataframe libraries): for one
answer (a form page, a text) the checks cost ~10 times the arithmetic, and the model calls
~20 of them per answer. Each function here does what the named scikit-learn or scipy call
does, in the same order on the same numbers, so the results are the same to the last bit
(``tests/unit/test_analysis_linear.py`` compares them on the labelled answers).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2


def ngram_counts(vec: TfidfVectorizer, docs: Sequence[str]) -> list[Counter]:
    """Each document's n-grams (the vectoriser's analyser) with their counts, vocabulary or not."""
    analyse = vec.build_analyzer()
    return [Counter(analyse(doc)) for doc in docs]


def analyser_key(vec: TfidfVectorizer) -> str:
    """Vectorisers with the same key split any text into the same n-grams (their counts can be shared)."""
    names = ("input", "encoding", "decode_error", "strip_accents", "lowercase", "preprocessor", "tokenizer",
             "analyzer", "stop_words", "token_pattern", "ngram_range")
    return repr([getattr(vec, n) for n in names])


def tfidf_transform(vec: TfidfVectorizer, docs: Sequence[str], counts: list[Counter] | None = None) -> sp.csr_matrix:
    """``vec.transform(docs)`` for a fitted vectoriser with the Featuriser's settings (l2 norm,
    idf): counts of the vocabulary's n-grams, indices sorted, log + 1, times idf, row norm, as
    scikit-learn does them. ``counts``: ``ngram_counts(vec, docs)`` when already made."""
    vocabulary = vec.vocabulary_
    indices: list[int] = []
    values: list[int] = []
    indptr = [0]
    for counted in ngram_counts(vec, docs) if counts is None else counts:
        for feature, n in counted.items():
            j = vocabulary.get(feature)
            if j is not None:
                indices.append(j)
                values.append(n)
        indptr.append(len(indices))
    X = sp.csr_matrix((np.asarray(values, dtype=vec.dtype), np.asarray(indices, dtype=np.int32),
                       np.asarray(indptr, dtype=np.int32)), shape=(len(indptr) - 1, len(vocabulary)))
    X.sort_indices()
    if vec.sublinear_tf:
        np.log(X.data, X.data)
        X.data += 1.0
    X.data *= vec.idf_[X.indices]
    inplace_csr_row_normalize_l2(X)
    return X


def dense_csr(dense: np.ndarray) -> sp.csr_matrix:
    """``sp.csr_matrix(dense)``: its non-zero entries, row by row (no detour through COO)."""
    rows, cols = np.nonzero(dense)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=dense.shape[0]))])
    return sp.csr_matrix((dense[rows, cols], cols.astype(np.int32), indptr.astype(np.int32)), shape=dense.shape)


def hstack_rows(blocks: Sequence[sp.csr_matrix]) -> sp.csr_matrix:
    """``sp.hstack(blocks).tocsr()``: each row is the blocks' rows side by side, in block order
    (the same entries in the same order, so the same products). scipy's general stacking costs
    ~0.5 ms, more than the model's arithmetic for one answer."""
    n = blocks[0].shape[0]
    lengths = [np.diff(b.indptr) for b in blocks]
    indptr = np.concatenate([[0], np.cumsum(np.sum(lengths, axis=0))]).astype(np.int64)
    width = sum(b.shape[1] for b in blocks)
    index_dtype = np.int32 if max(width, int(indptr[-1])) < np.iinfo(np.int32).max else np.int64
    data = np.empty(int(indptr[-1]), dtype=np.result_type(*[b.dtype for b in blocks]))
    indices = np.empty(int(indptr[-1]), dtype=index_dtype)
    start, offset = indptr[:-1].copy(), 0
    for b, length in zip(blocks, lengths):
        # Where each of this block's entries goes: its row's next free place, in order.
        dest = np.repeat(start - b.indptr[:-1], length) + np.arange(b.nnz)
        data[dest] = b.data
        indices[dest] = b.indices + offset
        start += length
        offset += b.shape[1]
    return sp.csr_matrix((data, indices, indptr.astype(index_dtype)), shape=(n, width))


def linear_scores(clf, X: sp.csr_matrix) -> np.ndarray:
    """``clf.decision_function(X)`` of a fitted linear classifier by the same arithmetic
    (X @ coef.T + intercept), without the input checks that cost ~0.3 ms a call."""
    scores = X @ clf.coef_.T + clf.intercept_
    return scores.reshape(-1) if scores.shape[1] == 1 else scores


def positive_proba(clf, X: sp.csr_matrix) -> np.ndarray:
    """``clf.predict_proba(X)[:, <the True class>]`` of a fitted binary LogisticRegression."""
    from scipy.special import expit

    p = expit(linear_scores(clf, X))
    return p if list(clf.classes_).index(True) == 1 else 1 - p
