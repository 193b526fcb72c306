"""The real survey content in surveys/: every file loads, and every audience of every meeting is covered."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from voice_service.messaging.segments import sms_segments
from voice_service.vocab import VISIBILITY
from voice_service.surveys import (
    CHILD_ROLES,
    SMS_MESSAGE_KINDS,
    SMS_PLACEHOLDER_SAMPLES,
    SMS_PLACEHOLDERS,
    SurveyRegistry,
    check_surveys,
    fill_placeholders,
    load_surveys,
    localise,
    registry,
    sms_option_list,
    survey_strings,
)

SURVEYS_DIR = Path(__file__).resolve().parents[2] / "surveys"
MEETING_TYPES = ("cp_conference", "cla_review", "cin_review", "ehcp_review", "fgc", "yj_panel")
AUDIENCES = {  # name: (role, age band)
    "child_under_8": ("child", "under_8"),
    "child_8_12": ("child", "8_12"),
    "young_person_13_17": ("child", "13_17"),
    "young_adult_18_25": ("young_adult", "18_25"),
    "parent": ("parent", "adult"),
    "carer": ("carer", "adult"),
}
EXPERIENCE_AUDIENCES = {
    "parent": ("parent", "adult"),
    "young_person_13_17": ("child", "13_17"),
    "young_adult_18_25": ("young_adult", "18_25"),
}
LINK_45 = "https://voice.example.org/r/" + "x" * 17


@pytest.fixture(scope="module")
def surveys() -> SurveyRegistry:
    return load_surveys(SURVEYS_DIR)


def all_languages(survey):
    return ("en", *[lang for lang in (*survey.languages, *survey.draft_languages) if lang != "en"])


def test_every_file_in_surveys_loads_without_a_problem(surveys):
    assert check_surveys(SURVEYS_DIR) == []
    files = [p for p in SURVEYS_DIR.rglob("*.toml") if "shared" not in p.relative_to(SURVEYS_DIR).parts]
    assert len(surveys.all()) == len(files) >= 38
    assert {s.source for s in surveys.all()} == {p.relative_to(SURVEYS_DIR).as_posix() for p in files}


def test_the_link_sample_is_45_characters():
    assert len(LINK_45) == 45 == len(SMS_PLACEHOLDER_SAMPLES["link"])


@pytest.mark.parametrize("meeting_type", MEETING_TYPES)
@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_meeting_type_has_a_survey_for_every_audience(surveys, meeting_type, audience):
    role, age_band = AUDIENCES[audience]
    survey = surveys.choose(meeting_type, role, age_band)
    assert survey is not None, f"no survey for {meeting_type} / {audience}"
    assert meeting_type in survey.meeting_types and role in survey.roles and age_band in survey.age_bands
    if audience == "child_under_8":
        assert survey.easy_read and survey.one_question_per_page
        assert all(q.symbol for q in survey.questions), "easy read for under 8s has a symbol on every question"


@pytest.mark.parametrize("audience", EXPERIENCE_AUDIENCES)
def test_experience_of_service_has_an_overall_score_and_why(surveys, audience):
    role, age_band = EXPERIENCE_AUDIENCES[audience]
    survey = surveys.choose("experience_of_service", role, age_band)
    assert survey is not None
    overall = survey.questions[0]
    assert overall.kind == "scale"
    assert [o.id for o in overall.options] == ["1", "2", "3", "4", "5"]
    why = survey.questions[1]
    assert why.kind == "free_text" and why.follow_up_of == overall.id
    assert "why did you give that score?" in why.wording.web.lower()
    assert "why did you give that score?" in why.wording.sms.lower()


def test_parents_and_young_people_have_separate_experience_questionnaires(surveys):
    parent = surveys.choose("experience_of_service", "parent", "adult")
    young = surveys.choose("experience_of_service", "child", "13_17")
    assert parent.id != young.id


def every_survey():
    return load_surveys(SURVEYS_DIR).all()


@pytest.mark.parametrize("survey", every_survey(), ids=lambda s: s.id)
def test_sms_wording_fits_one_segment_in_every_language(survey):
    for language in all_languages(survey):
        local = localise(survey, language) if language != "en" else survey
        for q in local.questions:
            text = fill_placeholders(q.wording.sms, SMS_PLACEHOLDER_SAMPLES)
            assert sms_segments(text)[1] == 1, f"{survey.source} {q.id} sms ({language}): {sms_segments(text)}"
            if q.options:
                listing = sms_option_list(q)
                assert sms_segments(listing)[1] == 1, f"{survey.source} {q.id} options ({language})"


@pytest.mark.parametrize("survey", every_survey(), ids=lambda s: s.id)
def test_sms_messages_fit_their_budget_with_a_45_character_link(survey):
    assert set(survey.sms) == set(SMS_MESSAGE_KINDS)
    for language in all_languages(survey):
        local = localise(survey, language) if language != "en" else survey
        for kind, text in local.sms.items():
            names = set(re.findall(r"\{(\w+)\}", text))
            assert names <= set(SMS_PLACEHOLDERS), f"{survey.source} sms.{kind}: {names}"
            filled = fill_placeholders(text, {**SMS_PLACEHOLDER_SAMPLES, "link": LINK_45})
            budget = survey.sms_max_segments.get(kind, 1)
            assert sms_segments(filled)[1] <= budget, f"{survey.source} sms.{kind} ({language})"


@pytest.mark.parametrize("survey", every_survey(), ids=lambda s: s.id)
def test_invites_are_neutral_say_who_and_offer_a_reply(survey):
    for kind in ("invite", "reminder"):
        text = survey.sms[kind]
        assert "{service}" in text and "{link}" in text
        assert "or reply to this text to answer here" in text.lower()
    for text in [*survey.sms.values(), *(q.wording.sms for q in survey.questions)]:
        lowered = text.lower()
        for word in ("child protection", "social worker", "social care", "abuse", "neglect", "police",
                     "court", "conference", "safeguarding", "offend", "looked after", "in care"):
            assert not re.search(rf"\b{word}\b", lowered), f"{survey.source}: {word!r} in an SMS: {text}"
        assert "’" not in text, "curly apostrophes are not GSM-7: they cut an SMS to 70 characters"


@pytest.mark.parametrize("survey", every_survey(), ids=lambda s: s.id)
def test_no_question_is_compulsory_for_a_child_and_easy_read_exists(survey):
    if any(role in CHILD_ROLES for role in survey.roles):
        for q in survey.questions:
            assert not q.required, f"{survey.source}: {q.id} is compulsory"
            assert q.wording.easy_read, f"{survey.source}: {q.id} has no easy-read wording"
        assert any("0800 1111" in s for s in survey.signposting), "Childline is signposted"


@pytest.mark.parametrize("survey", every_survey(), ids=lambda s: s.id)
def test_scales_have_emoji_and_text_labels(survey):
    for q in survey.questions:
        if q.kind == "scale":
            assert len(q.options) >= 3
            for o in q.options:
                assert o.emoji and o.label.strip(), f"{survey.source}: {q.id}.{o.id}"


@pytest.mark.parametrize("survey", every_survey(), ids=lambda s: s.id)
def test_every_survey_ends_with_who_may_see_and_an_advocate(survey):
    *_, visibility, advocate = survey.questions
    assert visibility.kind == "visibility" and {o.id for o in visibility.options} == set(VISIBILITY)
    assert advocate.kind == "advocate" and "no_thanks" in {o.id for o in advocate.options}
    assert {"advocate", "speak_to_chair"} & {o.id for o in advocate.options}


@pytest.mark.parametrize("survey", every_survey(), ids=lambda s: s.id)
def test_signposting_names_the_advocacy_service_and_the_duty_team(survey):
    text = " ".join(survey.signposting)
    assert "{advocacy_phone}" in text
    assert "{duty_team_phone}" in text or survey.meeting_types == ("experience_of_service",)


@pytest.mark.parametrize("meeting_type", MEETING_TYPES)
def test_pre_meeting_surveys_cover_the_councils_standards(surveys, meeting_type):
    """Listened to, understanding, worker trust, seen alone, plan, advocate, complaints, identity."""
    for audience, (role, age_band) in AUDIENCES.items():
        survey = surveys.choose(meeting_type, role, age_band)
        themes = {t for q in survey.questions for t in q.themes}
        assert {"listened_to", "rights_advocacy", "identity_culture"} <= themes, (survey.id, themes)
        if audience != "child_under_8":
            assert "understanding" in themes, survey.id


def test_shared_questions_are_written_once(surveys):
    sources = {q.source for s in surveys.all() for q in s.questions}
    assert any(src.startswith("shared/") for src in sources)
    feelings = [q for s in surveys.all() for q in s.questions if q.id == "feelings" and q.source == "shared/child_8_12.toml"]
    assert len(feelings) >= 6, "the 8 to 12 feelings question is reused by every meeting's survey"


def test_every_string_is_listed_for_translation(surveys):
    survey = surveys.get("cp_conference_parent")
    strings = {text for _, _, text, _ in survey_strings(survey)}
    assert survey.intro in strings and survey.sms["invite"] in strings
    assert all(o.label in strings for q in survey.questions for o in q.options)


def test_get_returns_the_latest_version_or_none(surveys):
    survey = surveys.get("cp_conference_parent")
    assert survey.version == 1 and surveys.get("cp_conference_parent", 1) is survey
    assert surveys.get("cp_conference_parent", 99) is None
    assert surveys.get("no_such_survey") is None


def test_choose_falls_back_to_english_when_a_language_is_not_offered(surveys):
    survey = surveys.choose("cp_conference", "parent", "adult", language="xx")
    assert survey.language == "en"
    assert survey is surveys.choose("cp_conference", "parent", "adult")


def test_choose_finds_adults_by_role_whatever_age_band_is_passed(surveys):
    assert surveys.choose("cla_review", "carer", "8_12").id == "cla_review_carer"
    assert surveys.choose("cla_review", "parent", None).id == "cla_review_parent"
    assert surveys.choose("cla_review", "child", "adult") is None


def test_registry_loads_once_per_app(app):
    app.config["SURVEYS_DIR"] = str(SURVEYS_DIR)
    app.extensions.pop("surveys", None)
    first = registry(app)
    assert registry() is first  # current_app
    assert app.extensions["surveys"] is first
    assert first.choose("fgc", "child", "8_12").id == "fgc_child_8_12"
