"""classify() and the JSON-lines contract, as a caller sees them."""
from __future__ import annotations

import io
import json

from click.testing import CliRunner

from voice_service.analysis.cli import analyse_cli
from voice_service.analysis.codebook import THEME_IDS, codebook_themes, normalise
from voice_service.analysis.pipeline import classify, classify_lines
from voice_service.analysis.redaction import redact


def run_lines(text: str) -> list[dict]:
    out = io.StringIO()
    classify_lines(io.StringIO(text), out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_classify_returns_the_documented_shape():
    result = classify("my sw Sarah never comes and I miss my brother", question="What could be better?",
                      known_names=["Sarah"])
    assert set(result) == {"themes", "sentiment", "safeguarding", "evidence", "redacted", "language",
                           "needs_interpreter", "unreadable", "crisis", "version"}
    assert result["language"] == "en" and result["needs_interpreter"] is False and result["crisis"] is False
    assert result["themes"] == ["worker_relationship", "family_contact"]
    assert all(t in THEME_IDS for t in result["themes"])
    assert result["evidence"]["themes"]["worker_relationship"] == ["sw"]
    assert result["sentiment"] == "negative"
    assert result["safeguarding"] is False
    assert result["redacted"] == "my sw [name] never comes and I miss my brother"


def test_text_speak_and_misspelling_still_find_themes_with_original_words_as_evidence():
    hits = codebook_themes("my soshal wrker dont lisen 2 me n skool is rubbish")
    assert hits["worker_relationship"] == ["soshal wrker"]
    assert hits["listened_to"] == ["lisen 2"] or hits["listened_to"] == ["lisen"]
    assert hits["education"] == ["skool"]
    assert normalise("mum n dad").text == "mum and dad"
    assert "family_contact" in codebook_themes("i want to see mum n dad more")


def test_classify_lines_contract_with_malformed_lines_and_blank_lines():
    lines = "\n".join([
        json.dumps({"id": "a1", "text": "I like my foster carer", "question": "What is going well?", "respondent": "child"}),
        "",
        "{not json",
        json.dumps({"id": "a2"}),
        json.dumps({"text": "no id"}),
        json.dumps({"id": "a3", "text": 42}),
        json.dumps({"id": "a4", "text": "hi", "question": 7}),
        json.dumps(["a", "list"]),
        json.dumps({"id": 5, "text": "please dont make me go back there", "meeting": "m-1"}),
    ]) + "\n"
    out = run_lines(lines)
    assert len(out) == 8  # one per non-blank input line
    assert out[0]["id"] == "a1" and set(out[0]) == {"id", "themes", "sentiment", "safeguarding", "evidence"}
    assert out[0]["themes"] == ["home_and_care"] and out[0]["sentiment"] == "positive"
    errors = {o["line"]: o["error"] for o in out if "error" in o}
    assert set(errors) == {3, 4, 5, 6, 7, 8}  # line numbers count blank lines
    assert "JSON" in errors[3]
    assert "text" in errors[4] and "id" in errors[5] and "text" in errors[6] and "question" in errors[7]
    assert out[-1] == {**out[-1], "id": 5, "safeguarding": True, "sentiment": "negative"}
    assert out[-1]["evidence"]["safeguarding"]


def test_cli_classify_reads_a_file_and_reports_counts(tmp_path):
    src = tmp_path / "answers.jsonl"
    src.write_text('{"id": "x", "text": "nothing", "question": "What could be better?"}\nbroken\n', encoding="utf-8")
    result = CliRunner().invoke(analyse_cli, ["classify", str(src)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["id"] == "x" and lines[0]["sentiment"] == "neutral" and lines[0]["themes"] == []
    assert lines[1] == {"line": 2, "error": lines[1]["error"]}
    assert "classified 1, errors 1" in result.stderr


def test_cli_classify_defaults_to_stdin():
    result = CliRunner().invoke(analyse_cli, ["classify"], input='{"id": 1, "text": "i want to kms"}\n')
    assert result.exit_code == 0
    assert json.loads(result.stdout.splitlines()[0])["safeguarding"] is True


def test_cli_evaluate_needs_something_to_evaluate():
    result = CliRunner().invoke(analyse_cli, ["evaluate"])
    assert result.exit_code != 0 and "--labels" in result.output


def test_redaction_of_phones_postcodes_emails_addresses_and_names():
    text = ("Ring me on 07700 900123 or +44 7700 900456, email jo.bloggs@example.com. "
            "We live at 14 Elm Road, E8 1AB. My sw Sarah and my brother Jake know, and Kayden too.")
    out = redact(text, known_names=["Kayden Smith"])
    for secret in ("07700", "900456", "jo.bloggs", "example.com", "14 Elm Road", "E8 1AB", "Sarah", "Jake", "Kayden"):
        assert secret not in out, (secret, out)
    assert out.count("[phone]") == 2 and "[email]" in out and "[postcode]" in out and "[address]" in out
    assert "My sw [name]" in out and "my brother [name]" in out


def test_redaction_keeps_ordinary_capitalised_words_and_possessives():
    assert redact("I went to Tesco on Monday and played Minecraft") == "I went to Tesco on Monday and played Minecraft"
    assert redact("Then Jake's dad came") == "Then [name]'s dad came"
    assert redact("call 020 7946 0000 or 0161 496 0000") == "call [phone] or [phone]"
