"""``flask analyse ...``: classify JSON lines, evaluate, train.

Registered by the app factory with ``app.cli.add_command(analyse_cli)``; the commands also run
without an app (``click.testing.CliRunner`` or ``python -m voice_service.analysis.cli``), and
then need ``--model``/``--out`` paths instead of the instance folder, and ``train`` needs
``--labels FILE`` (the person-confirmed labels in the database need the app).

The model file: ``app.config["MODEL_PATH"]`` when set, else ``<instance folder>/analysis_model.joblib``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

MODEL_FILENAME = "analysis_model.joblib"


def _model_path_of(app) -> Path:
    configured = app.config.get("MODEL_PATH")
    return Path(configured) if configured else Path(app.instance_path) / MODEL_FILENAME


def _current_app_or_none():
    """The Flask app: the active one, or the one ``flask --app`` names; None without one."""
    try:
        from flask import current_app, has_app_context

        if has_app_context():
            return current_app._get_current_object()
        from flask.cli import ScriptInfo

        ctx = click.get_current_context(silent=True)
        info = ctx.find_object(ScriptInfo) if ctx else None
        if info is not None:
            return info.load_app()
    except Exception:  # no app configured: the caller falls back to explicit paths
        return None
    return None


def instance_model_path() -> Path | None:
    """The model file of the Flask app at hand (``MODEL_PATH``), else None."""
    app = _current_app_or_none()
    return _model_path_of(app) if app is not None else None


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
              help="Folder holding the public NHS feedback set's pxtextmining_v6framework_230831.csv "
                   "(evaluation only, kept outside the repository, e.g. ../shared/datasets/nhs-feedback).")
@click.option("--holdout", "holdout", multiple=True, type=click.Path(dir_okay=False, exists=True),
              help="Held-out safeguarding set(s) (JSON lines with text and safeguarding); repeatable.")
@click.option("--by-category", "category_dir", type=click.Path(file_okay=False, exists=True),
              help="A set written by category (one JSON-lines file per category, e.g. tests/data/fresh_eval): "
                   "recall per category and age band, false alarms per 1,000, with the shipped model.")
def evaluate_cmd(labels_path: str | None, folds: int, nhs_dir: str | None, holdout: tuple[str, ...],
                 category_dir: str | None = None) -> None:
    """Precision/recall/F1 per theme, sentiment and safeguarding; k-fold CV of the model."""
    from .evaluate import NHS_FILE, report

    if category_dir:
        from .by_category import format_report, load_set, score
        from .pipeline import classify, instance_model

        model = instance_model()
        records = load_set(category_dir)
        click.echo(f"scoring {len(records)} answers from {category_dir} with model {getattr(model, 'version', 'none')}...",
                   err=True)
        click.echo(format_report(score(records, lambda text, question: classify(text, question=question, model=model))))
        if not labels_path and not nhs_dir and not holdout:
            return
    if not labels_path and not nhs_dir and not holdout:
        raise click.UsageError("give --labels FILE, --nhs DIR, --holdout FILE and/or --by-category DIR")
    if nhs_dir and not (Path(nhs_dir) / NHS_FILE).is_file():
        raise click.UsageError(f"--nhs {nhs_dir} holds no {NHS_FILE}: point it at the NHS set's folder "
                               "(evaluation only, kept outside the repository, e.g. ../shared/datasets/nhs-feedback)")
    report(labels_path, folds=folds, nhs_dir=nhs_dir, out=sys.stdout,
           progress=lambda msg: click.echo(msg, err=True), holdout=holdout)


def labels_from_db() -> list[dict]:
    """Person-confirmed labels (the review queue's), in the labels-file format. Needs an app context."""
    from .review import labelled_examples_from_db

    return labelled_examples_from_db()


@analyse_cli.command("train")
@click.option("--labels", "labels_path", type=click.Path(dir_okay=False, exists=True),
              help="Labelled answers (JSON lines: id, text, question, themes, sentiment, safeguarding).")
@click.option("--from-db/--no-db", "from_db", default=None,
              help="Also use the labels people confirmed in the review queue (the default when no --labels).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False),
              help="Where to write the model (default: the app's MODEL_PATH, in the instance folder).")
@click.option("--from-repo", "from_repo", is_flag=True,
              help="Rebuild the shipped model (voice_service/analysis/shipped/) from the repository's labelled data.")
def train_cmd(labels_path: str | None, from_db: bool | None, out_path: str | None, from_repo: bool = False) -> None:
    """Train the theme, sentiment and safeguarding model from person-confirmed labels and save it."""
    from .evaluate import load_labelled, to_examples
    from .model import TextModel

    if from_repo:
        from .shipped import train_from_repo, write_shipped

        model, info = train_from_repo()
        path = write_shipped(model, info)
        click.echo(f"trained {model.version} on {info['answers']} answers from the repository "
                   f"(threshold {model.safeguarding_threshold:.2f}); shipped as {path}")
        return

    if from_db is None:
        from_db = labels_path is None
    if not labels_path and not from_db:
        raise click.UsageError("nothing to learn from: give --labels FILE and/or --from-db")
    app = _current_app_or_none()
    target = Path(out_path) if out_path else (_model_path_of(app) if app is not None else None)
    if target is None:
        raise click.UsageError("no Flask app to find the instance folder: give --out PATH "
                               "(or run `flask --app voice_service analyse train`)")
    records: list[dict] = []
    sources = []
    if labels_path:
        from_file = load_labelled(labels_path)
        records += from_file
        sources.append(f"{len(from_file)} from {labels_path}")
    if from_db:
        if app is None:
            raise click.UsageError("--from-db reads the database: run `flask --app voice_service analyse train`")
        with app.app_context():
            stored = labels_from_db()
        records += stored
        sources.append(f"{len(stored)} confirmed in the review queue")
    usable = [r for r in records if (r.get("text") or "").strip()]
    if len(usable) < 10 or len({t for r in usable for t in r.get("themes") or ()}) == 0:
        raise click.ClickException(
            f"too few labelled answers to learn from ({len(usable)}: {'; '.join(sources)}); "
            "at least 10 with themes are needed. No model was written.")
    model = TextModel().fit(to_examples(usable))
    model.save(target)
    trusted = [t for t in model.labels if model.trusted(t)]
    flag = "with" if model.safeguarding_model is not None else "without"
    click.echo(f"trained {model.version} on {len(usable)} answers ({'; '.join(sources)}); model decides "
               f"{len(trusted)} themes (codebook the rest), {flag} a trained safeguarding flag; saved to {target}")


if __name__ == "__main__":  # pragma: no cover
    analyse_cli(sys.argv[1:])
