"""Survey definitions: load and validate the files in surveys/.

One TOML file per survey version. English wording lives in the file; other languages come from
the gettext catalogue `surveys` (voice_service/translations/<lang>/LC_MESSAGES/surveys.po), whose
msgids are the English strings. Files may include shared question files (surveys/shared/*.toml)
so common questions are written once. See surveys/README.md for the format.

Everything here is plain data and pure functions: no Flask, no database.
"""
from __future__ import annotations

import difflib
import gettext
import re
import string
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from voice_service.messaging.segments import non_gsm7_characters, sms_segments
from voice_service.models.vocab import AGE_BANDS, MEETING_TYPES, ROLES, VISIBILITY

QUESTION_KINDS = (
    "scale", "single_choice", "multiple_choice", "yes_no", "free_text", "visibility", "advocate",
)
#: Texts a survey may leave out: the scheduler then records the step as not sent, with why.
OPTIONAL_SMS_KINDS = ("you_said_follow_up",)
SMS_MESSAGE_KINDS = ("invite", "reminder", "close", "thanks", "you_said_we_did", "you_said_follow_up", "safeguarding_reply")
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


class SurveyError(ValueError):
    """One or more problems in survey files; `.problems` lists each as file: question: field: what."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Wording:
    web: str
    sms: str
    easy_read: str | None = None
    hint: str | None = None


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    emoji: str | None = None
    sms_keys: tuple[str, ...] = ()  # extra words/letters that choose this option by SMS


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    wording: Wording
    options: tuple[Option, ...] = ()
    required: bool = False
    max_length: int | None = None
    follow_up_of: str | None = None  # e.g. "why did you give that score?" follows "overall"
    symbol: str | None = None  # shown beside easy-read wording (decorative: the words carry the meaning)
    themes: tuple[str, ...] = ()  # THEMES.md ids this question asks about (for reports)
    source: str = ""  # the file the question is written in (a shared file when included)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Survey:
    id: str
    version: int
    title: str
    roles: tuple[str, ...]
    age_bands: tuple[str, ...]
    meeting_types: tuple[str, ...]
    languages: tuple[str, ...]
    draft_languages: tuple[str, ...]
    easy_read: bool
    one_question_per_page: bool
    intro: str
    closing: str
    signposting: tuple[str, ...]
    questions: tuple[Question, ...]
    sms: dict[str, str]
    source: str = ""
    sms_max_segments: dict[str, int] = field(default_factory=dict)  # per SMS message kind
    language: str = "en"  # the language the strings are in (see localise)
    includes: tuple[str, ...] = ()  # shared files this survey uses, relative to surveys/

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def index_of(self, question_id: str) -> int:
        for i, q in enumerate(self.questions):
            if q.id == question_id:
                return i
        raise KeyError(question_id)


# Translation --------------------------------------------------------------------------------

@lru_cache(maxsize=16)
def _catalogue(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation("surveys", localedir=str(TRANSLATIONS_DIR), languages=[language], fallback=True)


def translate(text: str | None, language: str) -> str | None:
    """The survey string in `language`, or the English original when no translation exists."""
    if not text:
        return text
    return _catalogue(language).gettext(text)


def is_translated(text: str, language: str) -> bool:
    return language == "en" or translate(text, language) != text


def localise(survey: Survey, language: str) -> Survey:
    """A copy of `survey` with every respondent-facing string in `language`."""
    return _localise(survey, language, lambda s: translate(s, language))


def _localise(survey: Survey, language: str, t) -> Survey:
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


# Loading and validating ---------------------------------------------------------------------
#
# Every problem is one line "<file>: <question id or '-'>: <field>: <what is wrong and how to fix
# it>", and every file is checked to the end, so an editor sees all the problems at once.

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]*$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
CHILD_ROLES = ("child", "young_adult")  # questions are never compulsory, easy-read wording needed
ADULT_ROLES = ("parent", "carer", "other")
OPTION_KINDS = ("scale", "single_choice", "multiple_choice", "yes_no", "visibility", "advocate")
MULTI_SELECT_KINDS = ("multiple_choice", "advocate")  # more than one option may be chosen
YES_NO_OPTIONS = {"yes": ("Yes", ("y",)), "no": ("No", ("n",)), "not_sure": ("Not sure", ("ns", "dont know", "don't know"))}
# Respondent-facing labels when a visibility question gives none (vocab.VISIBILITY is staff wording).
DEFAULT_VISIBILITY_LABELS = {
    "chair_only": "Only the person who runs the meeting",
    "worker_and_chair": "My worker and the person who runs the meeting",
    "meeting": "Everyone at the meeting",
}
ADVOCATE_OPTIONS = {
    "advocate": "I would like an advocate to help me give my views",
    "speak_to_chair": "I would like to speak to the chair on my own",
    "no_thanks": "No, thank you",
}
# Placeholders a text may use. SMS: filled by the sender; pages: filled by the web form.
SMS_PLACEHOLDERS = ("service", "link", "meeting_date", "phone")
PAGE_PLACEHOLDERS = ("service", "council", "phone", "advocacy_phone", "duty_team_phone", "meeting_date")
# Lengths are checked with these stand-ins: the longest we expect (a private link is 45 characters).
SMS_PLACEHOLDER_SAMPLES = {
    "service": "Northbridge Family Voice",
    "link": "https://voice.example.org/r/".ljust(45, "x"),
    "meeting_date": "Wednesday 24 September",
    "phone": "+44 20 7946 0000",
}
DEFAULT_SMS_MAX_SEGMENTS = {
    "invite": 2, "reminder": 2, "you_said_we_did": 2, "you_said_follow_up": 2, "close": 1, "thanks": 1, "safeguarding_reply": 1,
}
INVITE_REPLY_PHRASE = "or reply to this text to answer here"
# Words that must never be in a text: a phone may be shared, and a text read by someone else.
SMS_AVOID = (
    "child protection", "protection plan", "abuse", "abused", "neglect", "safeguarding", "social services",
    "social care", "social worker", "police", "court", "offend", "offending", "offence", "youth justice",
    "youth offending", "conference", "looked after", "looked-after", "care order", "in care", "crime",
)
SURVEY_KEYS = (
    "id", "version", "title", "description", "roles", "age_bands", "meeting_types", "languages",
    "draft_languages", "easy_read", "one_question_per_page", "includes", "intro", "closing",
    "signposting", "sms", "sms_max_segments", "option_sets", "questions",
)
SHARED_KEYS = ("description", "signposting", "closing", "sms", "sms_max_segments", "option_sets", "questions")
QUESTION_KEYS = (
    "id", "kind", "web", "sms", "easy_read", "hint", "symbol", "options", "options_from", "required",
    "max_length", "follow_up_of", "themes",
)
OPTION_KEYS = ("id", "label", "emoji", "sms_keys")
SHARED_DIR = "shared"


def _theme_ids() -> tuple[str, ...]:
    from voice_service.analysis.codebook import THEME_IDS

    return THEME_IDS


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """`text` with each {name} in `values` replaced; unknown {names} are left as they are."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), text)


