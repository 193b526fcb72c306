"""The registry of valid surveys: found by id and version, or by who is being asked.

`load_surveys` loads a folder (raising SurveyError listing every problem); `registry(app)` is the
app's registry, loaded once. Pure apart from `registry`, which reads the app's config.
"""
from __future__ import annotations

import gettext
from pathlib import Path

from voice_service.survey_model import ADULT_ROLES, Survey, SurveyError
from voice_service.survey_translation import TRANSLATIONS_DIR, localise, localise_with
from voice_service.survey_validation import inspect_surveys


class SurveyRegistry:
    """The valid surveys, found by id and version or by who is being asked."""

    def __init__(self, surveys, directory: str | Path | None = None, shared_files=(),
                 translations_dir: str | Path | None = None):
        self._surveys = {s.key: s for s in surveys}
        self.directory = Path(directory) if directory is not None else None
        self.shared_files = tuple(shared_files)
        self.translations_dir = Path(translations_dir) if translations_dir is not None else TRANSLATIONS_DIR
        self._catalogues: dict[str, gettext.NullTranslations] = {}

    def localise(self, survey: Survey, language: str) -> Survey:
        """`survey` in `language`, from this registry's catalogues."""
        if language == "en":
            return survey
        if self.translations_dir == TRANSLATIONS_DIR:
            return localise(survey, language)
        if language not in self._catalogues:
            self._catalogues[language] = gettext.translation(
                "surveys", localedir=str(self.translations_dir), languages=[language], fallback=True)
        cat = self._catalogues[language]
        return localise_with(survey, language, lambda s: cat.gettext(s) if s else s)

    def __len__(self) -> int:
        return len(self._surveys)

    def __iter__(self):
        return iter(self.all())

    def all(self) -> list[Survey]:
        """Every survey version, ordered by id then version."""
        return [self._surveys[k] for k in sorted(self._surveys)]

    def latest(self) -> list[Survey]:
        """The newest version of each survey, ordered by id."""
        newest: dict[str, Survey] = {}
        for s in self.all():
            newest[s.id] = s
        return list(newest.values())

    def get(self, survey_id: str, version: int | None = None) -> Survey | None:
        """That version of the survey (the newest when version is None), or None."""
        if version is not None:
            return self._surveys.get((survey_id, int(version)))
        versions = [s for (sid, _), s in self._surveys.items() if sid == survey_id]
        return max(versions, key=lambda s: s.version) if versions else None

    def choose(self, meeting_type: str, role: str, age_band: str | None = None, language: str = "en") -> Survey | None:
        """The survey for this person, in `language` when it is offered, else in English; None if none fits.

        Parents, carers and other adults match on role alone when no survey names their age band.
        """
        candidates = [s for s in self.latest() if meeting_type in s.meeting_types and role in s.roles]
        exact = [s for s in candidates if age_band in s.age_bands]
        if not exact and (role in ADULT_ROLES or age_band is None):
            exact = [s for s in candidates if "adult" in s.age_bands] or candidates
        if not exact:
            return None
        survey = exact[0]
        if language != "en" and language in survey.languages:
            return self.localise(survey, language)
        return survey


def load_surveys(directory: str | Path, translations_dir: str | Path | None = None) -> SurveyRegistry:
    """The registry of every survey in `directory`; raises SurveyError listing all problems if any."""
    report = inspect_surveys(directory, translations_dir)
    if report.problems:
        raise SurveyError(report.problems)
    return SurveyRegistry(report.surveys, directory=directory, shared_files=report.shared_files,
                          translations_dir=translations_dir)


def registry(app=None) -> SurveyRegistry:
    """The app's survey registry, loaded once from app.config["SURVEYS_DIR"] (current_app by default)."""
    if app is None:
        from flask import current_app

        app = current_app._get_current_object()
    found = app.extensions.get("surveys")
    if found is None:
        found = load_surveys(app.config["SURVEYS_DIR"], app.config.get("SURVEYS_TRANSLATIONS_DIR"))
        app.extensions["surveys"] = found
    return found
