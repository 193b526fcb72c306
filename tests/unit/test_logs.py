"""Log lines never carry a phone number, an email or a private link, and show the ids passed in extra=."""
import io
import logging
import subprocess
import sys

import pytest

from voice_service.logs import RedactPhoneNumbers, make_handler, redact


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


@pytest.fixture
def logged():
    """A logger writing through the service's handler; returns (logger, what it wrote)."""
    stream = io.StringIO()
    logger = logging.getLogger("voice_service.test_logs.ids")
    handler = make_handler(stream)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_the_ids_passed_in_extra_are_in_the_line(logged):
    logger, stream = logged
    logger.info("answer saved", extra={"invitation_id": 12, "answer_id": 345, "status": "queued",
                                       "reconciled": {"sent": 1}})
    assert stream.getvalue().rstrip().endswith("answer saved invitation_id=12 answer_id=345 status=queued reconciled={sent:1}")


def test_extra_never_shows_a_phone_an_email_or_someones_words(logged):
    logger, stream = logged
    logger.warning("text not sent", extra={"message_id": 7, "to": "+447700900123", "email": "sam.jones@example.org",
                                           "body": "my dad hits me", "error": "07700 900123",
                                           "provider_sid": "sam.jones@example.org"})
    line = stream.getvalue()
    assert "message_id=7" in line
    assert "900123" not in line and "@example.org" not in line and "dad" not in line
    assert "to=[not shown]" in line and "body=[not shown]" in line and "email=[not shown]" in line


def test_an_exception_keeps_its_traceback_below_the_ids(logged):
    logger, stream = logged
    try:
        raise ValueError("broken")
    except ValueError:
        logger.exception("dispatch stopped in a batch", extra={"scheduled_message_id": 9})
    first, *rest = stream.getvalue().splitlines()
    assert first.endswith("dispatch stopped in a batch scheduled_message_id=9")
    assert rest[0] == "Traceback (most recent call last):" and rest[-1] == "ValueError: broken"


def test_a_process_with_no_logging_set_up_gets_the_handler_that_shows_ids(tmp_path):
    """As under gunicorn: the app factory installs the handler when the process has none."""
    script = (
        "import logging\n"
        "from voice_service import create_app\n"
        f"create_app({{'ENV_NAME': 'test', 'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/x.sqlite',"
        f" 'INSTANCE_DIR': '{tmp_path}', 'LOG_LEVEL': 'INFO'}})\n"
        "logging.getLogger('voice_service.messaging.senders').info('text sent', extra={'message_id': 41, 'to': '+447700900123'})\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "text sent message_id=41 to=[not shown]" in result.stderr
    assert "900123" not in result.stderr
