"""Moved to tests/support/factories.py. Kept only for the files being rewritten for issue 15
(test_sms_webhook, test_plain_flush, test_sqlite_writer_turn): delete once they import from tests.support."""
from tests.support.factories import (  # noqa: F401
    make_invitation,
    make_meeting,
    make_participant,
    make_texting_invitation,
    staff_decline_in_another_session,
)
