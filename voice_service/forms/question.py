"""One form per question page, built from the survey question (already in the person's language).

Every kind of question renders through a govuk-frontend-wtf widget; the page heading is the
question (legend or label as page heading). Easy-read choice questions show each option's
symbol large above its words; the words are always there, the symbol is decorative.

Validation messages say exactly what to do. Nothing typed is thrown away on an error: the page
comes back with the person's words in it.
"""
from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext as _
from markupsafe import Markup, escape
from wtforms import Field, HiddenField, RadioField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError

from voice_service.forms.base import ServiceForm
from voice_service.forms.widgets import CharacterCount, Checkboxes, Radios
from voice_service.journey import CHOICE_KINDS, MULTI_KINDS, Given, question_text
from voice_service.vocab import VISIBILITY
from voice_service.surveys import Option, Question


EXCLUSIVE_OPTIONS = ("no_thanks", "none", "nothing")


class QuestionForm(ServiceForm):
    """Base for every question page: the answer field is added per question by build_question_form.

    `revision` carries the id of the answer that was current when the page was drawn, so a save
    from a second window open on the same question can be noticed and said out loud.
    """

    revision = HiddenField()


def visibility_labels() -> dict[str, str]:
    return {
        "chair_only": _("Only the chair of the meeting"),
        "worker_and_chair": _("My social worker and the chair"),
        "meeting": _("Everyone at the meeting"),
    }


def with_default_options(question: Question) -> Question:
    """Fill in the usual options for kinds that have them when the survey file leaves them out."""
    if question.options:
        return question
    if question.kind == "yes_no":
        return replace(question, options=(Option("yes", _("Yes")), Option("no", _("No"))))
    if question.kind == "visibility":
        labels = visibility_labels()
        return replace(question, options=tuple(Option(key, labels.get(key, text)) for key, text in VISIBILITY.items()))
    if question.kind == "advocate":
        return replace(
            question,
            options=(
                Option("advocate", _("I would like an advocate to help me say what I think")),
                Option("chair_alone", _("I would like to talk to the chair on my own")),
            ),
        )
    return question


def _option_html(option: Option) -> Markup:
    """A large symbol above the words. The symbol is hidden from screen readers: the words say it."""
    return Markup('<span class="app-emoji" aria-hidden="true">{}</span><span class="app-emoji__label">{}</span>').format(
        escape(option.emoji or ""), escape(option.label)
    )


class _ChoiceRequired:
    """A required choice question with nothing chosen."""

    def __call__(self, form, field: Field) -> None:
        if not field.data:
            raise StopValidation(_("Choose an answer"))


class _KnownChoices:
    """Only the options shown may be chosen (a tampered form gets a clear message, not a 400)."""

    def __init__(self, option_ids: set[str]):
        self.option_ids = option_ids

    def __call__(self, form, field: Field) -> None:
        data = field.data
        chosen = data if isinstance(data, list) else ([data] if data else [])
        if any(c not in self.option_ids for c in chosen):
            raise StopValidation(_("Choose one of the answers shown"))


class _ExclusiveChoice:
    """"No thanks" means none of the others: it cannot be chosen with them."""

    def __init__(self, exclusive: dict[str, str]):
        self.exclusive = exclusive

    def __call__(self, form, field: Field) -> None:
        chosen = set(field.data or [])
        for option_id, label in self.exclusive.items():
            if option_id in chosen and len(chosen) > 1:
                raise StopValidation(_("Choose “%(label)s” on its own, or untick it", label=label))


class _TextLength:
    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, form, field: Field) -> None:
        text = field.data or ""
        if len(text) > self.limit:
            raise ValidationError(
                _(
                    "Your answer must be %(limit)s characters or fewer. It is %(length)s characters now.",
                    limit=self.limit,
                    length=len(text),
                )
            )


class _TextRequired:
    def __call__(self, form, field: Field) -> None:
        if not (field.data or "").strip():
            raise StopValidation(_("Write your answer"))


