"""Small forms: a bare action (submit, carry on) with CSRF, the language switcher, web chat."""
from __future__ import annotations

from flask_babel import gettext as _
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import ValidationError

from voice_service.forms.base import ServiceForm
from voice_service.forms.widgets import TextArea


class ActionForm(ServiceForm):
    """No fields but the CSRF token: "Send my answers" and similar buttons."""


class LanguageForm(ServiceForm):
    language = StringField()
    next = HiddenField()


class ChatForm(ServiceForm):
    message = TextAreaField(widget=TextArea())

    def __init__(self, *args, limit: int = 2000, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit = limit
        self.message.label.text = _("Your message")

    def validate_message(self, field) -> None:
        text = (field.data or "").strip()
        if not text:
            raise ValidationError(_("Write a message, then press Send"))
        if len(text) > self.limit:
            raise ValidationError(
                _(
                    "Your message must be %(limit)s characters or fewer. It is %(length)s characters now.",
                    limit=self.limit,
                    length=len(text),
                )
            )
