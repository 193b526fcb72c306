"""The fixed vocabularies of the service: meeting types, roles, age bands, states.

Stored as plain strings (easy to migrate); every writer validates against these tuples.
Pure data: the engine, the planner and the analysis import it without loading the ORM.
"""

MEETING_TYPES = {
    "cp_conference": "Child protection conference",
    "cla_review": "Looked-after child review",
    "cin_review": "Child in need review",
    "ehcp_review": "EHCP annual review",
    "fgc": "Family Group Conference",
    "yj_panel": "Youth Justice panel",
    "experience_of_service": "Experience of Service questionnaire",
    "meeting_quality": "Questionnaire on how a meeting went",
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

# What a QA officer decided about quoting an answer outside QA (models.SharedQuote).
QUOTE_DECISIONS = {
    "approved": "Approved for sharing",
    "withheld": "Not to be shared",
}

MESSAGE_STATUSES = ("accepted", "queued", "sending", "sent", "delivered", "read", "undelivered", "failed", "received")
# Delivery statuses only ever move forward; failed and undelivered are final.
MESSAGE_STATUS_RANK = {
    "accepted": 0, "scheduled": 0, "queued": 1, "sending": 2, "sent": 3,
    "delivered": 4, "read": 5, "undelivered": 9, "failed": 9, "canceled": 9, "received": 9,
}

SCHEDULED_KINDS = ("invite", "reminder", "close", "you_said_we_did", "eos_invite", "eos_reminder", "resend", "you_said_follow_up")
SCHEDULED_STATES = ("pending", "sending", "sent", "failed", "cancelled", "missed")

# What an API key may do (models.ApiKey.scopes); each API route needs one of them.
API_SCOPES = {
    "meetings:read": "Read meetings, their people's invitation states and whether views are in",
    "meetings:write": "Create meetings, move, cancel or reinstate them",
    "outcomes:read": "Read whether views were read and the outcome the chair recorded",
}

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

# How an invitation reaches a person (Participant.route). The answering channel is separate
# (CHANNELS): a letter's QR code opens the same web form a text's link does.
ROUTES = {
    "sms": "Text message",
    "whatsapp": "WhatsApp",
    "email": "Email",
    "letter": "Letter",
    "in_person": "In person (the worker gives the link)",
}
#: Tried in this order when no route is given, or the one given cannot be used.
ROUTE_ORDER = ("sms", "whatsapp", "email", "letter", "in_person")

# "Helped to answer": how a member of staff helped (Invitation.assisted_how).
ASSISTANCE = {
    "read_aloud": "Read the questions aloud",
    "scribed": "Wrote down their words",
    "symbols": "Used pictures or symbols to explain",
    "interpreted": "Interpreted into their language",
}

# Equality fields of the child, each optional, as the DfE children in need census codes them
# (so the case system's codes arrive unchanged). Used only for "who is not being heard".
ETHNICITY_CODES = {
    "WBRI": "White British", "WIRI": "White Irish", "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background", "WROM": "Gypsy/Roma",
    "MWBC": "White and Black Caribbean", "MWBA": "White and Black African", "MWAS": "White and Asian",
    "MOTH": "Any other mixed background", "AIND": "Indian", "APKN": "Pakistani", "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background", "BCRB": "Black Caribbean", "BAFR": "Black African",
    "BOTH": "Any other Black background", "CHNE": "Chinese", "OOTH": "Any other ethnic group",
    "REFU": "Refused", "NOBT": "Information not yet obtained",
}
GENDER_CODES = {"1": "Male", "2": "Female", "9": "Indeterminate", "0": "Not known"}
DISABILITY_CODES = {
    "NONE": "No disability", "MOB": "Mobility", "HAND": "Hand function", "PC": "Personal care",
    "INC": "Incontinence", "COMM": "Communication", "LD": "Learning", "HEAR": "Hearing",
    "VIS": "Vision", "BEH": "Behaviour", "CON": "Consciousness", "AUT": "Autism or Asperger syndrome",
    "DDA": "Other disability",
}
# Why the case closed (the census's reason codes RC1 to RC8).
CLOSURE_REASONS = {
    "RC1": "Adopted", "RC2": "Died", "RC3": "Child arrangements order", "RC4": "Special guardianship order",
    "RC5": "Transferred to another local authority", "RC6": "Transferred to adult social care",
    "RC7": "Services ceased for any other reason", "RC8": "Case closed after assessment, no further action",
}
LANGUAGE_NAMES = {"en": "English", "bn": "Bengali", "so": "Somali", "ar": "Arabic"}
