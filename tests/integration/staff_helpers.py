"""Moved to tests/support/staff.py. Kept only for test_api_meetings.py, being rewritten for
issue 15: delete once it imports from tests.support.staff."""
from tests.support.staff import staff_user  # noqa: F401
