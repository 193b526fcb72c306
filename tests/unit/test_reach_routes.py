"""How an invitation reaches a person (pure): the route chosen from the contact details, the
checks on emails and addresses, and what the planner does on each route."""
from __future__ import annotations

from datetime import UTC, datetime

from voice_service.scheduling.calendar import LONDON
from voice_service.scheduling.planner import Audience, Kind, PlanRequest, plan
from voice_service.scheduling.routes import Contact, check_address, check_email, choose_route


def london(*args):
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


def test_the_route_asked_for_is_used_when_it_can_be_and_otherwise_the_next_usable_one():
    everything = Contact(phone_ok=True, safe_to_text=True, email_ok=True, address_ok=True)
    assert choose_route(None, everything).route == "sms"
    assert choose_route("letter", everything) == ("letter", None)
    email_only = Contact(phone_ok=False, safe_to_text=False, email_ok=True, address_ok=False)
    assert choose_route(None, email_only).route == "email"
    fallback = choose_route("sms", email_only)
    assert fallback.route == "email" and fallback.note == "text message cannot be used (no usable mobile number), so by email"
    unsafe_phone_and_address = Contact(phone_ok=True, safe_to_text=False, email_ok=False, address_ok=True)
    assert choose_route(None, unsafe_phone_and_address).route == "letter"
    nothing = Contact(phone_ok=False, safe_to_text=False, email_ok=False, address_ok=False)
    assert choose_route(None, nothing).route == "in_person"  # nobody is left out


def test_email_checks_refuse_what_cannot_receive_mail_without_repeating_it():
    assert check_email(" Dana.Lewis@Example.ORG ").address == "Dana.Lewis@example.org"
    for bad in ("dana@", "dana@example", "dana lewis@example.org", "x@demo.invalid", "", None):
        result = check_email(bad)
        assert not result.ok and (bad is None or not bad or bad not in result.reason)


def test_addresses_need_two_to_seven_lines_ending_in_a_postcode():
    assert check_address("1 Elm Row | Northbridge | zz99 1er").lines == ("1 Elm Row", "Northbridge", "ZZ99 1ER")
    assert check_address(["1 Elm Row", "", "N1 9GU"]).text == "1 Elm Row\nN1 9GU"
    assert check_address("1 Elm Row").reason == "needs at least two lines: the street and the postcode"
    assert check_address("1 Elm Row\nNorthbridge").reason == "the last line must be a UK postcode, like N1 9GU"
    assert check_address([f"line {i}" for i in range(7)] + ["N1 9GU"]).reason == "has more than 7 lines"


def request(route, now, **kw):
    return PlanRequest(now=now, meeting_type="cla_review", audience=Audience("child", "13_17"),
                       meeting_start=london(2027, 3, 19, 10, 0), known_at=now, route=route, **kw)


def test_email_ignores_quiet_hours_but_keeps_the_schedule():
    evening = london(2027, 3, 1, 21, 30)
    by_email = plan(request("email", evening, email_ok=True))
    by_text = plan(request("sms", evening, phone="+447700900123", allow_drama_numbers=True))
    first = lambda p: next(m for m in p.messages if m.kind is Kind.INVITE)  # noqa: E731
    assert first(by_email).due_at == evening
    assert first(by_text).due_at == london(2027, 3, 2, 8, 0)
    # the same reminders and close as texts (a child's email reminder need not wait for 15:15)
    assert [m.kind for m in by_email.messages] == [Kind.INVITE, Kind.REMINDER, Kind.REMINDER, Kind.CLOSE]
    assert next(m for m in by_email.messages if m.kind is Kind.REMINDER).due_at == london(2027, 3, 12, 10, 0)


def test_a_letter_is_sent_once_and_in_person_sends_nothing_but_still_closes():
    now = london(2027, 3, 1, 9, 30)
    letter = plan(request("letter", now, address_ok=True))
    assert [m.kind for m in letter.messages] == [Kind.INVITE, Kind.CLOSE]
    assert {d.reason for d in letter.dropped} == {"a letter is sent once: no reminders by post"}
    in_person = plan(request("in_person", now))
    assert [m.kind for m in in_person.messages] == [Kind.CLOSE]
    assert in_person.reason == ("no usable contact: no mobile, email or postal address; "
                                "in person: the worker gives the link from the meeting page")
    assert plan(request("letter", now)).reason == "no usable contact: no postal address"
    assert plan(request("email", now, email_ok=True, consent=False)).reason == "no consent to be contacted"
