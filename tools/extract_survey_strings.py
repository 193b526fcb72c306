#!/usr/bin/env python
"""Write voice_service/translations/surveys.pot: every English string of every survey file.

Translators then work in the gettext domain `surveys` (see surveys/README.md):

    python tools/extract_survey_strings.py
    pybabel init   -D surveys -i voice_service/translations/surveys.pot -d voice_service/translations -l bn  # once
    pybabel update -D surveys -i voice_service/translations/surveys.pot -d voice_service/translations       # later
    pybabel compile -D surveys -d voice_service/translations

Each entry says where the string is written (file and line) and, for text messages, the length
rule its translation must keep. Strings written once in surveys/shared/ appear once.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voice_service.survey_text import SMS_PLACEHOLDERS, survey_strings  # noqa: E402
from voice_service.survey_validation import inspect_surveys  # noqa: E402

DEFAULT_OUTPUT = ROOT / "voice_service" / "translations" / "surveys.pot"


def _locate(text: str, candidates: list[str], surveys_dir: Path, cache: dict[str, list[str]]) -> tuple[str, int]:
    """(file, line) where `text` is written: the first candidate file that contains it."""
    first = text.splitlines()[0][:40].replace("\\", "\\\\").replace('"', '\\"')
    for source in candidates:
        if source not in cache:
            try:
                cache[source] = (surveys_dir / source).read_text(encoding="utf-8").splitlines()
            except OSError:
                cache[source] = []
        for number, line in enumerate(cache[source], start=1):
            if first and first in line:
                return source, number
    return candidates[0], 0


def _note(question_id: str | None, field: str, sms_budget: int | None) -> list[str]:
    where = f"question {question_id}, {field}" if question_id else field
    notes = [where]
    if sms_budget is not None:
        notes.append(
            f"SMS: must fit {sms_budget} text message{'s' if sms_budget > 1 else ''} "
            f"({'160' if sms_budget == 1 else 153 * sms_budget} plain characters; "
            f"{'70' if sms_budget == 1 else 67 * sms_budget} in Bengali, Arabic or with any emoji). "
            f"Keep {', '.join('{' + p + '}' for p in SMS_PLACEHOLDERS)} exactly as they are; a link counts 45."
        )
    elif field in ("intro", "closing") or field.startswith("signposting") or field == "hint":
        notes.append("Keep any {placeholder} exactly as it is.")
    return notes


def build_catalogue(surveys_dir: Path) -> tuple[Catalog, list[str]]:
    report = inspect_surveys(surveys_dir)
    catalogue = Catalog(
        domain="surveys", project="Family and child voice service: survey content",
        msgid_bugs_address="", copyright_holder="the council", charset="utf-8",
    )
    files: dict[str, list[str]] = {}
    for survey in sorted(report.surveys, key=lambda s: (s.source, s.version)):
        for question_id, field, text, source in survey_strings(survey):
            # Survey-wide strings (closing, signposting, texts) may come from an included file.
            candidates = [source] if question_id else [survey.source, *reversed(survey.includes)]
            if field.startswith("sms."):
                budget = survey.sms_max_segments.get(field[4:], 1)
            elif field == "sms" or field.startswith("options."):
                budget = 1
            else:
                budget = None
            where, line = _locate(text, candidates, surveys_dir, files)
            catalogue.add(
                text,
                locations=[(f"surveys/{where}", line)],
                auto_comments=_note(question_id, field, budget),
            )
    return catalogue, report.problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surveys", type=Path, default=ROOT / "surveys", help="survey folder")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the .pot file")
    args = parser.parse_args(argv)
    catalogue, problems = build_catalogue(args.surveys)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("wb") as fh:
        write_po(fh, catalogue, width=100, sort_output=False, include_previous=False)
    print(f"wrote {len(catalogue)} strings to {args.output}")
    if problems:
        print(f"note: {len(problems)} problem(s) in the survey files; run `flask surveys check`", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
