"""Phone numbers: UK by default, mobiles only, a reason instead of an exception."""

import pytest

from voice_service.messaging.phone import normalise_phone


@pytest.mark.parametrize(
    "raw",
    ["07911 123456", "07911123456", "+44 7911 123456", "0044 7911 123456", "(07911) 123-456",
     " +447911123456 ", "whatsapp:+447911123456", "tel:07911123456"],
)
def test_the_ways_people_write_a_uk_mobile_all_give_the_same_number(raw):
    assert normalise_phone(raw) == ("+447911123456", None)


def test_a_valid_overseas_mobile_is_kept():
    check = normalise_phone("+33 6 12 34 56 78")
    assert check.ok and check.e164 == "+33612345678"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "no phone number"),
        ("", "no phone number"),
        ("   ", "no phone number"),
        ("whatsapp:", "no phone number"),
        ("ask mum", "not a phone number"),
        ("07911 123", "not a valid phone number"),
        ("07911 1234567890", "not a valid phone number"),
        ("020 7946 0000", "not a mobile number, so it cannot receive texts"),
        ("070 1234 5678", "not a mobile number, so it cannot receive texts"),  # personal number
        ("9" * 100, "not a phone number"),
    ],
)
def test_unusable_numbers_say_why_without_repeating_the_number(raw, reason):
    check = normalise_phone(raw)
    assert check == (None, reason)
    assert not check.ok


def test_ofcom_drama_numbers_are_for_demo_data_only():
    assert normalise_phone("07700 900123").e164 is None
    assert normalise_phone("07700 900123", allow_drama_numbers=True) == ("+447700900123", None)
    assert normalise_phone("07700 901123", allow_drama_numbers=True).e164 is None
