"""Every language: detection, risk words in other languages, unreadable text, crisis words."""

from __future__ import annotations

import pytest

from voice_service.analysis import lexicons
from voice_service.analysis.language import detect
from voice_service.analysis.pipeline import classify

WORRY = "What is worrying you?"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("বাবা আমাকে মারে", "bn"),  # Bengali: my father hits me
        ("aabbo wuu i garaacaa", "so"),  # Somali
        ("أبي يضربني", "ar"),  # Arabic
    ],
)
def test_a_disclosure_in_bengali_somali_or_arabic_raises_the_flag(text, language):
    result = classify(text, WORRY)
    assert result["safeguarding"] is True
    assert result["language"] == language
    assert result["needs_interpreter"] is True
    assert any(r.startswith("lexicon:") for r in result["evidence"]["safeguarding_reasons"])


def test_keyboard_mash_is_unreadable_not_a_disclosure():
    for text in ("xyzzy qwerty", "asdfghjkl", "?????"):
        result = classify(text, WORRY)
        assert result["unreadable"] is True, text
        assert result["safeguarding"] is False, text
        assert result["themes"] == [] and result["sentiment"] == "neutral"
        assert result["needs_interpreter"] is False


def test_a_self_harm_line_sets_crisis_and_an_ordinary_one_does_not():
    assert classify("i want to kill myself", WORRY)["crisis"] is True
    assert classify("i cut myself again last night", WORRY)["crisis"] is True
    assert classify("school is going well and i like my teacher", "What is going well?")["crisis"] is False


def test_an_answer_in_a_language_the_models_cannot_read_needs_an_interpreter():
    for text in ("Мой отец бьёт меня каждый день", "我爸爸每天都打我"):
        result = classify(text, WORRY)
        assert result["needs_interpreter"] is True, text
        assert result["unreadable"] is False
    english = classify("my social worker is nice and listens to me", "What is going well?")
    assert english["language"] == "en" and english["needs_interpreter"] is False


def test_english_short_answers_are_english():
    assert detect("ok").code == "en"
    assert detect("my dad hits me").code == "en"


def test_lexicon_matching_is_whole_words_with_star_endings(tmp_path):
    (tmp_path / "tr.toml").write_text(
        'status = "draft"\nlanguage = "tr"\nname = "Turkish"\n'
        '[categories.physical_abuse]\nphrases = ["beni döv*"]\n'
        '[crisis]\nphrases = ["ölmek istiyorum"]\n', encoding="utf-8")
    assert lexicons.match("babam beni dövüyor", tmp_path).categories == ["physical_abuse"]
    assert not lexicons.match("babam benidövüyor", tmp_path)
    assert lexicons.match("ÖLMEK İSTİYORUM", tmp_path).crisis or lexicons.match("ölmek istiyorum", tmp_path).crisis


def test_a_lexicon_file_naming_the_wrong_language_is_refused(tmp_path):
    (tmp_path / "pl.toml").write_text('status = "draft"\nlanguage = "pt"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="does not match the file name"):
        lexicons.load(tmp_path)
