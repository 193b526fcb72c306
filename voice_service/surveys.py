"""Survey definitions: the names other modules import, gathered from the modules that hold them.

- survey_model: the plain data (Survey, Question, Option, Wording, SurveyError, the kinds)
- survey_text: placeholders, the SMS option list, every string to translate, the SMS rules
- survey_translation: wording in other languages (gettext domain `surveys`)
- survey_checks, survey_questions, survey_validation: loading and checking surveys/ (`flask surveys check`)
- survey_registry: the valid surveys by id or by who is asked; the app's registry

See surveys/README.md for the file format.
"""
from voice_service.survey_model import (  # noqa: F401
    ADULT_ROLES,
    ADVOCATE_OPTIONS,
    CHILD_ROLES,
    DEFAULT_VISIBILITY_LABELS,
    MULTI_SELECT_KINDS,
    OPTION_KINDS,
    QUESTION_KINDS,
    SMS_MESSAGE_KINDS,
    YES_NO_OPTIONS,
    Option,
    Question,
    Survey,
    SurveyError,
    Wording,
)
from voice_service.survey_registry import SurveyRegistry, load_surveys, registry  # noqa: F401
from voice_service.survey_text import (  # noqa: F401
    DEFAULT_SMS_MAX_SEGMENTS,
    INVITE_REPLY_PHRASE,
    PAGE_PLACEHOLDERS,
    SMS_AVOID,
    SMS_PLACEHOLDER_SAMPLES,
    SMS_PLACEHOLDERS,
    fill_placeholders,
    sms_option_list,
    survey_strings,
)
from voice_service.survey_translation import TRANSLATIONS_DIR, is_translated, localise, translate  # noqa: F401
from voice_service.survey_validation import SurveyReport, check_surveys, inspect_surveys  # noqa: F401
