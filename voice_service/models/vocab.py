"""The fixed vocabularies of the service: meeting types, roles, age bands, states.

Stored as plain strings (easy to migrate); every writer validates against these tuples.
"""

MEETING_TYPES = {
    "cp_conference": "Child protection conference",
    "cla_review": "Looked-after child review",
    "cin_review": "Child in need review",
    "ehcp_review": "EHCP annual review",
    "fgc": "Family Group Conference",
    "yj_panel": "Youth Justice panel",
    "experience_of_service": "Experience of Service questionnaire",
}

SERVICES = {
    "early_help": "Early help",
    "cin": "Child in need",
    "cp": "Child protection",
    "cla": "Children looked after",
    "send": "SEND / CYPDS",
    "yjs": "Youth Justice Service",
}

ROLES = {
    "child": "Child or young person",
    "young_adult": "Young adult (18 to 25, SEND)",
    "parent": "Parent",
    "carer": "Carer",
    "other": "Other family member or supporter",
}

AGE_BANDS = {
    "under_8": "Under 8",
    "8_12": "8 to 12",
    "13_17": "13 to 17",
    "18_25": "18 to 25",
    "adult": "Adult",
}

CHANNELS = ("web", "sms", "whatsapp", "webchat")

MEETING_STATUSES = ("scheduled", "cancelled", "held")

INVITATION_STATUSES = (
    "scheduled", "sent", "opened", "in_progress", "completed", "declined", "expired", "opted_out",
)
OPEN_INVITATION_STATUSES = ("scheduled", "sent", "opened", "in_progress")

# Who may see a respondent's answers, chosen by the respondent.
VISIBILITY = {
    "chair_only": "Only the chair or IRO",
    "meeting": "The chair and the people at the meeting",
    "worker_and_chair": "My social worker and the chair",
}

MESSAGE_STATUSES = ("accepted", "queued", "sending", "sent", "delivered", "read", "undelivered", "failed", "received")
# Delivery statuses only ever move forward; failed and undelivered are final.
MESSAGE_STATUS_RANK = {
    "accepted": 0, "scheduled": 0, "queued": 1, "sending": 2, "sent": 3,
    "delivered": 4, "read": 5, "undelivered": 9, "failed": 9, "canceled": 9, "received": 9,
}

SCHEDULED_KINDS = ("invite", "reminder", "close", "you_said_we_did", "eos_invite", "eos_reminder", "you_said_follow_up")
SCHEDULED_STATES = ("pending", "sending", "sent", "failed", "cancelled", "missed")

STAFF_ROLES = {
    "admin": "Administrator",
    "qa": "Quality Assurance officer",
    "chair": "Chair or IRO",
    "worker": "Social worker",
    "family_advisory": "Family Advisory Group member",
}

ALERT_STATUSES = ("open", "acknowledged", "actioned")
ADVOCACY_STATUSES = ("open", "referred", "handled")
SENTIMENTS = ("positive", "neutral", "negative")
TAG_SOURCES = ("codebook", "model", "person")
