"""How many SMS segments a text costs: GSM 03.38 (GSM-7) or UCS-2, as the networks count them.

A text made only of GSM-7 characters is sent 7 bits a character: 160 fit in one SMS; a longer
text is split into parts of 153 (each part carries a 7-character header). Characters from the
GSM-7 extension table (| ^ € { } [ ] ~ \\ and form feed) are sent as ESC + character, so they
count 2, and a part never ends between the two. Any other character (an emoji, a curly
apostrophe, Bengali or Arabic script) makes the whole text UCS-2: 70 UTF-16 units fit in one
SMS, 67 a part when longer; an emoji outside the Basic Multilingual Plane counts 2 and is never
split between parts.

Pure functions, no I/O: the survey validation and the SMS senders both use them.
"""
from __future__ import annotations

# GSM 03.38 default alphabet (basic table), in code order; ESC (0x1B) is not a character.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
) - {"\x1b"}
# GSM 03.38 extension table: sent as ESC + character, so each counts 2.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67


def is_gsm7(text: str) -> bool:
    """True when every character of `text` is in the GSM-7 basic or extension table."""
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def non_gsm7_characters(text: str) -> list[str]:
    """The characters (each once, in order) that force `text` into UCS-2."""
    seen: list[str] = []
    for c in text:
        if c not in GSM7_BASIC and c not in GSM7_EXTENSION and c not in seen:
            seen.append(c)
    return seen


def _pack(costs: list[int], single: int, multi: int) -> int:
    """Segments needed for units of the given costs; a unit is never split between parts."""
    total = sum(costs)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            segments += 1
            used = 0
        used += cost
    return segments


def sms_segments(text: str) -> tuple[str, int, int]:
    """(encoding, segments, length) of `text` sent as one SMS message.

    encoding is "GSM-7" or "UCS-2"; length is in septets for GSM-7 (extension characters
    count 2) and UTF-16 code units for UCS-2 (an emoji such as 😀 counts 2). An empty text
    is ("GSM-7", 0, 0).
    """
    if is_gsm7(text):
        costs = [2 if c in GSM7_EXTENSION else 1 for c in text]
        return "GSM-7", _pack(costs, GSM7_SINGLE, GSM7_MULTI), sum(costs)
    costs = [2 if ord(c) > 0xFFFF else 1 for c in text]
    return "UCS-2", _pack(costs, UCS2_SINGLE, UCS2_MULTI), sum(costs)


def segment_limit(encoding: str, segments: int) -> int:
    """The most units `segments` SMS hold: 160 / 153 a part for GSM-7, 70 / 67 a part for UCS-2."""
    if segments <= 1:
        return GSM7_SINGLE if encoding == "GSM-7" else UCS2_SINGLE
    return (GSM7_MULTI if encoding == "GSM-7" else UCS2_MULTI) * segments


def single_segment_limit(text: str) -> int:
    """How many units one SMS holds for a text like this one: 160 for GSM-7, 70 for UCS-2."""
    return GSM7_SINGLE if is_gsm7(text) else UCS2_SINGLE
