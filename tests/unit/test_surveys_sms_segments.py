"""SMS segment counting: GSM 03.38 (basic + extension tables) and UCS-2, as networks bill them."""
from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from voice_service.messaging.segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    is_gsm7,
    non_gsm7_characters,
    single_segment_limit,
    sms_segments,
)


def test_tables_have_the_gsm_03_38_sizes():
    assert len(GSM7_BASIC) == 127  # 128 codes, one of them the escape to the extension table
    assert GSM7_EXTENSION == frozenset("\f^{}\\[~]|€")
    assert GSM7_BASIC.isdisjoint(GSM7_EXTENSION)


def test_empty_text_costs_nothing():
    assert sms_segments("") == ("GSM-7", 0, 0)


def test_gsm7_single_segment_holds_160_characters():
    assert sms_segments("a" * 160) == ("GSM-7", 1, 160)
    assert sms_segments("a" * 161) == ("GSM-7", 2, 161)


def test_gsm7_long_messages_split_into_parts_of_153():
    assert sms_segments("a" * 306) == ("GSM-7", 2, 306)
    assert sms_segments("a" * 307) == ("GSM-7", 3, 307)


def test_gsm7_basic_accented_and_greek_letters_count_one():
    text = "£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉÄÖÑÜ§¿äöñüà¡@$_\n\r"
    encoding, segments, length = sms_segments(text)
    assert (encoding, segments, length) == ("GSM-7", 1, len(text))


def test_extension_characters_count_two():
    assert sms_segments("€") == ("GSM-7", 1, 2)
    assert sms_segments("€" * 80) == ("GSM-7", 1, 160)
    assert sms_segments("a" * 159 + "[") == ("GSM-7", 2, 161)
    assert sms_segments("{}[]~|^\\") == ("GSM-7", 1, 16)


def test_an_extension_character_is_never_split_between_parts():
    # 306 septets would be 2 parts, but the escape pair cannot straddle the 153 boundary.
    assert sms_segments("a" * 152 + "€" + "a" * 152) == ("GSM-7", 3, 306)
    assert sms_segments("a" * 151 + "€" + "a" * 153) == ("GSM-7", 2, 306)


def test_ucs2_single_segment_holds_70_units():
    assert sms_segments("ą" * 70) == ("UCS-2", 1, 70)
    assert sms_segments("ą" * 71) == ("UCS-2", 2, 71)


def test_ucs2_long_messages_split_into_parts_of_67():
    assert sms_segments("ą" * 134) == ("UCS-2", 2, 134)
    assert sms_segments("ą" * 135) == ("UCS-2", 3, 135)


def test_one_non_gsm_character_makes_the_whole_text_ucs2():
    text = "Don’t worry" + "a" * 80  # a curly apostrophe
    assert sms_segments(text)[0] == "UCS-2"
    assert sms_segments(text)[1] == 2
    assert non_gsm7_characters(text) == ["’"]
    assert single_segment_limit(text) == 70
    assert single_segment_limit("plain") == 160


def test_emoji_count_two_units_and_are_never_split():
    assert sms_segments("😀") == ("UCS-2", 1, 2)
    assert sms_segments("😀" * 35) == ("UCS-2", 1, 70)
    assert sms_segments("a" * 69 + "😀") == ("UCS-2", 2, 71)
    # 134 units would be 2 parts, but the surrogate pair cannot straddle the 67 boundary.
    assert sms_segments("a" * 66 + "😀" + "a" * 66) == ("UCS-2", 3, 134)


def test_bengali_and_arabic_are_ucs2():
    assert sms_segments("আপনি কেমন আছেন?")[0] == "UCS-2"
    assert sms_segments("كيف حالك؟")[0] == "UCS-2"
    assert sms_segments("Sidee tahay?")[0] == "GSM-7"  # Somali is written in Latin letters


@given(st.text(max_size=500))
def test_segments_are_enough_for_the_length(text):
    encoding, segments, length = sms_segments(text)
    assert encoding == ("GSM-7" if is_gsm7(text) else "UCS-2")
    single, multi = (160, 153) if encoding == "GSM-7" else (70, 67)
    if length == 0:
        assert segments == 0
    elif length <= single:
        assert segments == 1
    else:
        assert math.ceil(length / multi) <= segments <= math.ceil(length / (multi - 1))
