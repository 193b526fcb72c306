"""``flask analyse ...``: classify JSON lines, evaluate, train.

Registered by the app factory with ``app.cli.add_command(analyse_cli)``; the commands also run
without an app (``click.testing.CliRunner`` or ``python -m voice_service.analysis.cli``), and
then need ``--model``/``--out`` paths instead of the instance folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

MODEL_FILENAME = "analysis_model.joblib"


def instance_model_path() -> Path | None:
    """``<instance folder>/analysis_model.joblib`` when a Flask app is at hand, else None."""
    try:
        from flask import current_app, has_app_context

        if has_app_context():
            return Path(current_app.instance_path) / MODEL_FILENAME
        from flask.cli import ScriptInfo

        ctx = click.get_current_context(silent=True)
        info = ctx.find_object(ScriptInfo) if ctx else None
        if info is not None:
            return Path(info.load_app().instance_path) / MODEL_FILENAME
    except Exception:  # no app configured: the caller falls back to explicit paths
        return None
    return None


def _load_model(path: str | None):
    from .model import TextModel

    if path:
        return TextModel.load(path)
    default = instance_model_path()
    if default is not None and default.exists():
        return TextModel.load(default)
    return None


@click.group("analyse")
def analyse_cli() -> None:
    """Themes, sentiment and safeguarding flags for free-text answers."""


@analyse_cli.command("classify")
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--model", "model_path", type=click.Path(dir_okay=False, exists=True),
              help="Trained model file (default: the instance folder's, if any; else the codebook alone).")
def classify_cmd(file, model_path: str | None) -> None:
    """Classify JSON lines {"id","text","question"?} from FILE (default stdin) to stdout."""
    from .pipeline import classify_lines

    model = _load_model(model_path)
    out = sys.stdout
    counts = classify_lines(file, out, model=model)
    source = f"model {model.version} + codebook" if model else "codebook"
    click.echo(f"classified {counts['classified']}, errors {counts['errors']} ({source})", err=True)


@analyse_cli.command("evaluate")
@click.option("--labels", "labels_path", type=click.Path(dir_okay=False, exists=True),
              help="Labelled answers (JSON lines with themes, sentiment, safeguarding).")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20))
@click.option("--nhs", "nhs_dir", type=click.Path(file_okay=False, exists=True),
              help="Directory of the public NHS feedback set (evaluation only).")
def evaluate_cmd(labels_path: str | None, folds: int, nhs_dir: str | None) -> None:
    """Precision/recall/F1 per theme, sentiment and safeguarding; k-fold CV of the model."""
    from .evaluate import report

    if not labels_path and not nhs_dir:
        raise click.UsageError("give --labels FILE and/or --nhs DIR")
    report(labels_path, folds=folds, nhs_dir=nhs_dir, out=sys.stdout,
           progress=lambda msg: click.echo(msg, err=True))


@analyse_cli.command("train")
@click.option("--labels", "labels_path", type=click.Path(dir_okay=False, exists=True), required=True,
              help="Labelled answers (JSON lines). Phase 2 will read QA corrections from the database.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False),
              help=f"Where to write the model (default: <instance folder>/{MODEL_FILENAME}).")
def train_cmd(labels_path: str, out_path: str | None) -> None:
    """Train the theme and sentiment model and save it with its version."""
    from .evaluate import load_labelled, to_examples
    from .model import TextModel

    target = Path(out_path) if out_path else instance_model_path()
    if target is None:
        raise click.UsageError("no Flask app to find the instance folder: give --out PATH")
    records = load_labelled(labels_path)
    model = TextModel().fit(to_examples(records))
    model.save(target)
    trusted = [t for t in model.labels if model.trusted(t)]
    click.echo(f"trained {model.version} on {len(records)} answers; model decides {len(trusted)} themes "
               f"(codebook the rest); saved to {target}")


if __name__ == "__main__":  # pragma: no cover
    analyse_cli(sys.argv[1:])
