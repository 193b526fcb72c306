"""Checks on one field of a survey file, each reporting a problem line an editor can act on.

Every problem is one line "<file>: <question id or '-'>: <field>: <what is wrong and how to fix
it>". `FieldChecker` collects them; the question and file checks (survey_questions,
survey_validation) build on it. Pure: reads only the compiled translation catalogues.
"""
from __future__ import annotations

import difflib
import gettext
import re
from pathlib import Path

from voice_service.messaging.segments import non_gsm7_characters, segment_limit, sms_segments
from voice_service.survey_model import SMS_MESSAGE_KINDS
from voice_service.survey_text import (
    BUDGET_KINDS,
    PAGE_PLACEHOLDERS,
    SMS_AVOID,
    SMS_PLACEHOLDER_SAMPLES,
    SMS_PLACEHOLDERS,
    fill_placeholders,
    placeholders_in,
)


def same_messages(po: Path, compiled: gettext.GNUTranslations) -> bool:
    """True when every translated message of the .po file is in the compiled catalogue as written."""
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        written = read_po(fh)
    return all(compiled.gettext(m.id) == m.string for m in written if m.id and m.string and not m.fuzzy)


class FieldChecker:
    """Collects problems (each once, in the order found) and checks texts and simple fields."""

    def __init__(self, translations_dir: Path):
        self.tdir = translations_dir
        self.problems: list[str] = []
        self.seen_problems: set[str] = set()
        self.catalogues: dict[str, gettext.NullTranslations | None] = {}
        self.catalogue_problem: dict[str, str] = {}

    # -- reporting --
    def add(self, file: str, qid: str | None, fieldname: str | None, message: str) -> None:
        line = f"{file}: {qid or '-'}: {fieldname or '-'}: {message}"
        if line not in self.seen_problems:
            self.seen_problems.add(line)
            self.problems.append(line)

    # -- translations --
    def catalogue(self, language: str) -> gettext.NullTranslations | None:
        if language not in self.catalogues:
            mo = self.tdir / language / "LC_MESSAGES" / "surveys.mo"
            po = mo.with_suffix(".po")
            cat = None
            if mo.is_file():
                with mo.open("rb") as fh:
                    cat = gettext.GNUTranslations(fh)
                # A checkout sets file times at random: only a .po that says something else is stale.
                if po.is_file() and po.stat().st_mtime > mo.stat().st_mtime and not same_messages(po, cat):
                    self.catalogue_problem[language] = (
                        f"{po} is newer than its .mo; run: pybabel compile -D surveys -d {self.tdir}"
                    )
            elif po.is_file():
                self.catalogue_problem[language] = f"{po} is not compiled; run: pybabel compile -D surveys -d {self.tdir}"
            else:
                self.catalogue_problem[language] = (
                    f"no catalogue {po}; see surveys/README.md (pybabel init -D surveys -l {language})"
                )
            self.catalogues[language] = cat
        return self.catalogues[language]

    def translated(self, text: str, language: str) -> str | None:
        """The translation of `text`, or None when there is none."""
        if language == "en":
            return text
        cat = self.catalogue(language)
        if cat is None:
            return None
        result = cat.gettext(text)
        return result if result != text else None

    # -- checks on text --
    def check_sms(self, file, qid, fieldname, text, *, languages=("en",), max_segments=1, neutral=True, used_by=""):
        """An SMS text fits `max_segments` in English and in each language it is translated into."""
        if neutral:
            for phrase in SMS_AVOID:
                if re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text, re.I):
                    self.add(file, qid, fieldname, (
                        f"'{phrase}' must not be in a text message: a phone may be shared and read by "
                        "someone else; use neutral words such as 'the meeting' or 'your worker'"
                    ))
        for language in languages:
            version = self.translated(text, language)
            if version is None:
                continue
            names = placeholders_in(version)
            if names is None:
                self.add(file, qid, fieldname, f"{{ and }} do not pair up{self.lang_note(language)}; write placeholders as {{link}}")
                continue
            unknown = names - set(SMS_PLACEHOLDERS)
            if unknown:
                self.add(file, qid, fieldname, (
                    f"unknown placeholder {', '.join('{' + n + '}' for n in sorted(unknown))}{self.lang_note(language)}; "
                    f"a text may use only {', '.join('{' + n + '}' for n in SMS_PLACEHOLDERS)}"
                ))
            if language != "en":
                english = placeholders_in(text) or set()
                if names != english:
                    self.add(file, qid, fieldname, (
                        f"the {language} translation has placeholders {sorted(names)} but the English has "
                        f"{sorted(english)}; keep the same {{...}} words, untranslated"
                    ))
            filled = fill_placeholders(version, SMS_PLACEHOLDER_SAMPLES)
            encoding, segments, length = sms_segments(filled)
            if segments > max_segments:
                limit = segment_limit(encoding, max_segments)
                how = f"at most {limit}" + (" after filling placeholders (a link counts 45)" if names else "")
                extra = ""
                odd = non_gsm7_characters(filled)
                if encoding == "UCS-2" and language == "en":
                    extra = (f"; it has {' '.join(repr(c) for c in odd)}, which are not in the SMS alphabet and cut "
                             "the limit to 70: use straight quotes ' \" and no emoji")
                self.add(file, qid, fieldname, (
                    f"too long for {max_segments} SMS{self.lang_note(language)}: {length} characters ({encoding}), "
                    f"{how}; shorten it by {length - limit}{extra}{used_by}"
                ))

    @staticmethod
    def lang_note(language: str) -> str:
        return "" if language == "en" else f" in {language}"

    def check_page_text(self, file, qid, fieldname, text) -> None:
        names = placeholders_in(text)
        if names is None:
            self.add(file, qid, fieldname, "{ and } do not pair up; write placeholders as {phone}")
        elif names - set(PAGE_PLACEHOLDERS):
            unknown = ", ".join("{" + n + "}" for n in sorted(names - set(PAGE_PLACEHOLDERS)))
            self.add(file, qid, fieldname, (
                f"unknown placeholder {unknown}; pages may use only "
                + ", ".join("{" + n + "}" for n in PAGE_PLACEHOLDERS)
            ))

    def unknown_keys(self, file, qid, where, data: dict, allowed) -> None:
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(allowed)}"
                self.add(file, qid, key, f"unknown field in {where}; {hint}")

    def text(self, file, qid, data, key, *, required=True) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.add(file, qid, key, "missing; add it as text in quotes")
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(file, qid, key, "must be text in quotes, and not empty")
            return None
        return value.strip()

    def id_list(self, file, key, value, known: dict | tuple, *, required=True) -> tuple[str, ...]:
        if value is None:
            if required:
                self.add(file, None, key, f"missing; add a list such as [\"{next(iter(known))}\"]")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(file, None, key, "must be a list of names in quotes, like [\"a\", \"b\"]")
            return ()
        for v in value:
            if v not in known:
                self.add(file, None, key, f"'{v}' is not known; use one of: {', '.join(known)}")
        if required and not value:
            self.add(file, None, key, "must not be empty")
        return tuple(v for v in value if v in known)


    def read_option_sets(self, file, raw, into: dict) -> None:
        if raw is None:
            return
        if not isinstance(raw, dict):
            self.add(file, None, "option_sets", "must be written as [[option_sets.NAME]] tables")
            return
        for name, options in raw.items():
            if not isinstance(options, list):
                self.add(file, None, f"option_sets.{name}", "must be written as [[option_sets." + name + "]] tables")
                continue
            into[name] = (file, options)

    def read_sms_table(self, file, raw) -> dict[str, str]:
        out: dict[str, str] = {}
        if not isinstance(raw, dict):
            self.add(file, None, "sms", "must be a [sms] table of message kind = \"text\"")
            return out
        for kind, text in raw.items():
            if kind not in SMS_MESSAGE_KINDS:
                self.add(file, None, f"sms.{kind}", f"unknown message kind; use one of: {', '.join(SMS_MESSAGE_KINDS)}")
            elif not isinstance(text, str) or not text.strip():
                self.add(file, None, f"sms.{kind}", "must be text in quotes, and not empty")
            else:
                out[kind] = text.strip()
        return out

    def read_budgets(self, file, raw) -> dict[str, int]:
        out: dict[str, int] = {}
        if not isinstance(raw, dict):
            self.add(file, None, "sms_max_segments", "must be a table of message kind = number")
            return out
        for kind, n in raw.items():
            if kind not in BUDGET_KINDS:
                self.add(file, None, f"sms_max_segments.{kind}", f"unknown message kind; use one of: {', '.join(BUDGET_KINDS)}")
            elif not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 4:
                self.add(file, None, f"sms_max_segments.{kind}", "must be a whole number from 1 to 4")
            else:
                out[kind] = n
        return out

    def read_signposting(self, file, raw) -> list[str]:
        if not isinstance(raw, list) or not all(isinstance(s, str) and s.strip() for s in raw):
            self.add(file, None, "signposting", "must be a list of texts in quotes")
            return []
        for i, s in enumerate(raw):
            self.check_page_text(file, None, f"signposting[{i}]", s)
        return [s.strip() for s in raw]

