"""Load and check the survey files in surveys/: every problem in every file, in one pass.

`inspect_surveys` reads each survey file and the shared files it includes, checks every field
(survey_questions, survey_checks), each text in each of its languages and the registry as a whole
(each person matches one survey), and never raises for a problem in a file. Pure: files and
compiled catalogues only, no Flask, no database.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from voice_service.messaging.segments import segment_limit, sms_segments
from voice_service.vocab import AGE_BANDS, MEETING_TYPES, ROLES
from voice_service.survey_model import CHILD_ROLES, OPTIONAL_SMS_KINDS, SMS_MESSAGE_KINDS, Question, Survey
from voice_service.survey_questions import ID_PATTERN, QuestionChecker
from voice_service.survey_text import DEFAULT_SMS_MAX_SEGMENTS, INVITE_REPLY_PHRASE, placeholders_in, survey_strings
from voice_service.survey_translation import TRANSLATIONS_DIR, localise_with

LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
SURVEY_KEYS = (
    "id", "version", "title", "description", "roles", "age_bands", "meeting_types", "languages",
    "draft_languages", "easy_read", "one_question_per_page", "includes", "intro", "closing",
    "signposting", "sms", "sms_max_segments", "option_sets", "questions",
)
SHARED_KEYS = ("description", "signposting", "closing", "sms", "sms_max_segments", "option_sets", "questions")
SHARED_DIR = "shared"


def is_child_audience(roles) -> bool:
    return any(r in CHILD_ROLES for r in roles)


@dataclass
class SurveyReport:
    """What loading a folder found: the valid surveys, the files read, and every problem."""

    surveys: list[Survey]
    survey_files: list[str]
    shared_files: list[str]
    problems: list[str]


class SharedFile:
    def __init__(self, file: str):
        self.file = file
        self.questions: dict[str, dict] = {}
        self.option_sets: dict[str, tuple[str, list]] = {}
        self.sms: dict[str, str] = {}
        self.sms_max_segments: dict[str, int] = {}
        self.signposting: list[str] | None = None
        self.closing: str | None = None



class SurveyLoader(QuestionChecker):
    def __init__(self, directory: Path, translations_dir: Path, required_languages=()):
        super().__init__(translations_dir)
        self.dir = directory
        self.required_languages = tuple(required_languages)
        self.shared_files: dict[str, SharedFile | None] = {}
        self.raw_files: dict[str, dict | None] = {}
        self.all_option_sets: dict[str, tuple[str, list]] = {}  # from every shared file

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
                self.all_option_sets.update(
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


    # -- shared files --
    def raw(self, file: str) -> dict | None:
        if file not in self.raw_files:
            self.raw_files[file] = self.parse(self.dir / file)
        return self.raw_files[file]

    def shared(self, file: str) -> SharedFile | None:
        if file in self.shared_files:
            return self.shared_files[file]
        self.shared_files[file] = None
        data = self.raw(file)
        if data is None:
            return None
        shared = SharedFile(file)
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
            q = self.question(file, raw, origin, {**self.all_option_sets, **shared.option_sets}, child=None,
                              languages=("en",))
            if q is not None:
                shared.questions[q.id] = raw
        self.shared_files[file] = shared
        return shared


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
        child = is_child_audience(roles)
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
        shared_list: list[SharedFile] = []
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
            names = placeholders_in(text) or set()
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
        for language in self.required_languages:
            if language not in languages and language not in draft:
                self.add(file, None, "draft_languages", (
                    f"'{language}' is missing: every survey is offered in {', '.join(self.required_languages)}; "
                    f"translate it and list it in draft_languages until a qualified translator has checked it"
                ))
        self.check_translations(survey, tuple(languages) + tuple(d for d in draft if d in self.required_languages))
        self.check_prompts(survey, check_languages)
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
                    f"'{language}' is offered but {self.catalogue_problem[language]}; "
                    "until it is translated, move it to draft_languages"
                ))
                continue
            for qid, fieldname, text, src in survey_strings(survey):
                if self.translated(text, language) is None:
                    how = ("a draft translation is still a whole one" if language in survey.draft_languages
                           else "or move the language to draft_languages")
                    self.add(src, qid, f"{fieldname} ({language})", (
                        f"no {language} translation in {self.tdir}/{language}/LC_MESSAGES/surveys.po"
                        f"{'' if src == survey.source else f' (used by {survey.source})'}; translate and compile it, "
                        + how
                    ))
                elif language in self.catalogue_problem:
                    self.add(survey.source, None, "languages", self.catalogue_problem[language])

    def check_prompts(self, survey: Survey, languages) -> None:
        """Each question's text as the conversation sends it ("(3/16) " + wording + its numbered
        options when the wording does not list them) fits the survey's `question` budget, per language."""
        from voice_service.conversation import question_prompt

        budget = survey.sms_max_segments.get("question", 1)
        for language in languages:
            if language != "en" and self.catalogue(language) is None:
                continue
            seen = localise_with(survey, language, lambda s, language=language: (self.translated(s, language) or s) if s else s)
            for question, original in zip(seen.questions, survey.questions):
                src = original.source or survey.source
                used = "" if src == survey.source else f" (used by {survey.source})"
                prompt = question_prompt(seen, question, language)
                encoding, segments, length = sms_segments(prompt)
                if segments > budget:
                    limit = segment_limit(encoding, budget)
                    self.add(src, question.id, f"sms prompt ({language})", (
                        f"the text that asks it (its number, wording and options) is {length} characters ({encoding}), "
                        f"{segments} SMS; the survey allows {budget} (sms_max_segments.question): "
                        f"shorten the wording or the option labels by {length - limit}{used}"
                    ))

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



def inspect_surveys(directory: str | Path, translations_dir: str | Path | None = None,
                    required_languages=()) -> SurveyReport:
    """Load and check every file in `directory`; never raises for problems in the files.

    Each of `required_languages` (the service's LANGUAGES for `flask surveys check`) must be
    offered or a draft in every survey, and translated in full either way.
    """
    loader = SurveyLoader(Path(directory), Path(translations_dir) if translations_dir else TRANSLATIONS_DIR,
                          required_languages=[lang for lang in required_languages if lang != "en"])
    return loader.run()


def check_surveys(directory: str | Path, translations_dir: str | Path | None = None,
                  required_languages=()) -> list[str]:
    """Every problem in the survey files, one line each: "<file>: <question>: <field>: <what to fix>"."""
    return inspect_surveys(directory, translations_dir, required_languages).problems
