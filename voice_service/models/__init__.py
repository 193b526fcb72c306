"""SQLAlchemy models, one module per aggregate. Import from here."""
from voice_service.models.analysis import (
    LabelledExample, MonthRollup, SafeguardingAlert, SafeguardingAlertItem, SharedQuote, ThemeTag,
)
from voice_service.models.cases import Child, Meeting, Participant
from voice_service.models.invitations import AdvocacyRequest, Answer, Invitation
from voice_service.models.learning import LearningAction, LearningActionNote, SourceFeedback, YouSaidWeDid
from voice_service.models.messaging import Message, OptOut, ScheduledMessage
from voice_service.models.staff import Action, ApiKey, AuditEvent, User
from voice_service.models.types import utcnow

__all__ = [
    "Action", "AdvocacyRequest", "Answer", "ApiKey", "AuditEvent", "Child", "Invitation",
    "LabelledExample", "Meeting", "MonthRollup", "Message", "OptOut", "Participant", "SafeguardingAlert", "SafeguardingAlertItem",
    "ScheduledMessage", "SharedQuote", "ThemeTag", "User", "utcnow", "LearningAction", "LearningActionNote", "SourceFeedback",
    "YouSaidWeDid",
]
