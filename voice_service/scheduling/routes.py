"""How an invitation reaches a person: by text, email, letter or in person. Pure functions.

A person is never left out because they have no mobile: the route is the one the case system
asked for when it can be used, otherwise the first usable one of text, email, letter, and
finally in person (the worker gives the link from the meeting page). The reasons are safe to
show to staff and to log: they never contain the address or the number.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from email_validator import EmailNotValidError, validate_email

from voice_service.vocab import ROUTE_ORDER, ROUTES
from voice_service.messaging.phone import normalise_phone

TEXT_ROUTES = ("sms", "whatsapp")
#: Routes on which quiet hours do not apply: nothing rings or buzzes when an email or a letter arrives.
SILENT_ROUTES = ("email", "letter")
MAX_ADDRESS_LINES = 7  # GOV.UK Notify takes 7 lines with the postcode last
# A UK postcode (the last line of a letter's address), e.g. "N1 9GU", "SW1A 2AA".
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", re.IGNORECASE)


class EmailCheck(NamedTuple):
    address: str | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.address is not None


def check_email(raw: str | None) -> EmailCheck:
    """A normalised address an email can be delivered to, or why not (syntax and domain form:
    no DNS look-up, so it is pure and quick). Reserved names such as ``.invalid`` are refused."""
    if raw is None or not str(raw).strip():
        return EmailCheck(None, "no email address")
    text = str(raw).strip()
    if len(text) > 254:
        return EmailCheck(None, "not an email address: too long")
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        return EmailCheck(None, f"not an email address that can receive email: {_first_sentence(error)}")
    return EmailCheck(checked.normalized, None)


def _first_sentence(error: Exception) -> str:
    # email-validator's messages quote no part of the address; keep the first sentence only.
    text = str(error).strip()
    return text.split(". ")[0].rstrip(".").lower() if text else "not valid"


class AddressCheck(NamedTuple):
    lines: tuple[str, ...] | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.lines is not None

    @property
    def text(self) -> str | None:
        return "\n".join(self.lines) if self.lines else None


def check_address(raw: str | list | tuple | None) -> AddressCheck:
    """A postal address a letter can go to: 2 to 7 lines (newlines, or a list), the last a UK
    postcode. Blank lines are dropped; each line is trimmed."""
    if raw is None:
        return AddressCheck(None, "no postal address")
    if isinstance(raw, str):
        parts = re.split(r"[\n\r]+|\s*\|\s*", raw)
    elif isinstance(raw, (list, tuple)) and all(isinstance(p, str) for p in raw):
        parts = list(raw)
    else:
        return AddressCheck(None, "must be the lines of an address")
    lines = tuple(" ".join(p.split()) for p in parts if p and p.strip())
    if not lines:
        return AddressCheck(None, "no postal address")
    if len(lines) < 2:
        return AddressCheck(None, "needs at least two lines: the street and the postcode")
    if len(lines) > MAX_ADDRESS_LINES:
        return AddressCheck(None, f"has more than {MAX_ADDRESS_LINES} lines")
    if any(len(line) > 80 for line in lines):
        return AddressCheck(None, "has a line longer than 80 characters")
    if not POSTCODE.match(lines[-1]):
        return AddressCheck(None, "the last line must be a UK postcode, like N1 9GU")
    return AddressCheck(lines[:-1] + (lines[-1].upper(),), None)


class Contact(NamedTuple):
    """What the planner and dispatcher need to know about a person's contact details."""

    phone_ok: bool
    safe_to_text: bool
    email_ok: bool
    address_ok: bool
    consent: bool = True


def contact_for(phone: str | None, safe_to_text: bool, email: str | None, address: str | None,
                consent: bool = True, *, allow_drama_numbers: bool = False) -> Contact:
    return Contact(
        phone_ok=normalise_phone(phone, allow_drama_numbers=allow_drama_numbers).ok,
        safe_to_text=bool(safe_to_text), email_ok=check_email(email).ok, address_ok=check_address(address).ok,
        consent=bool(consent),
    )


def usable(route: str, contact: Contact) -> bool:
    if route in TEXT_ROUTES:
        return contact.phone_ok and contact.safe_to_text
    if route == "email":
        return contact.email_ok
    if route == "letter":
        return contact.address_ok
    return route == "in_person"


class RouteChoice(NamedTuple):
    route: str
    note: str | None  # why the asked-for route was not used, for staff


def choose_route(asked: str | None, contact: Contact) -> RouteChoice:
    """The route to use: the one asked for if usable, else the first usable of ROUTE_ORDER
    (WhatsApp only when asked for). In person is always usable, so nobody is left out."""
    if asked in ROUTES and usable(asked, contact):
        return RouteChoice(asked, None)
    for route in ROUTE_ORDER:
        if route == "whatsapp" or not usable(route, contact):
            continue
        note = None
        if asked in ROUTES:
            note = f"{ROUTES[asked].lower()} cannot be used ({missing(asked, contact)}), so by {ROUTES[route].lower()}"
        return RouteChoice(route, note)
    return RouteChoice("in_person", None)  # pragma: no cover - in_person is always usable


def missing(route: str, contact: Contact) -> str:
    """Why `route` cannot be used, in words."""
    if route in TEXT_ROUTES:
        return "no usable mobile number" if not contact.phone_ok else "not marked safe to text"
    if route == "email":
        return "no valid email address"
    if route == "letter":
        return "no postal address"
    return "unknown route"


__all__ = [
    "AddressCheck", "Contact", "EmailCheck", "RouteChoice", "SILENT_ROUTES", "TEXT_ROUTES",
    "check_address", "check_email", "choose_route", "contact_for", "missing", "usable",
]
