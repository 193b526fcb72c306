"""Log lines never carry a phone number or a private link."""
import logging

from voice_service.logs import RedactPhoneNumbers, redact


def test_phone_numbers_in_every_usual_form_are_redacted():
    for number in ("+447700900123", "07700 900123", "07700900123", "+44 7700 900123", "whatsapp:+447700900123"):
        assert "900123" not in redact(f"sending to {number} now"), number


def test_private_link_tokens_are_redacted_from_request_lines():
    line = '127.0.0.1 - - "GET /r/WwxNoNOcB0YhKxeA9dqcdCKWMMX2nb1B HTTP/1.1" 200 -'
    assert redact(line) == '127.0.0.1 - - "GET /r/[token] HTTP/1.1" 200 -'


def test_filter_rewrites_formatted_records(caplog):
    logger = logging.getLogger("voice_service.test_logs")
    logger.addFilter(RedactPhoneNumbers())
    with caplog.at_level(logging.INFO, logger="voice_service.test_logs"):
        logger.info("text to %s failed", "+447700900555")
    assert "900555" not in caplog.text and "[phone]" in caplog.text
