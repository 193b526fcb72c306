"""Broken survey files: each problem names the file, the question and the field, and all are listed."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from voice_service.surveys import SurveyError, check_surveys, load_surveys, survey_strings

REAL_SURVEYS = Path(__file__).resolve().parents[2] / "surveys"

SURVEY = '''
id = "{id}"
version = 1
title = "Your views"
roles = {roles}
age_bands = {age_bands}
meeting_types = {meeting_types}
languages = {languages}
intro = "Hello. You can skip any question."
closing = "Thank you."
signposting = ["Childline: call 0800 1111.", "Advocacy: {{advocacy_phone}}.", "Duty team: {{duty_team_phone}}."]

[sms]
invite = "Hi, this is {{service}}. Tap {{link}} or reply to this text to answer here."
reminder = "Hi, this is {{service}}. Tap {{link}} or reply to this text to answer here."
close = "Hi, this is {{service}}. The time to answer has ended."
thanks = "Thank you. Your answers are saved."
you_said_we_did = "Hi, this is {{service}}. See what changed: {{link}}"
safeguarding_reply = "Thank you for telling us. If you are in danger now, call 999."

{questions}

[[questions]]
id = "visibility"
kind = "visibility"
web = "Who may see your answers?"
easy_read = "Who can see your answers?"
sms = "Who can see your answers? Reply 1, 2 or 3"

[[questions]]
id = "advocate"
kind = "advocate"
web = "Would you like help to have your say?"
easy_read = "Would you like a helper?"
sms = "Would you like help to have your say? Reply 1 advocate or 2 no thanks"

[[questions.options]]
id = "advocate"
label = "An advocate"

[[questions.options]]
id = "no_thanks"
label = "No thanks"
'''

GOOD_QUESTION = '''
[[questions]]
id = "going_well"
kind = "free_text"
web = "What is going well?"
easy_read = "What is good?"
sms = "What is going well? Reply in your own words."
'''


def write_survey(directory: Path, *, id="t_child", questions=GOOD_QUESTION, roles='["child"]', age_bands='["8_12"]',
                 meeting_types='["cin_review"]', languages='["en"]', name=None, extra="") -> str:
    text = SURVEY.format(id=id, roles=roles, age_bands=age_bands, meeting_types=meeting_types,
                         languages=languages, questions=questions)
    # Top-level keys must come before the first table.
    text = extra + text
    path = directory / (name or f"{id}.v1.toml")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path.relative_to(directory).as_posix()


def only(problems: list[str], start: str) -> str:
    found = [p for p in problems if p.startswith(start)]
    assert len(found) == 1, f"expected one problem starting {start!r}, got: {problems}"
    return found[0]


def test_a_minimal_valid_survey_loads(tmp_path):
    write_survey(tmp_path)
    assert check_surveys(tmp_path) == []
    survey = load_surveys(tmp_path).get("t_child")
    assert [q.id for q in survey.questions] == ["going_well", "visibility", "advocate"]
    # visibility options default to the vocabulary ids
    assert [o.id for o in survey.questions[1].options] == ["chair_only", "worker_and_chair", "meeting"]


def test_bad_toml_names_the_file_and_the_line(tmp_path):
    file = write_survey(tmp_path)
    (tmp_path / file).write_text('id = "broken\nversion = 1\n', encoding="utf-8")
    problem = only(check_surveys(tmp_path), f"{file}: -: toml: ")
    assert "not valid TOML" in problem and "line 1" in problem


def test_unknown_kind(tmp_path):
    file = write_survey(tmp_path, questions=GOOD_QUESTION.replace('"free_text"', '"slider"'))
    problem = only(check_surveys(tmp_path), f"{file}: going_well: kind: ")
    assert "'slider' is not a question kind" in problem and "free_text" in problem


def test_missing_sms_wording(tmp_path):
    file = write_survey(tmp_path, questions=GOOD_QUESTION.replace('sms = "What is going well? Reply in your own words."', ""))
    assert "missing" in only(check_surveys(tmp_path), f"{file}: going_well: sms: ")


def test_over_long_sms_wording(tmp_path):
    long = "What is going well for you at home, at school, with your friends and family? " * 3
    file = write_survey(tmp_path, questions=GOOD_QUESTION.replace("What is going well? Reply in your own words.", long.strip()))
    problem = only(check_surveys(tmp_path), f"{file}: going_well: sms: ")
    assert "too long for 1 SMS" in problem and "at most 160" in problem and "shorten it by" in problem


def test_a_curly_apostrophe_cuts_the_limit_to_70_and_is_named(tmp_path):
    text = "What’s going well for you at the moment, at home and at school and with friends?"
    file = write_survey(tmp_path, questions=GOOD_QUESTION.replace("What is going well? Reply in your own words.", text))
    problem = only(check_surveys(tmp_path), f"{file}: going_well: sms: ")
    assert "UCS-2" in problem and "'’'" in problem and "70" in problem


def test_duplicate_question_id(tmp_path):
    file = write_survey(tmp_path, questions=GOOD_QUESTION + GOOD_QUESTION)
    assert "used twice" in only(check_surveys(tmp_path), f"{file}: going_well: id: ")


def test_unknown_meeting_type(tmp_path):
    file = write_survey(tmp_path, meeting_types='["court_hearing"]')
    problem = only(check_surveys(tmp_path), f"{file}: -: meeting_types: ")
    assert "'court_hearing' is not known" in problem and "cp_conference" in problem


def test_a_required_question_for_a_child(tmp_path):
    file = write_survey(tmp_path, questions=GOOD_QUESTION + "required = true\n")
    assert "ever compulsory for a child" in only(check_surveys(tmp_path), f"{file}: going_well: required: ")


def test_a_required_question_for_a_parent_is_allowed(tmp_path):
    write_survey(tmp_path, id="t_parent", roles='["parent"]', age_bands='["adult"]',
                 questions=GOOD_QUESTION + "required = true\n")
    assert check_surveys(tmp_path) == []


def test_easy_read_is_needed_for_children(tmp_path):
    file = write_survey(tmp_path, questions=GOOD_QUESTION.replace('easy_read = "What is good?"', ""))
    assert "easy-read" in only(check_surveys(tmp_path), f"{file}: going_well: easy_read: ")


def test_scale_points_need_an_emoji_and_a_label(tmp_path):
    scale = '''
[[questions]]
id = "feelings"
kind = "scale"
web = "How do you feel?"
easy_read = "How do you feel?"
sms = "How do you feel? Reply 1 happy, 2 OK or 3 sad"

[[questions.options]]
id = "happy"
label = "Happy"
emoji = "🙂"

[[questions.options]]
id = "ok"
label = "OK"

[[questions.options]]
id = "sad"
emoji = "🙁"
'''
    file = write_survey(tmp_path, questions=scale)
    problems = check_surveys(tmp_path)
    assert "emoji" in only(problems, f"{file}: feelings: options.ok.emoji: ")
    assert "text label" in only(problems, f"{file}: feelings: options.sad.label: ")


def test_sms_must_be_neutral(tmp_path):
    file = write_survey(tmp_path, questions=GOOD_QUESTION.replace("What is going well?", "How is your social worker?", 1)
                        .replace("What is going well? Reply", "How is your social worker? Reply"))
    problem = only(check_surveys(tmp_path), f"{file}: going_well: sms: ")
    assert "'social worker'" in problem and "shared" in problem


def test_invite_needs_service_link_and_the_reply_offer(tmp_path):
    file = write_survey(tmp_path)
    path = tmp_path / file
    path.write_text(path.read_text().replace(
        'invite = "Hi, this is {service}. Tap {link} or reply to this text to answer here."',
        'invite = "Before the child protection conference on {meeting_date}, tell us what you think at {url}"'))
    problems = [p for p in check_surveys(tmp_path) if p.startswith(f"{file}: -: sms.invite: ")]
    text = "\n".join(problems)
    assert "'child protection'" in text and "'conference'" in text
    assert "{url}" in text and "add {service}" in text and "add {link}" in text and "reply to this text" in text


def test_sms_message_budget_counts_a_45_character_link(tmp_path):
    file = write_survey(tmp_path)
    path = tmp_path / file
    long = "Hi, this is {service}. " + "We would like to hear from you. " * 3 + "{link}"
    path.write_text(path.read_text().replace('you_said_we_did = "Hi, this is {service}. See what changed: {link}"',
                                             f'you_said_we_did = "{long}"'))
    assert check_surveys(tmp_path) == []  # fits two segments (the default budget)
    path.write_text(path.read_text().replace("[sms]", "[sms_max_segments]\nyou_said_we_did = 1\n\n[sms]"))
    problem = only(check_surveys(tmp_path), f"{file}: -: sms.you_said_we_did: ")
    assert "a link counts 45" in problem


def test_the_last_questions_must_be_visibility_then_advocate(tmp_path):
    file = write_survey(tmp_path)
    path = tmp_path / file
    path.write_text(path.read_text() + GOOD_QUESTION.replace("going_well", "last_words"))
    assert "last two questions" in only(check_surveys(tmp_path), f"{file}: -: questions: ")


def test_unknown_field_suggests_the_right_name(tmp_path):
    file = write_survey(tmp_path, questions=GOOD_QUESTION.replace("easy_read =", "easyread ="))
    problems = check_surveys(tmp_path)
    assert "did you mean 'easy_read'?" in only(problems, f"{file}: going_well: easyread: ")


def test_file_name_must_match_id_and_version(tmp_path):
    file = write_survey(tmp_path, name="wrong_name.toml")
    assert "t_child.v1.toml" in only(check_surveys(tmp_path), f"{file}: -: id: ")


def test_two_surveys_for_the_same_audience_are_ambiguous(tmp_path):
    write_survey(tmp_path, id="a_child")
    file = write_survey(tmp_path, id="b_child")
    assert "already covered by a_child.v1.toml" in only(check_surveys(tmp_path), f"{file}: -: meeting_types: ")


def test_a_newer_version_replaces_the_older_one(tmp_path):
    write_survey(tmp_path)
    text = (tmp_path / "t_child.v1.toml").read_text().replace("version = 1", "version = 2")
    (tmp_path / "t_child.v2.toml").write_text(text.replace('title = "Your views"', 'title = "Your views, v2"'))
    reg = load_surveys(tmp_path)
    assert reg.get("t_child").version == 2 and reg.get("t_child", 1).version == 1
    assert reg.choose("cin_review", "child", "8_12").version == 2
    assert len(reg.all()) == 2 and len(reg.latest()) == 1


SHARED = '''
[[option_sets.faces]]
id = "happy"
label = "Happy"
emoji = "🙂"

[[option_sets.faces]]
id = "ok"
label = "OK"
emoji = "😐"

[[option_sets.faces]]
id = "sad"
label = "Sad"
emoji = "🙁"

[[questions]]
id = "feelings"
kind = "scale"
options_from = "faces"
web = "How do you feel?"
easy_read = "How do you feel?"
sms = "How do you feel? Reply 1 happy, 2 OK or 3 sad"

[[questions]]
id = "worries"
kind = "free_text"
web = "Is anything worrying you?"
sms = "Is anything worrying you? Reply in your own words."
'''


def test_shared_questions_are_reused_and_problems_name_the_shared_file(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "core.toml").write_text(SHARED, encoding="utf-8")
    uses = '[[questions]]\nuse = "feelings"\n\n[[questions]]\nuse = "worries"\n'
    write_survey(tmp_path, questions=uses, extra='includes = ["shared/core.toml"]\n')
    problems = check_surveys(tmp_path)
    # "worries" has no easy-read wording, and this survey is for children: fix it in the shared file.
    problem = only(problems, "shared/core.toml: worries: easy_read: ")
    assert "used by t_child.v1.toml" in problem
    (tmp_path / "shared" / "core.toml").write_text(
        SHARED.replace('web = "Is anything worrying you?"', 'web = "Is anything worrying you?"\neasy_read = "Any worries?"'))
    survey = load_surveys(tmp_path).get("t_child")
    assert [q.id for q in survey.questions][:2] == ["feelings", "worries"]
    assert survey.questions[0].source == "shared/core.toml"
    assert [o.emoji for o in survey.questions[0].options] == ["🙂", "😐", "🙁"]


def test_a_survey_may_override_shared_wording(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "core.toml").write_text(SHARED, encoding="utf-8")
    uses = '[[questions]]\nuse = "feelings"\nweb = "How do you feel about school?"\n'
    write_survey(tmp_path, questions=uses, extra='includes = ["shared/core.toml"]\n')
    survey = load_surveys(tmp_path).get("t_child")
    assert survey.questions[0].wording.web == "How do you feel about school?"
    assert survey.questions[0].wording.sms.startswith("How do you feel?")


def test_using_a_question_that_is_not_included(tmp_path):
    file = write_survey(tmp_path, questions='[[questions]]\nuse = "feelings"\n')
    assert "no question 'feelings'" in only(check_surveys(tmp_path), f"{file}: feelings: use: ")


def _catalogue(tmp_path: Path, language: str, messages: dict[str, str]) -> Path:
    translations = tmp_path / "translations"
    folder = translations / language / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = Catalog(locale=language, domain="surveys")
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    with (folder / "surveys.mo").open("wb") as fh:
        write_mo(fh, catalog)
    return translations


def test_a_language_without_a_catalogue_is_a_problem(tmp_path):
    surveys = tmp_path / "surveys"
    file = write_survey(surveys, languages='["en", "so"]')
    problem = only(check_surveys(surveys, tmp_path / "translations"), f"{file}: -: languages: ")
    assert "'so' is offered" in problem and "draft_languages" in problem


def test_a_declared_language_needs_every_string_translated_and_short_enough(tmp_path):
    surveys = tmp_path / "surveys"
    file = write_survey(surveys, languages='["en", "bn"]')
    # Only one string translated, and its Bengali SMS is longer than 70 UCS-2 characters.
    translations = _catalogue(tmp_path, "bn", {
        "What is going well? Reply in your own words.": "ভালো কী চলছে? " * 8,
    })
    problems = check_surveys(surveys, translations)
    assert "too long for 1 SMS in bn" in only(problems, f"{file}: going_well: sms: ")
    assert "UCS-2" in only(problems, f"{file}: going_well: sms: ")
    assert "no bn translation" in only(problems, f"{file}: going_well: web (bn): ")
    assert "no bn translation" in only(problems, f"{file}: -: intro (bn): ")


def test_a_translated_survey_is_chosen_in_that_language(tmp_path):
    surveys = tmp_path / "surveys"
    write_survey(surveys, languages='["en", "so"]', extra='draft_languages = ["bn"]\n')
    # 'so' is offered before any catalogue exists: a problem until it is translated.
    assert check_surveys(surveys, tmp_path / "none")[0].startswith("t_child.v1.toml: -: languages: 'so' is offered")
    # Translate every string (a stand-in Somali: "SO " + the English) and offer the language again.
    (surveys / "t_child.v1.toml").write_text((surveys / "t_child.v1.toml").read_text().replace('["en", "so"]', '["en"]'))
    source = load_surveys(surveys).get("t_child")
    translations = _catalogue(tmp_path, "so", {text: f"SO {text}" for _, _, text, _ in survey_strings(source)})
    (surveys / "t_child.v1.toml").write_text((surveys / "t_child.v1.toml").read_text().replace('languages = ["en"]', 'languages = ["en", "so"]'))
    reg = load_surveys(surveys, translations)
    somali = reg.choose("cin_review", "child", "8_12", language="so")
    assert somali.language == "so" and somali.intro.startswith("SO ")
    assert somali.questions[0].wording.sms.startswith("SO What is going well?")
    assert somali.questions[-1].options[0].label == "SO An advocate"
    # bn is only a draft: English it is.
    assert reg.choose("cin_review", "child", "8_12", language="bn").language == "en"


def test_load_raises_with_every_problem_of_every_file(tmp_path):
    write_survey(tmp_path, id="a_child", questions=GOOD_QUESTION.replace('"free_text"', '"slider"'))
    write_survey(tmp_path, id="b_child", age_bands='["13_17"]', questions=GOOD_QUESTION + "required = true\n")
    (tmp_path / "c_broken.v1.toml").write_text("id = [", encoding="utf-8")
    with pytest.raises(SurveyError) as caught:
        load_surveys(tmp_path)
    problems = caught.value.problems
    assert problems == check_surveys(tmp_path)
    assert any(p.startswith("a_child.v1.toml: going_well: kind: ") for p in problems)
    assert any(p.startswith("b_child.v1.toml: going_well: required: ") for p in problems)
    assert any(p.startswith("c_broken.v1.toml: -: toml: ") for p in problems)
    assert all(len(p.split(": ", 3)) == 4 for p in problems)


def test_cli_check_lists_every_problem_and_exits_1(app, tmp_path):
    write_survey(tmp_path, id="a_child", questions=GOOD_QUESTION.replace('"free_text"', '"slider"'))
    write_survey(tmp_path, id="b_child", age_bands='["13_17"]', questions=GOOD_QUESTION + GOOD_QUESTION)
    write_survey(tmp_path, id="c_child", age_bands='["under_8"]', meeting_types='["court_hearing"]')
    write_survey(tmp_path, id="d_child", age_bands='["18_25"]', roles='["young_adult"]',
                 questions=GOOD_QUESTION.replace('sms = "What is going well? Reply in your own words."', "") + "required = true\n")
    (tmp_path / "e_broken.v1.toml").write_text('title = "unclosed', encoding="utf-8")
    app.config["SURVEYS_DIR"] = str(tmp_path)
    result = app.test_cli_runner().invoke(args=["surveys", "check"])
    assert result.exit_code == 1
    for start in ("a_child.v1.toml: going_well: kind: ", "b_child.v1.toml: going_well: id: ",
                  "c_child.v1.toml: -: meeting_types: ", "d_child.v1.toml: going_well: sms: ",
                  "d_child.v1.toml: going_well: required: ", "e_broken.v1.toml: -: toml: "):
        assert start in result.output, f"{start!r} not in:\n{result.output}"


def test_cli_check_passes_on_the_real_surveys(app):
    app.config["SURVEYS_DIR"] = str(REAL_SURVEYS)
    result = app.test_cli_runner().invoke(args=["surveys", "check"])
    assert result.exit_code == 0, result.output
    files = [p for p in REAL_SURVEYS.rglob("*.toml") if not p.relative_to(REAL_SURVEYS).parts[0] == "shared"]
    assert f"all {len(files)} survey files are valid" in result.output


def test_cli_list_shows_a_table(app):
    app.config["SURVEYS_DIR"] = str(REAL_SURVEYS)
    result = app.test_cli_runner().invoke(args=["surveys", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "version", "meeting", "types", "audience", "languages"]
    row = next(line for line in lines if line.startswith("cp_conference_child_under_8 "))
    assert "cp_conference" in row and "child under_8 easy-read" in row and row.rstrip().endswith("en (draft: bn, so, ar)")
