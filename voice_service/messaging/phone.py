"""Is this a number we can text? A pure check with the maintained ``phonenumbers`` library.

Numbers are read with the United Kingdom as the default region (``07911 123456`` and
``+44 7911 123456`` are the same number) and must be valid mobile numbers: a landline cannot
receive an SMS. The reason strings are safe to show to staff and to log: they never contain
the number itself.
"""

from __future__ import annotations

from typing import NamedTuple

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

DEFAULT_REGION = "GB"

# Ofcom reserves 07700 900000-900999 for drama; no real person has one, so they are the
# numbers to use in demo data and tests. ``phonenumbers`` rightly calls them invalid.
_DRAMA_PREFIX = "+447700900"

_TEXTABLE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
_ADDRESS_PREFIXES = ("whatsapp:", "tel:", "sms:")

NO_NUMBER = "no phone number"
NOT_A_NUMBER = "not a phone number"
INVALID_NUMBER = "not a valid phone number"
NOT_MOBILE = "not a mobile number, so it cannot receive texts"


class PhoneCheck(NamedTuple):
    """``(e164, reason)``: the number in E.164 form and None, or None and why it is unusable."""

    e164: str | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.e164 is not None


def normalise_phone(
    raw: str | None,
    *,
    region: str = DEFAULT_REGION,
    allow_drama_numbers: bool = False,
) -> PhoneCheck:
    """Normalise a phone number as typed by a person or sent by a provider.

    Returns ``PhoneCheck(e164, None)`` for a textable number, otherwise
    ``PhoneCheck(None, reason)``. Never raises. A ``whatsapp:``/``tel:``/``sms:`` prefix is
    ignored. ``allow_drama_numbers`` accepts Ofcom's fictional 07700 900xxx range (demo data).
    """
    if raw is None:
        return PhoneCheck(None, NO_NUMBER)
    text = str(raw).strip()
    lowered = text.lower()
    for prefix in _ADDRESS_PREFIXES:
        if lowered.startswith(prefix):
            text = text[len(prefix):].strip()
            break
    if not text:
        return PhoneCheck(None, NO_NUMBER)
    if len(text) > 40:
        return PhoneCheck(None, NOT_A_NUMBER)
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return PhoneCheck(None, NOT_A_NUMBER)
    e164 = phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
    if allow_drama_numbers and e164.startswith(_DRAMA_PREFIX) and len(e164) == len(_DRAMA_PREFIX) + 3:
        return PhoneCheck(e164, None)
    if not phonenumbers.is_valid_number(parsed):
        return PhoneCheck(None, INVALID_NUMBER)
    if phonenumbers.number_type(parsed) not in _TEXTABLE:
        return PhoneCheck(None, NOT_MOBILE)
    return PhoneCheck(e164, None)


__all__ = ["PhoneCheck", "normalise_phone"]