def sms_option_list(question: Question) -> str:
    """The options as one SMS line, "1 Very happy, 2 Happy, ..."; a reply of the number chooses one.

    By SMS an option is chosen by its number (its place in the list), its id, its label, or any of
    its sms_keys, ignoring case.
    """
    return ", ".join(f"{i} {o.label}" for i, o in enumerate(question.options, start=1))


def survey_strings(survey: Survey) -> list[tuple[str | None, str, str, str]]:
    """Every respondent-facing English string: (question id or None, field, text, file it is written in)."""
    out: list[tuple[str | None, str, str, str]] = []
    src = survey.source
    out.append((None, "title", survey.title, src))
    out.append((None, "intro", survey.intro, src))
    out.append((None, "closing", survey.closing, src))
    out.extend((None, f"signposting[{i}]", s, src) for i, s in enumerate(survey.signposting))
    out.extend((None, f"sms.{k}", v, src) for k, v in survey.sms.items())
    for q in survey.questions:
        qsrc = q.source or src
        for name in ("web", "sms", "easy_read", "hint"):
            text = getattr(q.wording, name)
            if text:
                out.append((q.id, name, text, qsrc))
        out.extend((q.id, f"options.{o.id}.label", o.label, qsrc) for o in q.options)
    return out


def _placeholders(text: str) -> set[str] | None:
    """The {names} in `text`, or None when its braces do not pair up."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None


def _is_child_audience(roles) -> bool:
    return any(r in CHILD_ROLES for r in roles)


@dataclass
class SurveyReport:
    """What loading a folder found: the valid surveys, the files read, and every problem."""

    surveys: list[Survey]
    survey_files: list[str]
    shared_files: list[str]
    problems: list[str]


class _Shared:
    def __init__(self, file: str):
        self.file = file
        self.questions: dict[str, dict] = {}
        self.option_sets: dict[str, tuple[str, list]] = {}
        self.sms: dict[str, str] = {}
        self.sms_max_segments: dict[str, int] = {}
        self.signposting: list[str] | None = None
        self.closing: str | None = None


class _Loader:
    def __init__(self, directory: Path, translations_dir: Path):
        self.dir = directory
        self.tdir = translations_dir
        self.problems: list[str] = []
        self._seen: set[str] = set()
        self._shared: dict[str, _Shared | None] = {}
        self._catalogues: dict[str, gettext.NullTranslations | None] = {}
        self._catalogue_problem: dict[str, str] = {}
        self._raw: dict[str, dict | None] = {}
        self._all_option_sets: dict[str, tuple[str, list]] = {}  # from every shared file

    # -- reporting --
    def add(self, file: str, qid: str | None, fieldname: str | None, message: str) -> None:
        line = f"{file}: {qid or '-'}: {fieldname or '-'}: {message}"
        if line not in self._seen:
            self._seen.add(line)
            self.problems.append(line)

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.dir).as_posix()
        except ValueError:
            return str(path)

    # -- files --
    def parse(self, path: Path) -> dict | None:
        file = self.rel(path)
        try:
            return tomllib.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            self.add(file, None, "file", "is not UTF-8 text; save it as UTF-8")
        except tomllib.TOMLDecodeError as exc:
            self.add(file, None, "toml", f"not valid TOML ({exc}); check the quotes, brackets and = signs there")
        except OSError as exc:
            self.add(file, None, "file", f"cannot be read ({exc.strerror})")
        return None

    def run(self) -> SurveyReport:
        if not self.dir.is_dir():
            self.add(str(self.dir), None, "SURVEYS_DIR", "folder not found; set SURVEYS_DIR to the surveys/ folder")
            return SurveyReport([], [], [], self.problems)
        files = sorted(p for p in self.dir.rglob("*.toml") if p.is_file())
        shared_files = [self.rel(p) for p in files if self.rel(p).startswith(SHARED_DIR + "/")]
        survey_paths = [p for p in files if not self.rel(p).startswith(SHARED_DIR + "/")]
        for file in shared_files:  # option sets first: a shared question may use another file's set
            data = self.raw(file)
            if isinstance(data, dict) and isinstance(data.get("option_sets"), dict):
                self._all_option_sets.update(
                    {name: (file, opts) for name, opts in data["option_sets"].items() if isinstance(opts, list)}
                )
        for file in shared_files:
            self.shared(file)
        surveys: list[Survey] = []
        for path in survey_paths:
            survey = self.survey_file(path)
            if survey is not None:
                surveys.append(survey)
        if not survey_paths:
            self.add(str(self.dir), None, "-", "no survey files (*.toml) found")
        self.check_registry(surveys)
        return SurveyReport(surveys, [self.rel(p) for p in survey_paths], shared_files, self.problems)

    # -- translations --
    def catalogue(self, language: str) -> gettext.NullTranslations | None:
        if language not in self._catalogues:
            mo = self.tdir / language / "LC_MESSAGES" / "surveys.mo"
            po = mo.with_suffix(".po")
            cat = None
            if mo.is_file():
                with mo.open("rb") as fh:
                    cat = gettext.GNUTranslations(fh)
                if po.is_file() and po.stat().st_mtime > mo.stat().st_mtime:
                    self._catalogue_problem[language] = (
                        f"{po} is newer than its .mo; run: pybabel compile -D surveys -d {self.tdir}"
                    )
            elif po.is_file():
                self._catalogue_problem[language] = f"{po} is not compiled; run: pybabel compile -D surveys -d {self.tdir}"
            else:
                self._catalogue_problem[language] = (
                    f"no catalogue {po}; see surveys/README.md (pybabel init -D surveys -l {language})"
                )
            self._catalogues[language] = cat
        return self._catalogues[language]

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
            names = _placeholders(version)
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
                english = _placeholders(text) or set()
                if names != english:
                    self.add(file, qid, fieldname, (
                        f"the {language} translation has placeholders {sorted(names)} but the English has "
                        f"{sorted(english)}; keep the same {{...}} words, untranslated"
                    ))
            filled = fill_placeholders(version, SMS_PLACEHOLDER_SAMPLES)
            encoding, segments, length = sms_segments(filled)
            if segments > max_segments:
                limit = (160 if encoding == "GSM-7" else 70) if max_segments == 1 else (
                    (153 if encoding == "GSM-7" else 67) * max_segments)
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
        names = _placeholders(text)
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

    # -- shared files --
    def raw(self, file: str) -> dict | None:
        if file not in self._raw:
            self._raw[file] = self.parse(self.dir / file)
        return self._raw[file]

    def shared(self, file: str) -> _Shared | None:
        if file in self._shared:
            return self._shared[file]
        self._shared[file] = None
        data = self.raw(file)
        if data is None:
            return None
        shared = _Shared(file)
        self.unknown_keys(file, None, "a shared file", data, SHARED_KEYS)
        self.read_option_sets(file, data.get("option_sets"), shared.option_sets)
        if "sms" in data:
            shared.sms = self.read_sms_table(file, data["sms"])
        if "sms_max_segments" in data:
            shared.sms_max_segments = self.read_budgets(file, data["sms_max_segments"])
        if "signposting" in data:
            shared.signposting = self.read_signposting(file, data["signposting"])
        if "closing" in data:
            shared.closing = self.text(file, None, data, "closing")
        raw_questions = data.get("questions", [])
        if not isinstance(raw_questions, list):
            self.add(file, None, "questions", "must be written as [[questions]] tables")
            raw_questions = []
        for i, raw in enumerate(raw_questions):
            if not isinstance(raw, dict):
                self.add(file, None, f"questions[{i}]", "must be a [[questions]] table")
                continue
            if "use" in raw:
                self.add(file, raw.get("id"), "use", "shared files write questions out in full; 'use' is for survey files")
                continue
            qid = raw.get("id")
            if isinstance(qid, str) and qid in shared.questions:
                self.add(file, qid, "id", f"question id '{qid}' is written twice in this file; give each question its own id")
                continue
            origin = {k: file for k in raw}
            q = self.question(file, raw, origin, {**self._all_option_sets, **shared.option_sets}, child=None,
                              languages=("en",))
            if q is not None:
                shared.questions[q.id] = raw
        self._shared[file] = shared
        return shared

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
            if kind not in SMS_MESSAGE_KINDS:
                self.add(file, None, f"sms_max_segments.{kind}", f"unknown message kind; use one of: {', '.join(SMS_MESSAGE_KINDS)}")
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

    # -- questions --
    def question(self, survey_file, raw, origin, option_sets, *, child, languages, used_by="") -> Question | None:
        """Build and check one question. `origin` says which file each field was written in.

        `child` is None when checking a shared file on its own (audience unknown).
        """
        def where(key):
            return origin.get(key, survey_file)

        qid = raw.get("id")
        if qid is None:
            self.add(survey_file, None, "id", "missing; every question needs an id such as id = \"feelings\"")
            return None
        if not isinstance(qid, str) or not ID_PATTERN.match(qid):
            self.add(where("id"), str(qid), "id", "use lower-case letters, digits and _ only, e.g. \"seen_alone\"")
            return None
        self.unknown_keys(where("id"), qid, "a question", {k: v for k, v in raw.items() if k != "use"}, QUESTION_KEYS)
        ok = True
        kind = raw.get("kind")
        if kind is None:
            self.add(where("id"), qid, "kind", f"missing; use one of: {', '.join(QUESTION_KINDS)}")
            ok = False
        elif kind not in QUESTION_KINDS:
            self.add(where("kind"), qid, "kind", f"'{kind}' is not a question kind; use one of: {', '.join(QUESTION_KINDS)}")
            ok = False
        web = self.text(where("web"), qid, raw, "web")
        sms = self.text(where("sms"), qid, raw, "sms")
        easy = self.text(where("easy_read"), qid, raw, "easy_read", required=False)
        hint = self.text(where("hint"), qid, raw, "hint", required=False)
        symbol = self.text(where("symbol"), qid, raw, "symbol", required=False)
        if web is None or sms is None:
            ok = False
        if child and easy is None and "easy_read" not in raw:
            self.add(where("id"), qid, "easy_read", (
                "missing: questions for children and young people need an easy-read wording "
                f"(short sentences, everyday words){used_by}"
            ))
        required = raw.get("required", False)
        if not isinstance(required, bool):
            self.add(where("required"), qid, "required", "must be true or false")
            required = False
        if required and child:
            self.add(where("required"), qid, "required", (
                "no question is ever compulsory for a child or young person; remove 'required = true'" + used_by
            ))
        max_length = raw.get("max_length")
        if max_length is not None and (not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 1):
            self.add(where("max_length"), qid, "max_length", "must be a whole number of characters, e.g. 2000")
            max_length = None
        if max_length is not None and kind != "free_text":
            self.add(where("max_length"), qid, "max_length", "only free_text questions have a max_length")
        follow = raw.get("follow_up_of")
        if follow is not None and not isinstance(follow, str):
            self.add(where("follow_up_of"), qid, "follow_up_of", "must be the id of an earlier question, in quotes")
            follow = None
        themes = raw.get("themes", [])
        if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
            self.add(where("themes"), qid, "themes", "must be a list of theme ids in quotes")
            themes = []
        for t in themes:
            if t not in _theme_ids():
                self.add(where("themes"), qid, "themes", f"'{t}' is not a theme in THEMES.md; use one of: {', '.join(_theme_ids())}")
        options = self.options(survey_file, qid, kind, raw, origin, option_sets)
        if options is None:
            ok = False
        if not ok:
            return None
        q = Question(
            id=qid, kind=kind, wording=Wording(web=web, sms=sms, easy_read=easy, hint=hint), options=options,
            required=required, max_length=max_length, follow_up_of=follow, symbol=symbol,
            themes=tuple(t for t in themes if t in _theme_ids()), source=where("id"),
        )
        self.check_sms(where("sms"), qid, "sms", sms, languages=languages, used_by=used_by)
        for name, text in (("web", web), ("easy_read", easy), ("hint", hint)):
            if text:
                self.check_page_text(where(name), qid, name, text)
        if options:
            opt_file = where("options_from") if "options_from" in raw and "options" not in raw else where("options")
            if "options_from" in raw and "options" not in raw and raw["options_from"] in option_sets:
                opt_file = option_sets[raw["options_from"]][0]
            self.check_sms(opt_file, qid, "options", sms_option_list(q), languages=(), used_by=used_by)
            for language in languages:
                labels = [self.translated(o.label, language) for o in options]
                if all(label is not None for label in labels):
                    listing = ", ".join(f"{i} {label}" for i, label in enumerate(labels, start=1))
                    _, segments, length = sms_segments(listing)
                    if segments > 1:
                        self.add(opt_file, qid, "options", (
                            f"the option list '1 ..., 2 ...' is too long for one SMS{self.lang_note(language)} "
                            f"({length} characters); shorten the labels{used_by}"
                        ))
        return q

    def options(self, survey_file, qid, kind, raw, origin, option_sets) -> tuple[Option, ...] | None:
        file = origin.get("options", survey_file)
        raw_options = raw.get("options")
        if "options_from" in raw:
            name = raw["options_from"]
            if "options" in raw:
                self.add(file, qid, "options_from", "give either options or options_from, not both")
                return None
            if name not in option_sets:
                known = ", ".join(option_sets) or "none in the included files"
                self.add(origin.get("options_from", survey_file), qid, "options_from",
                         f"no option set '{name}'; known sets: {known}")
                return None
            file, raw_options = option_sets[name]
        if kind == "free_text" or kind not in OPTION_KINDS:
            if raw_options:
                self.add(file, qid, "options", "free text questions have no options; remove them")
            return ()
        if not raw_options:
            if kind == "yes_no":
                return tuple(Option(oid, label, None, keys) for oid, (label, keys) in YES_NO_OPTIONS.items())
            if kind == "visibility":
                return tuple(Option(oid, label) for oid, label in DEFAULT_VISIBILITY_LABELS.items())
            self.add(file, qid, "options", f"a {kind} question needs options: add [[questions.options]] tables or options_from")
            return None
        if not isinstance(raw_options, list):
            self.add(file, qid, "options", "must be written as [[questions.options]] tables")
            return None
        options: list[Option] = []
        bad = False
        for i, ro in enumerate(raw_options):
            label_field = f"options[{i}]"
            if not isinstance(ro, dict):
                self.add(file, qid, label_field, "must be a table with id and label")
                bad = True
                continue
            oid = ro.get("id")
            if not isinstance(oid, str) or not ID_PATTERN.match(oid):
                self.add(file, qid, f"{label_field}.id", "missing or not an id: use lower-case letters, digits and _")
                bad = True
                continue
            name = f"options.{oid}"
            self.unknown_keys(file, qid, "an option", {f"{k}": v for k, v in ro.items()}, OPTION_KEYS)
            label = ro.get("label")
            if not isinstance(label, str) or not label.strip():
                self.add(file, qid, f"{name}.label", "missing; every option needs a text label (emoji alone are not enough)")
                bad = True
                continue
            emoji = ro.get("emoji")
            if emoji is not None and (not isinstance(emoji, str) or not emoji.strip()):
                self.add(file, qid, f"{name}.emoji", "must be an emoji in quotes")
                emoji = None
            if kind == "scale" and not emoji:
                self.add(file, qid, f"{name}.emoji", "every point on a scale needs an emoji as well as its text label")
            keys = ro.get("sms_keys", [])
            if not isinstance(keys, list) or not all(isinstance(k, str) and k.strip() for k in keys):
                self.add(file, qid, f"{name}.sms_keys", "must be a list of words in quotes, e.g. [\"y\", \"yeah\"]")
                keys = []
            if any(o.id == oid for o in options):
                self.add(file, qid, f"{name}.id", f"option id '{oid}' is used twice in this question")
                bad = True
                continue
            options.append(Option(oid, label.strip(), emoji, tuple(k.strip() for k in keys)))
        if bad:
            return None
        ids = [o.id for o in options]
        if kind == "scale" and len(options) < 3:
            self.add(file, qid, "options", "a scale needs at least 3 points")
        if kind in ("single_choice", "multiple_choice") and len(options) < 2:
            self.add(file, qid, "options", "a choice needs at least 2 options")
        if kind == "yes_no" and (not {"yes", "no"} <= set(ids) or set(ids) - set(YES_NO_OPTIONS)):
            self.add(file, qid, "options", f"a yes_no question has options yes and no (and not_sure if you like); got {ids}")
        if kind == "visibility" and set(ids) != set(VISIBILITY):
            self.add(file, qid, "options", f"a visibility question has exactly the options {', '.join(VISIBILITY)}; got {', '.join(ids)}")
        if kind == "advocate":
            if set(ids) - set(ADVOCATE_OPTIONS):
                self.add(file, qid, "options", f"advocate options are {', '.join(ADVOCATE_OPTIONS)}; got {', '.join(ids)}")
            if "no_thanks" not in ids or not ({"advocate", "speak_to_chair"} & set(ids)):
                self.add(file, qid, "options", "an advocate question offers 'advocate' or 'speak_to_chair', and 'no_thanks'")
        # Each SMS reply must choose one option only.
        claimed: dict[str, str] = {}
        for i, o in enumerate(options, start=1):
            for key in {str(i), o.id.replace("_", " "), o.label.lower(), *(k.lower() for k in o.sms_keys)}:
                other = claimed.get(key)
                if other is not None and other != o.id:
                    self.add(file, qid, f"options.{o.id}.sms_keys", (
                        f"the reply '{key}' would choose both '{other}' and '{o.id}'; make each reply choose one option"
                    ))
                claimed.setdefault(key, o.id)
        return tuple(options)

    # -- survey files --
    def survey_file(self, path: Path) -> Survey | None:
        file = self.rel(path)
        data = self.parse(path)
        if data is None:
            return None
        self.unknown_keys(file, None, "a survey file", data, SURVEY_KEYS)
        ok = True
        sid = data.get("id")
        if not isinstance(sid, str) or not ID_PATTERN.match(sid) or len(sid) > 80:
            self.add(file, None, "id", "missing or not an id: lower-case letters, digits and _, up to 80 characters")
            ok = False
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self.add(file, None, "version", "missing or not a whole number from 1 (add 1 for each changed edition)")
            ok = False
        if ok and path.name != f"{sid}.v{version}.toml":
            self.add(file, None, "id", f"the file name must be {sid}.v{version}.toml (id and version), one file per version")
        title = self.text(file, None, data, "title")
        roles = self.id_list(file, "roles", data.get("roles"), ROLES)
        age_bands = self.id_list(file, "age_bands", data.get("age_bands"), AGE_BANDS)
        meeting_types = self.id_list(file, "meeting_types", data.get("meeting_types"), MEETING_TYPES)
        if not roles or not age_bands or not meeting_types:
            ok = False
        child = _is_child_audience(roles)
        languages = self.languages(file, data)
        draft = self.languages(file, data, key="draft_languages")
        for lang in set(languages) & set(draft):
            self.add(file, None, "draft_languages", f"'{lang}' is in languages too; a language is either offered or draft")
        easy_read = data.get("easy_read", False)
        one_per_page = data.get("one_question_per_page", child)
        for key, value in (("easy_read", easy_read), ("one_question_per_page", one_per_page)):
            if not isinstance(value, bool):
                self.add(file, None, key, "must be true or false")
        # Included shared files give questions, option sets and defaults.
        includes = data.get("includes", [])
        if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
            self.add(file, None, "includes", "must be a list of shared files, like [\"shared/child_8_12.toml\"]")
            includes = []
        shared_list: list[_Shared] = []
        for inc in includes:
            if not inc.startswith(SHARED_DIR + "/") or not (self.dir / inc).is_file():
                self.add(file, None, "includes", f"'{inc}' is not a file in surveys/{SHARED_DIR}/; check the name")
                ok = False
                continue
            shared = self.shared(inc)
            if shared is None:
                self.add(file, None, "includes", f"'{inc}' has problems (listed above) and cannot be used")
                ok = False
                continue
            shared_list.append(shared)
        option_sets: dict[str, tuple[str, list]] = {}
        sms: dict[str, str] = {}
        budgets: dict[str, int] = dict(DEFAULT_SMS_MAX_SEGMENTS)
        signposting: list[str] | None = None
        closing: str | None = None
        sms_origin: dict[str, str] = {}
        for shared in shared_list:
            option_sets.update(shared.option_sets)
            sms.update(shared.sms)
            sms_origin.update({k: shared.file for k in shared.sms})
            budgets.update(shared.sms_max_segments)
            signposting = shared.signposting if shared.signposting is not None else signposting
            closing = shared.closing or closing
        self.read_option_sets(file, data.get("option_sets"), option_sets)
        own_sms = self.read_sms_table(file, data["sms"]) if "sms" in data else {}
        sms.update(own_sms)
        sms_origin.update({k: file for k in own_sms})
        if "sms_max_segments" in data:
            budgets.update(self.read_budgets(file, data["sms_max_segments"]))
        if "signposting" in data:
            signposting = self.read_signposting(file, data["signposting"])
        if "closing" in data:
            closing = self.text(file, None, data, "closing")
        intro = self.text(file, None, data, "intro")
        if closing is None:
            self.add(file, None, "closing", "missing; add closing text here or in an included shared file")
        if not signposting:
            self.add(file, None, "signposting", "missing; list where to get help (Childline 0800 1111, advocacy, the duty team)")
        elif child and not any("0800 1111" in s for s in signposting):
            self.add(file, None, "signposting", "children and young people must be told about Childline: add 'Childline 0800 1111'")
        for name, text in (("title", title), ("intro", intro), ("closing", closing)):
            if text:
                self.check_page_text(file, None, name, text)
        # SMS messages.
        check_languages = tuple(languages) + tuple(draft)
        for kind in SMS_MESSAGE_KINDS:
            if kind not in sms and kind not in OPTIONAL_SMS_KINDS:
                self.add(file, None, f"sms.{kind}", "missing; add it under [sms] here or in an included shared file")
        for kind, text in sms.items():
            mfile = sms_origin.get(kind, file)
            used = "" if mfile == file else f" (used by {file})"
            self.check_sms(mfile, None, f"sms.{kind}", text, languages=check_languages,
                           max_segments=budgets.get(kind, 1), used_by=used)
            names = _placeholders(text) or set()
            if kind in ("invite", "reminder"):
                for needed in ("service", "link"):
                    if needed not in names:
                        self.add(mfile, None, f"sms.{kind}", f"must say who it is from and give the link: add {{{needed}}}")
                if INVITE_REPLY_PHRASE not in text.lower():
                    self.add(mfile, None, f"sms.{kind}", f"must offer to answer by text: add '{INVITE_REPLY_PHRASE}'")
        # Questions.
        raw_questions = data.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            self.add(file, None, "questions", "missing; add [[questions]] tables (or `use = \"id\"` to reuse a shared one)")
            raw_questions = []
        available: dict[str, tuple[str, dict]] = {}
        for shared in shared_list:
            for qid, raw in shared.questions.items():
                available[qid] = (shared.file, raw)
        questions: list[Question] = []
        ids: set[str] = set()
        audience = f" (used by {file}, which is for children or young people)"
        for i, raw in enumerate(raw_questions):
            if not isinstance(raw, dict):
                self.add(file, None, f"questions[{i}]", "must be a [[questions]] table")
                continue
            if "use" in raw:
                use = raw["use"]
                if not isinstance(use, str) or use not in available:
                    known = ", ".join(sorted(available)) or "none: add includes = [\"shared/....toml\"]"
                    self.add(file, str(use), "use", f"no question '{use}' in the included files; available: {known}")
                    ok = False
                    continue
                src, shared_raw = available[use]
                merged = {**shared_raw, **{k: v for k, v in raw.items() if k != "use"}}
                merged.setdefault("id", use)
                origin = {k: src for k in shared_raw}
                origin.update({k: file for k in raw if k != "use"})
            else:
                merged, origin = raw, {}
            q = self.question(file, merged, origin, option_sets, child=child, languages=check_languages,
                              used_by=audience if child and origin else "")
            if q is None:
                ok = False
                continue
            if q.id in ids:
                self.add(file, q.id, "id", f"question id '{q.id}' is used twice in this survey; give each question its own id")
                ok = False
                continue
            if q.follow_up_of is not None and q.follow_up_of not in ids:
                self.add(file, q.id, "follow_up_of", f"'{q.follow_up_of}' is not an earlier question in this survey")
            ids.add(q.id)
            questions.append(q)
        kinds = [q.kind for q in questions]
        if questions and kinds[-2:] != ["visibility", "advocate"]:
            self.add(file, None, "questions", (
                "the last two questions must be the 'who may see my answers' (kind visibility) and "
                "'I would like an advocate' (kind advocate) questions, in that order"
            ))
        for kind in ("visibility", "advocate"):
            if kinds.count(kind) > 1:
                self.add(file, None, "questions", f"ask the {kind} question once only")
        if not ok or title is None or intro is None or closing is None or not signposting:
            return None
        survey = Survey(
            id=sid, version=version, title=title, roles=roles, age_bands=age_bands, meeting_types=meeting_types,
            languages=languages, draft_languages=draft, easy_read=bool(easy_read),
            one_question_per_page=bool(one_per_page), intro=intro, closing=closing,
            signposting=tuple(signposting), questions=tuple(questions), sms=sms, source=file,
            sms_max_segments=budgets, includes=tuple(includes),
        )
        self.check_translations(survey, languages)
        return survey

    def languages(self, file, data, key="languages") -> tuple[str, ...]:
        value = data.get(key, ["en"] if key == "languages" else [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(file, None, key, "must be a list of language codes, like [\"en\", \"bn\"]")
            return ("en",) if key == "languages" else ()
        for v in value:
            if not LANGUAGE_PATTERN.match(v):
                self.add(file, None, key, f"'{v}' is not a language code such as \"en\", \"bn\", \"so\", \"ar\"")
        if key == "languages" and "en" not in value:
            self.add(file, None, key, "must include \"en\": English is written in the file and is the fallback")
        if key == "draft_languages" and "en" in value:
            self.add(file, None, key, "\"en\" is never a draft")
        return tuple(dict.fromkeys(v for v in value if LANGUAGE_PATTERN.match(v) and not (key == "draft_languages" and v == "en")))

    def check_translations(self, survey: Survey, languages) -> None:
        for language in languages:
            if language == "en":
                continue
            if self.catalogue(language) is None:
                self.add(survey.source, None, "languages", (
                    f"'{language}' is offered but {self._catalogue_problem[language]}; "
                    "until it is translated, move it to draft_languages"
                ))
                continue
            for qid, fieldname, text, src in survey_strings(survey):
                if self.translated(text, language) is None:
                    self.add(src, qid, f"{fieldname} ({language})", (
                        f"no {language} translation in {self.tdir}/{language}/LC_MESSAGES/surveys.po"
                        f"{'' if src == survey.source else f' (used by {survey.source})'}; translate and compile it, "
                        "or move the language to draft_languages"
                    ))
                elif language in self._catalogue_problem:
                    self.add(survey.source, None, "languages", self._catalogue_problem[language])

    # -- across files --
    def check_registry(self, surveys: list[Survey]) -> None:
        seen: dict[tuple[str, int], str] = {}
        for s in surveys:
            if s.key in seen:
                self.add(s.source, None, "version", f"{s.id} version {s.version} is also in {seen[s.key]}; raise the version")
            seen.setdefault(s.key, s.source)
        latest: dict[str, Survey] = {}
        for s in surveys:
            if s.id not in latest or s.version > latest[s.id].version:
                latest[s.id] = s
        claims: dict[tuple[str, str, str], Survey] = {}
        for s in sorted(latest.values(), key=lambda s: s.source):
            for mt in s.meeting_types:
                for role in s.roles:
                    for band in s.age_bands:
                        other = claims.get((mt, role, band))
                        if other is not None:
                            self.add(s.source, None, "meeting_types", (
                                f"{mt} for {role} aged {band} is already covered by {other.source}; "
                                "each person must match one survey: narrow roles, age_bands or meeting_types"
                            ))
                        claims.setdefault((mt, role, band), s)


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
        return _localise(survey, language, lambda s: cat.gettext(s) if s else s)

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


def inspect_surveys(directory: str | Path, translations_dir: str | Path | None = None) -> SurveyReport:
    """Load and check every file in `directory`; never raises for problems in the files."""
    loader = _Loader(Path(directory), Path(translations_dir) if translations_dir else TRANSLATIONS_DIR)
    return loader.run()


def check_surveys(directory: str | Path, translations_dir: str | Path | None = None) -> list[str]:
    """Every problem in the survey files, one line each: "<file>: <question>: <field>: <what to fix>"."""
    return inspect_surveys(directory, translations_dir).problems


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
