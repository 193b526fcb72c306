"""Remove personal details from quotes before they leave the case record.

Replaces, in this order: email addresses -> "[email]", UK phone numbers -> "[phone]", UK
postcodes -> "[postcode]", street addresses -> "[address]", names -> "[name]".

Names are found three ways: the known participant names passed in (whole words, any case,
also the possessive "Sarah's"); a capitalised word after a role or relationship ("my sw Sarah",
"my brother Jake", "Mr Patel", "called Amy"); and a capitalised word in the middle of a
sentence that is not a common capitalised word (days, months, services, places, brands).
Redaction errs towards removing: a quote that loses a place name is better than one that
names a child. It is a safety net, not a guarantee: quotes for the Family Advisory Group are
still read by a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL = re.compile(r"\b[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+\b")
# UK numbers: +44 / 0044 / 0 then 9-10 digits, with spaces, dots, dashes or brackets between groups.
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)(?:\d[\s.\-()]{0,2}){8,10}\d(?!\d)"
)
POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR)\s?[0-9][A-Z]{2}\b", re.I)
_STREET_WORDS = (
    r"road|rd|street|st|avenue|ave|lane|ln|close|crescent|cres|drive|dr|way|gardens|gdns|place|pl|court|ct|"
    r"terrace|grove|hill|square|sq|mews|walk|row|park|rise|parade|estate|house|tower|towers|green|vale|view"
)
ADDRESS = re.compile(
    rf"\b(?:(?:flat|apartment|unit)\s+\d+[a-z]?,?\s+)?\d{{1,4}}[a-z]?,?\s+(?:[A-Za-z'\-]+\s+){{1,3}}(?:{_STREET_WORDS})\b\.?"
    rf"|\b(?:flat|apartment)\s+\d+[a-z]?\b"
    rf"|\b(?:[A-Z][a-z'\-]+\s+){{1,2}}(?:Road|Street|Avenue|Lane|Close|Crescent|Drive|Gardens|Court|Terrace|Grove|Square|Mews|Estate|House|Tower|Towers|Rise|Parade)\b",
    re.I,
)
# The street-name alternative above must start with capitals even under re.I: checked in code.

_ROLE = (
    r"(?:my|our|the|her|his|their|new|old)\s+(?:sw|social\s+worker|soshal\s+worker|worker|key\s?worker|teacher|"
    r"carer|foster\s+carer|foster\s+mum|foster\s+dad|iro|advocate|mentor|therapist|counsellor|nurse|doctor|"
    r"brother|bro|sister|sis|cousin|friend|best\s+friend|mate|bf|gf|boyfriend|girlfriend|partner|ex|husband|wife|"
    r"son|daughter|baby|nan|grandad|uncle|aunty|auntie|aunt|step\s?dad|step\s?mum|stepdad|stepmum|"
    r"mum'?s\s+boyfriend|dad'?s\s+girlfriend|family\s+worker|yot\s+worker|support\s+worker|tutor|ta)"
    r"|(?:called|named|name\s+is|named\s+is|miss|mrs|mr|ms|mx|dr|aunty|auntie|uncle|nan|nanny|grandma|grandad)"
)
ROLE_NAME = re.compile(rf"(?i:\b{_ROLE}\s*,?\s+)([A-Z][a-z\-]+(?:\s+[A-Z][a-z\-]+)?)")

# Capitalised words that are not names (checked case-insensitively).
COMMON_CAPITALISED = {
    # days, months, festivals
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "christmas", "easter", "eid", "ramadan", "diwali", "halloween",
    # people words often capitalised
    "i", "i'm", "i've", "i'd", "i'll", "mum", "dad", "mummy", "daddy", "nan", "nanny", "grandad", "grandma",
    "mr", "mrs", "ms", "miss", "sir", "god", "allah", "jesus",
    # services and acronyms written capitalised
    "camhs", "sen", "send", "senco", "ehcp", "ehc", "iro", "yot", "gp", "nhs", "cp", "cin", "cla", "fgc", "pe",
    "ta", "pru", "gcse", "gcses", "sats", "ofsted", "uk", "london", "england", "english", "british", "scotland",
    "wales", "ireland", "europe", "africa", "asia", "council", "social", "services", "school", "college",
    "covid", "zoom", "teams", "whatsapp", "snapchat", "instagram", "tiktok", "youtube", "facebook", "discord",
    "minecraft", "fortnite", "roblox", "xbox", "playstation", "ps5", "nintendo", "switch", "lego", "netflix",
    "mcdonalds", "mcdonald's", "kfc", "tesco", "asda", "lidl", "aldi", "primark", "premier", "league",
    "arsenal", "chelsea", "tottenham", "spurs", "liverpool", "city", "united", "west", "ham",
    "islam", "muslim", "christian", "jewish", "sikh", "hindu", "polish", "arabic", "somali", "turkish", "urdu",
    "bengali", "romanian", "portuguese", "spanish", "french", "tigrinya", "kurdish", "farsi", "black", "white",
    "asian", "lgbt", "lgbtq", "ok", "okay", "year", "maths", "science", "art", "music", "drama", "food", "bank",
    "universal", "credit", "early", "help", "family", "group", "conference", "children's", "childrens",
    "thank", "thanks", "yes", "no", "hi", "hello", "please", "sorry", "lol", "omg", "tv", "dvd", "ipad",
}
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n\s*|[\"'(]\s*|:\s+|-\s+)$")
_CAP_WORD = re.compile(r"\b[A-Z][a-z\-]+\b")


def _known_name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    parts: list[str] = []
    for name in names:
        for piece in {name.strip(), *name.split()}:
            piece = piece.strip(" ,.")
            if len(piece) >= 2:
                parts.append(re.escape(piece))
    if not parts:
        return None
    parts.sort(key=len, reverse=True)
    return re.compile(rf"(?<![\w])(?:{'|'.join(parts)})(?![\w])", re.I)


def redact(text: str, known_names: Iterable[str] = ()) -> str:
    """Text with names, phone numbers, emails, street addresses and postcodes replaced."""
    out = EMAIL.sub("[email]", text)
    out = PHONE.sub("[phone]", out)
    out = POSTCODE.sub(lambda m: "[postcode]" if re.search(r"\d", m.group(0)) else m.group(0), out)

    def _address(m: re.Match[str]) -> str:
        s = m.group(0)
        if not re.match(r"\d|flat|apartment|unit", s, re.I) and not s[:1].isupper():
            return s  # a lower-case "big house" is not a street name
        return "[address]"

    out = ADDRESS.sub(_address, out)
    known = _known_name_pattern(known_names)
    if known is not None:
        out = known.sub("[name]", out)
    out = ROLE_NAME.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + "[name]"
                        if m.group(1).split()[0].lower() not in COMMON_CAPITALISED else m.group(0), out)

    def _cap(m: re.Match[str]) -> str:
        word = m.group(0)
        base = word.lower().removesuffix("'s")
        if base in COMMON_CAPITALISED or base.rstrip("s") in COMMON_CAPITALISED:
            return word
        if _SENTENCE_START.search(out[: m.start()]):
            return word
        return "[name]"

    out = _CAP_WORD.sub(_cap, out)
    out = re.sub(r"\[address\](?:,?\s+\[address\])+", "[address]", out)
    out = re.sub(r"\[name\](?:\s+\[name\])+", "[name]", out)
    return out
