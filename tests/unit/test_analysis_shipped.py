"""The model ships: a fresh install (no instance/ files) classifies with the packaged model."""

from __future__ import annotations

from voice_service.analysis.pipeline import classify, instance_model
from voice_service.analysis.shipped import manifest, sha256_of, SHIPPED_DIR


def test_the_shipped_model_is_used_on_a_fresh_install(tmp_path):
    from flask import Flask

    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    app.config["MODEL_PATH"] = str(tmp_path / "instance" / "theme_model.joblib")  # does not exist
    with app.app_context():
        model = instance_model()
    info = manifest()
    assert model is not None and model.version == info["version"]
    assert sha256_of(SHIPPED_DIR / info["file"]) == info["sha256"]
    result = classify("my mums boyfriend hits me when shes at work", "What is worrying you?", model=model)
    assert result["safeguarding"] is True
    assert any(e.startswith(f"model:{model.version}") for e in result["evidence"]["safeguarding"])
    assert result["version"] == model.version
