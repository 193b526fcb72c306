"""Every survey in every language: the real files pass the check with all four languages
required, and the check names survey, question and language when a translation is missing or
a text is over its SMS budget."""
from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from voice_service.conversation import question_prompt
from voice_service.messaging.segments import segment_limit, sms_segments
from voice_service.survey_text import SMS_PLACEHOLDER_SAMPLES, fill_placeholders
from voice_service.surveys import check_surveys, load_surveys, localise

ROOT = Path(__file__).resolve().parents[2]
SURVEYS_DIR = ROOT / "surveys"
LANGUAGES = ("en", "bn", "so", "ar")


def test_every_survey_is_in_every_language_and_within_its_sms_budgets():
    assert check_surveys(SURVEYS_DIR, required_languages=LANGUAGES) == []
    surveys = load_surveys(SURVEYS_DIR).all()
    assert len(surveys) >= 38
    assert all(set(s.draft_languages) == {"bn", "so", "ar"} for s in surveys)


def test_the_cli_check_requires_every_language(app):
    result = app.test_cli_runner().invoke(args=["surveys", "check"])
    assert result.exit_code == 0, result.output
    assert "all 45 survey files are valid" in result.output and "draft: ar, bn, so" in result.output


def test_bengali_and_arabic_prompts_are_ucs2_and_fit_the_declared_budget():
    for survey in load_surveys(SURVEYS_DIR).all():
        budget = survey.sms_max_segments["question"]
        for language in ("bn", "ar"):
            seen = localise(survey, language)
            for question in seen.questions:
                encoding, segments, length = sms_segments(question_prompt(seen, question, language))
                assert encoding == "UCS-2", (survey.id, question.id, language)
                assert segments <= budget and length <= segment_limit("UCS-2", budget), (survey.id, question.id, language)
            invite = fill_placeholders(seen.sms["invite"], SMS_PLACEHOLDER_SAMPLES)
            assert sms_segments(invite)[1] <= survey.sms_max_segments["invite"]
            assert seen.sms["invite"] != survey.sms["invite"]  # translated, not the English


def test_somali_is_gsm7_where_it_can_be():
    survey = load_surveys(SURVEYS_DIR).get("cp_conference_parent")
    somali = localise(survey, "so")
    assert sms_segments(somali.questions[0].wording.sms)[0] == "GSM-7"


def _catalogue(tmp_path: Path, language: str, messages: dict[str, str]) -> Path:
    folder = tmp_path / "translations" / language / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = Catalog(locale=language, domain="surveys")
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    with (folder / "surveys.mo").open("wb") as fh:
        write_mo(fh, catalog)
    return tmp_path / "translations"


SURVEY = '''id = "t_parent"
version = 1
title = "Your views"
roles = ["parent"]
age_bands = ["adult"]
meeting_types = ["cin_review"]
draft_languages = [{drafts}]
intro = "Hello."
closing = "Thanks."
signposting = ["Call {{advocacy_phone}}."]

[sms]
invite = "Hi, this is {{service}}. Tap {{link}} or reply to this text to answer here."
reminder = "Hi, this is {{service}}. Tap {{link}} or reply to this text to answer here."
close = "Closed."
thanks = "Thanks."
you_said_we_did = "See {{link}}"
safeguarding_reply = "Call 999."

[[questions]]
id = "how"
kind = "scale"
web = "How is it?"
sms = "How is it? Reply 1 good, 2 OK or 3 bad"
[[questions.options]]
id = "good"
label = "Good"
emoji = "🙂"
[[questions.options]]
id = "ok"
label = "OK"
emoji = "😐"
[[questions.options]]
id = "bad"
label = "Bad"
emoji = "🙁"

[[questions]]
id = "visibility"
kind = "visibility"
web = "Who may see?"
sms = "Who may see? Reply 1, 2 or 3"

[[questions]]
id = "advocate"
kind = "advocate"
web = "Help?"
sms = "Help? Reply 1 or 2"
[[questions.options]]
id = "advocate"
label = "An advocate"
[[questions.options]]
id = "no_thanks"
label = "No thanks"
'''


def test_a_missing_language_or_translation_names_survey_question_and_language(tmp_path):
    surveys = tmp_path / "surveys"
    surveys.mkdir()
    (surveys / "t_parent.v1.toml").write_text(SURVEY.format(drafts='"bn"'), encoding="utf-8")
    translations = _catalogue(tmp_path, "bn", {"How is it?": "কেমন?"})
    problems = check_surveys(surveys, translations, required_languages=("en", "bn", "ar"))
    assert any(p.startswith("t_parent.v1.toml: -: draft_languages: 'ar' is missing") for p in problems)
    assert any(p.startswith("t_parent.v1.toml: how: sms (bn): no bn translation") for p in problems)
    assert any(p.startswith("t_parent.v1.toml: -: intro (bn): no bn translation") for p in problems)
    # Without the requirement a draft may still be partial (as before).
    assert not any("(bn): no bn translation" in p for p in check_surveys(surveys, translations))


def test_a_translated_prompt_over_its_budget_is_named(tmp_path):
    surveys = tmp_path / "surveys"
    surveys.mkdir()
    (surveys / "t_parent.v1.toml").write_text(SURVEY.format(drafts='"bn"'), encoding="utf-8")
    # The wording fits one SMS (70) alone, but with "(1/3) " and its options it does not.
    translations = _catalogue(tmp_path, "bn", {"How is it? Reply 1 good, 2 OK or 3 bad": "ক" * 64,
                                               "Good": "ভালো", "OK": "ঠিক", "Bad": "খারাপ"})
    problems = check_surveys(surveys, translations)
    prompt = [p for p in problems if p.startswith("t_parent.v1.toml: how: sms prompt (bn): ")]
    assert prompt and "UCS-2" in prompt[0] and "sms_max_segments.question" in prompt[0]
    assert not any(p.startswith("t_parent.v1.toml: how: sms: ") for p in problems)
