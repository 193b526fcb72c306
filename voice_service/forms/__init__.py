"""Flask-WTF forms for the public journey, rendered by govuk-frontend-wtf widgets."""
from voice_service.forms.question import (
    QuestionForm,
    build_question_form,
    given_from_form,
    with_default_options,
)
from voice_service.forms.simple import ActionForm, ChatForm, LanguageForm

__all__ = [
    "ActionForm", "ChatForm", "LanguageForm", "QuestionForm", "build_question_form", "given_from_form",
    "with_default_options",
]
