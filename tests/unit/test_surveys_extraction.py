"""tools/extract_survey_strings.py: every English survey string reaches the translators' template."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from babel.messages.pofile import read_po

from voice_service.surveys import load_surveys, survey_strings

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location("extract_survey_strings", ROOT / "tools" / "extract_survey_strings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_template_holds_every_string_once_with_its_file_and_sms_rule(tmp_path):
    output = tmp_path / "surveys.pot"
    assert _tool().main(["--output", str(output)]) == 0
    with output.open("rb") as fh:
        catalogue = read_po(fh, domain="surveys")
    registry = load_surveys(ROOT / "surveys")
    expected = {text for survey in registry.all() for _, _, text, _ in survey_strings(survey)}
    ids = {m.id for m in catalogue if m.id}
    assert ids == expected
    feelings = catalogue["How do you feel at the moment?"]
    assert any(path == "surveys/shared/child_8_12.toml" and line > 0 for path, line in feelings.locations)
    parent = registry.get("cp_conference_parent")
    comments = " ".join(catalogue[parent.sms["invite"]].auto_comments)
    assert parent.sms_max_segments["invite"] == 3  # declared in surveys/shared/parent.toml for UCS-2 translations
    assert "must fit 3 text messages" in comments and "{link}" in comments
    question_sms = next(q.wording.sms for q in registry.get("cp_conference_parent").questions if q.id == "worries")
    assert "must fit 1 text message (160" in " ".join(catalogue[question_sms].auto_comments)


def test_the_committed_template_is_up_to_date(tmp_path):
    """Run `python tools/extract_survey_strings.py` after changing survey wording."""
    output = tmp_path / "surveys.pot"
    _tool().main(["--output", str(output)])

    def ids(path: Path) -> set[str]:
        with path.open("rb") as fh:
            return {m.id for m in read_po(fh) if m.id}

    assert ids(ROOT / "voice_service" / "translations" / "surveys.pot") == ids(output)
