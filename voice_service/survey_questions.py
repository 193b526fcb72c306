"""Checks on one question of a survey file: its fields, options and text messages.

`QuestionChecker.question` builds a `Question` from a file's table and reports every problem
with it (see survey_checks for the problem format). Pure.
"""
from __future__ import annotations

import re

from voice_service.messaging.segments import sms_segments
from voice_service.vocab import VISIBILITY
from voice_service.survey_checks import FieldChecker
from voice_service.survey_model import (
    ADVOCATE_OPTIONS,
    DEFAULT_VISIBILITY_LABELS,
    OPTION_KINDS,
    QUESTION_KINDS,
    YES_NO_OPTIONS,
    Option,
    Question,
    Wording,
)
from voice_service.survey_text import sms_option_list

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]*$")
QUESTION_KEYS = (
    "id", "kind", "web", "sms", "easy_read", "hint", "symbol", "options", "options_from", "required",
    "max_length", "follow_up_of", "themes",
)
OPTION_KEYS = ("id", "label", "emoji", "sms_keys")


def theme_ids() -> tuple[str, ...]:
    from voice_service.analysis.codebook import THEME_IDS

    return THEME_IDS


class QuestionChecker(FieldChecker):
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
            if t not in theme_ids():
                self.add(where("themes"), qid, "themes", f"'{t}' is not a theme in THEMES.md; use one of: {', '.join(theme_ids())}")
        options = self.options(survey_file, qid, kind, raw, origin, option_sets)
        if options is None:
            ok = False
        if not ok:
            return None
        q = Question(
            id=qid, kind=kind, wording=Wording(web=web, sms=sms, easy_read=easy, hint=hint), options=options,
            required=required, max_length=max_length, follow_up_of=follow, symbol=symbol,
            themes=tuple(t for t in themes if t in theme_ids()), source=where("id"),
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

