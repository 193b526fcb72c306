"""Survey wording in other languages, from the gettext catalogue `surveys`.

English is written in the survey files; each English string is a msgid in
voice_service/translations/<lang>/LC_MESSAGES/surveys.po. Pure: reads compiled catalogues only.
"""
from __future__ import annotations

import gettext
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Callable

from voice_service.survey_model import Survey, Wording

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


@lru_cache(maxsize=16)
def catalogue(language: str) -> gettext.NullTranslations:
    """The compiled `surveys` catalogue for `language` (nothing translated when there is none)."""
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation("surveys", localedir=str(TRANSLATIONS_DIR), languages=[language], fallback=True)


def translate(text: str | None, language: str) -> str | None:
    """The survey string in `language`, or the English original when no translation exists."""
    if not text:
        return text
    return catalogue(language).gettext(text)


def is_translated(text: str, language: str) -> bool:
    return language == "en" or translate(text, language) != text


def localise(survey: Survey, language: str) -> Survey:
    """A copy of `survey` with every respondent-facing string in `language`."""
    return localise_with(survey, language, lambda s: translate(s, language))


def localise_with(survey: Survey, language: str, t: Callable[[str | None], str | None]) -> Survey:
    """A copy of `survey` with every respondent-facing string passed through `t`."""
    questions = tuple(
        replace(
            q,
            wording=Wording(
                web=t(q.wording.web), sms=t(q.wording.sms), easy_read=t(q.wording.easy_read), hint=t(q.wording.hint)
            ),
            options=tuple(replace(o, label=t(o.label)) for o in q.options),
        )
        for q in survey.questions
    )
    return replace(
        survey, title=t(survey.title), intro=t(survey.intro), closing=t(survey.closing),
        signposting=tuple(t(s) for s in survey.signposting), questions=questions,
        sms={k: t(v) for k, v in survey.sms.items()}, language=language,
    )

