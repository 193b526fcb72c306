"""govuk-frontend-wtf widgets whose visually hidden "Error:" prefix is in the page's language."""
from __future__ import annotations

from flask_babel import gettext as _
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovCheckboxesInput, GovRadioInput, GovTextArea


class _TranslatedError:
    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        if params.get("errorMessage"):
            params["errorMessage"]["visuallyHiddenText"] = _("Error")
        return params


class Radios(_TranslatedError, GovRadioInput):
    pass


class Checkboxes(_TranslatedError, GovCheckboxesInput):
    pass


class CharacterCount(_TranslatedError, GovCharacterCount):
    pass


class TextArea(_TranslatedError, GovTextArea):
    pass
