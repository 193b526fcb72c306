"""The model that ships inside the package, and how it is rebuilt.

``shipped/MANIFEST.json`` names the current artefact ``shipped/<version>.joblib`` with its
SHA-256, the training files and the data digest. A fresh install (no ``instance/`` files)
classifies with it; ``pipeline.instance_model()`` prefers a retrained model only when one has
passed the evaluation gate (``gate.py``) and been written to ``MODEL_PATH``.

Rebuild (reproducible: same data, same code, same version and predictions)::

    flask --app voice_service analyse train --from-repo     # or: make model

which trains on the training part of the repository's labelled data (``training.split``; the
gate part and the fresh evaluation set are never trained on) and replaces the artefact.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from .evaluate import to_examples
from .model import TextModel
from .training import data_digest, repo_records, split, training_files

SHIPPED_DIR = Path(__file__).with_name("shipped")
MANIFEST = "MANIFEST.json"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def train_from_repo(extra: list[dict] | None = None) -> tuple[TextModel, dict]:
    """A model trained on the repository's training part (plus ``extra`` records, e.g. the
    review queue's confirmations). Returns the model and a description of its data."""
    train, gate = split(repo_records())
    records = train + list(extra or [])
    model = TextModel().fit(to_examples(records))
    info = {"version": model.version, "answers": len(records), "from_review_queue": len(extra or []),
            "gate_answers": len(gate), "data_digest": data_digest(records),
            "files": [p.name for p in training_files()], "calibration": model.calibration,
            "safeguarding_threshold": model.safeguarding_threshold}
    return model, info


def write_shipped(model: TextModel, info: dict, directory: Path = SHIPPED_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.joblib"):
        old.unlink()
    path = model.save(directory / f"{model.version}.joblib")
    manifest = dict(info, file=path.name, sha256=sha256_of(path))
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def manifest(directory: Path = SHIPPED_DIR) -> dict | None:
    try:
        return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@lru_cache(maxsize=2)
def shipped_model(directory: Path = SHIPPED_DIR) -> TextModel | None:
    """The packaged model (checked against its manifest's SHA-256), or None if none is packaged."""
    info = manifest(directory)
    if info is None:
        return None
    path = directory / info["file"]
    if sha256_of(path) != info["sha256"]:
        raise ValueError(f"{path} does not match its manifest's checksum; rebuild it with "
                         "`flask analyse train --from-repo`")
    return TextModel.load(path)
