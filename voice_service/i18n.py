"""Language of the interface: the respondent's choice, kept in the session and the invitation."""
from __future__ import annotations

from flask import Flask, g, request, session

from voice_service.extensions import babel

RTL_LANGUAGES = {"ar"}
LANGUAGE_NAMES = {"en": "English", "bn": "বাংলা", "so": "Soomaali", "ar": "العربية"}


def select_locale() -> str:
    languages = tuple(__import__("flask").current_app.config["LANGUAGES"])
    chosen = getattr(g, "language", None) or request.args.get("lang") or session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or "en"


def text_direction(language: str | None) -> str:
    return "rtl" if language in RTL_LANGUAGES else "ltr"


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    app.jinja_env.globals.update(text_direction=text_direction, LANGUAGE_NAMES=LANGUAGE_NAMES)