def build_question_form(
    question: Question,
    *,
    easy_read: bool,
    max_free_text: int,
    formdata=None,
    given: Given | None = None,
    revision: str = "",
) -> QuestionForm:
    """The form for one question page. `formdata` None reads the request (POST) as usual."""
    question = with_default_options(question)
    heading = question_text(question, easy_read)
    hint = question.wording.hint
    option_ids = {o.id for o in question.options}
    choices = [SelectChoice(o.id, o.label) for o in question.options]
    field: Field
    if question.kind in CHOICE_KINDS:
        validators = [_ChoiceRequired()] if question.required else []
        validators.append(_KnownChoices(option_ids))
        field = RadioField(heading, choices=choices, validators=validators, validate_choice=False,
                           description=hint or "", widget=Radios())
    elif question.kind in MULTI_KINDS:
        validators = [_ChoiceRequired()] if question.required else []
        validators.append(_KnownChoices(option_ids))
        validators.append(_ExclusiveChoice({o.id: o.label for o in question.options if o.id in EXCLUSIVE_OPTIONS}))
        field = SelectMultipleField(heading, choices=choices, validators=validators, validate_choice=False,
                                    description=hint or "", widget=Checkboxes())
    else:
        limit = min(question.max_length or max_free_text, max_free_text)
        validators = [_TextRequired()] if question.required else []
        validators.append(_TextLength(limit))
        field = TextAreaField(heading, validators=validators, description=hint or "", widget=CharacterCount())

    form_class = type("Question_" + question.id, (QuestionForm,), {"answer": field})
    data = _data_from_given(question, given)
    kwargs = {"data": {"answer": data, "revision": revision}}
    if formdata is not None:
        kwargs["formdata"] = formdata
    form = form_class(**kwargs)
    form.question = question
    form.render_params = _render_params(question, easy_read, max_free_text)
    return form


def _data_from_given(question: Question, given: Given | None):
    if given is None or given.skipped:
        return [] if question.kind in MULTI_KINDS else None
    if question.kind in MULTI_KINDS:
        value = given.value
        return list(value) if isinstance(value, list | tuple) else ([value] if value else [])
    if question.kind in CHOICE_KINDS:
        return given.value
    return given.free_text


def _render_params(question: Question, easy_read: bool, max_free_text: int) -> dict:
    """Extra GOV.UK macro params for the answer field: the question as the page heading."""
    if question.kind in CHOICE_KINDS or question.kind in MULTI_KINDS:
        params: dict = {
            "hint": {"text": question.wording.hint} if question.wording.hint else None,
            "fieldset": {
                "legend": {
                    "text": question_text(question, easy_read),
                    "isPageHeading": True,
                    "classes": "govuk-fieldset__legend--l",
                }
            },
        }
        if question.kind in MULTI_KINDS and any(o.id in EXCLUSIVE_OPTIONS for o in question.options):
            # The GOV.UK "none of these" pattern: unticks the others (with JavaScript; the
            # server refuses the mix without it). Its items are merged by position.
            params["items"] = [
                {"behaviour": "exclusive"} if o.id in EXCLUSIVE_OPTIONS else {} for o in question.options
            ]
        with_symbols = question.kind in CHOICE_KINDS and any(o.emoji for o in question.options)
        if with_symbols:
            params["classes"] = "app-radios--symbols" + (" app-radios--easy-read" if easy_read else "")
            params["items"] = [{"html": _option_html(o)} for o in question.options]
        return params
    limit = min(question.max_length or max_free_text, max_free_text)
    return {
        "label": {"text": question_text(question, easy_read), "isPageHeading": True, "classes": "govuk-label--l"},
        "maxlength": limit,
        "rows": 6 if limit > 300 else 3,
        "textareaDescriptionText": _("You can write up to %(count)s characters", count="%{count}"),
        "charactersUnderLimitText": {
            "one": _("You have %{count} character left"),
            "other": _("You have %{count} characters left"),
        },
        "charactersAtLimitText": _("You have 0 characters left"),
        "charactersOverLimitText": {
            "one": _("You have %{count} character too many"),
            "other": _("You have %{count} characters too many"),
        },
        "spellcheck": True,
    }


def given_from_form(form: QuestionForm) -> Given:
    """What to store from a valid form: nothing chosen or written means the question was skipped."""
    question = form.question
    data = form.answer.data
    if question.kind in MULTI_KINDS:
        chosen = [o.id for o in question.options if o.id in set(data or [])]
        return Given(value=chosen, skipped=False) if chosen else Given(skipped=True)
    if question.kind in CHOICE_KINDS:
        return Given(value=data, skipped=False) if data else Given(skipped=True)
    text = (data or "").strip()
    return Given(free_text=text, skipped=False) if text else Given(skipped=True)


__all__ = ["QuestionForm", "build_question_form", "given_from_form", "with_default_options"]
