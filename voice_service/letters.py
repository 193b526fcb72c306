"""Printable invitation letters: one A4 PDF per person, in their language, easy read for children.

Made with WeasyPrint (Pango and HarfBuzz shape Bengali and lay out Arabic right to left with
Debian's Noto fonts; ReportLab's default text engine does no complex-script shaping). Each
letter carries a QR code (segno) of the private link and the link written out in full. The
address sits where a windowed envelope and GOV.UK Notify's precompiled-letter rules expect it.

`letter_pdf(invitation)` needs an app context (settings, the link); `render_letter(LetterData)`
is the layout alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape

from voice_service.messaging import outreach_texts as texts

LONDON = ZoneInfo("Europe/London")
EASY_READ_BANDS = ("under_8", "8_12")


@dataclass(frozen=True)
class LetterData:
    language: str
    easy_read: bool
    name: str
    address_lines: tuple[str, ...]
    link: str
    council: str
    service: str
    phone: str
    meeting_date: str | None  # None for Experience of Service
    today: date
    after_meeting: bool = False  # the questionnaire on how the meeting (on meeting_date) went


def _env() -> Environment:
    from voice_service.config import PROJECT_ROOT

    return Environment(loader=FileSystemLoader(str(PROJECT_ROOT / "templates" / "letters")),
                       autoescape=select_autoescape(["html"]))


def qr_data_uri(link: str) -> str:
    return segno.make(link, error="m").svg_data_uri(scale=6, border=2)


def _easy_why(data: LetterData, w) -> list[str]:
    if data.meeting_date is None:
        return [w(texts.EASY_EOS_LINE)] + [w(line) for line in texts.EASY_LINES[1:]]
    if data.after_meeting:
        return [w(texts.EASY_MQ_LINE)] + [w(line) for line in texts.EASY_LINES[1:]]
    return [w(line) for line in texts.EASY_LINES]


def letter_words(data: LetterData) -> dict:
    """Every line of the letter, in its language."""
    lang = data.language
    w = lambda text, **values: texts.words(text, lang, **values)  # noqa: E731
    eos = data.meeting_date is None
    return {
        "title": w(texts.EASY_TITLE if data.easy_read else texts.LETTER_TITLE),
        "dear": w(texts.EASY_HELLO if data.easy_read else texts.LETTER_DEAR, name=data.name),
        "why": _easy_why(data, w) if data.easy_read else [
            w(texts.LETTER_WHY_EOS, council=data.council) if eos
            else w(texts.LETTER_WHY_MQ if data.after_meeting else texts.LETTER_WHY, council=data.council,
                   date=data.meeting_date)],
        "how": w(texts.EASY_SCAN) if data.easy_read else w(texts.LETTER_HOW),
        "type": w(texts.EASY_TYPE) if data.easy_read else None,
        "choice": w(texts.EASY_CHOICE if data.easy_read else texts.LETTER_CHOICE),
        "help": w(texts.LETTER_HELP, phone=data.phone),
        "childline": w(texts.EASY_CHILDLINE) if data.easy_read else None,
        "keep": w(texts.LETTER_KEEP),
        "sign": w(texts.LETTER_SIGN),
        "qr_alt": w(texts.QR_ALT),
        "draft": w(texts.DRAFT_NOTE) if lang in texts.DRAFT_LANGUAGES else None,
    }


def render_letter(data: LetterData) -> bytes:
    """The letter as PDF bytes."""
    from weasyprint import HTML

    html = _env().get_template("invitation.html").render(
        d=data, words=letter_words(data), qr=qr_data_uri(data.link),
        rtl=data.language in texts.RTL, today=f"\u2066{data.today.day} {data.today:%B %Y}\u2069",
    )
    return HTML(string=html).write_pdf()


def letter_data(invitation, link: str) -> LetterData:
    from flask import current_app

    from voice_service.messaging.texts import meeting_date_label
    from voice_service.models import utcnow
    from voice_service.scheduling.routes import check_address

    participant = invitation.participant
    meeting = participant.meeting
    config = current_app.config
    address = check_address(participant.postal_address)
    return LetterData(
        language=invitation.language or participant.language or "en",
        easy_read=bool(participant.easy_read or participant.age_band in EASY_READ_BANDS),
        name=participant.display_name, address_lines=address.lines or (),
        link=link, council=config["COUNCIL_NAME"], service=config["SERVICE_NAME"], phone=config["SERVICE_PHONE"],
        meeting_date=None if meeting.meeting_type == "experience_of_service" else meeting_date_label(meeting.starts_at),
        today=utcnow().astimezone(LONDON).date(), after_meeting=meeting.meeting_type == "meeting_quality",
    )


def letter_pdf(invitation) -> bytes:
    """The invitation's letter, with its current private link (flushes a derived token)."""
    from voice_service.messaging.texts import link_for

    return render_letter(letter_data(invitation, link_for(invitation)))
