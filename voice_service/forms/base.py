"""The base of every form in the service: Flask-WTF with WTForms' own messages cached.

Flask-WTF reads WTForms' message catalogue from disk on every request that builds a form
(about a third of the cost of building a question form). The catalogue never changes while
the app runs, so it is read once per language here and shared.
"""
from __future__ import annotations

from functools import lru_cache

from babel import support
from flask import current_app
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


@lru_cache(maxsize=32)
def _wtforms_catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _Translations:
    """WTForms' messages ("Not a valid choice" ...) in the language of the page."""

    @staticmethod
    def _catalogue() -> support.Translations:
        return _wtforms_catalogue(str(get_locale() or "en"))

    def gettext(self, string: str) -> str:
        return self._catalogue().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalogue().ungettext(singular, plural, n)


TRANSLATIONS = _Translations()


class ServiceForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return TRANSLATIONS
