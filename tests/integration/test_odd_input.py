"""Odd input that used to be a 500 (issue 19, finding 7): a file part in a text field, dates at the
ends of the calendar, 20-digit integers. Each is now a clear 400 (or a per-row error in the CSV
import), and nothing is stored."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from tests.support.staff import csrf_token, sign_in_as, staff_user
from tests.support.api import auth, meeting_body, new_api_key
from tests.support.case_import import row, write
from tests.support.public_survey import csrf, install_test_survey, invite
from voice_service.extensions import db
from voice_service.models import Answer, Meeting

EXTREME_TIMES = ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+01:00", "0001-01-01 00:30"]
HUGE = "9" * 20


@pytest.fixture
def key(app):
    return new_api_key()


@pytest.fixture
def app_config():
    return {"PRIVATE_LINK_RATE_LIMIT": "1000 per minute", "STAFF_SIGN_IN_RATE_LIMIT": "1000 per minute"}


def a_file():
    return (io.BytesIO(b"not words, a file"), "note.txt", "text/plain")


def test_a_file_in_a_free_text_answer_is_a_400_and_nothing_is_saved(app, client):
    install_test_survey(app)
    _invitation, token = invite()
    html = client.get(f"/r/{token}/q/worries").get_data(as_text=True)
    revision = re.search(r'name="revision" type="hidden" value="([^"]*)"', html).group(1)
    response = client.post(f"/r/{token}/q/worries", content_type="multipart/form-data",
                           data={"csrf_token": csrf(html), "revision": revision, "answer": a_file()})
    assert response.status_code == 400
    assert "could not read what was sent" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Answer.id))) == 0


@pytest.mark.parametrize("path, field", [("/r/{token}/chat", "message"), ("/r/{token}/language", "language"),
                                         ("/r/{token}/language", "next")])
def test_a_file_in_the_chat_or_the_language_switch_is_a_400(app, client, path, field):
    install_test_survey(app)
    _invitation, token = invite()
    html = client.get(f"/r/{token}").get_data(as_text=True)
    data = {"csrf_token": csrf(html), "language": "en", "next": f"/r/{token}", "message": "hello"}
    data[field] = a_file()
    response = client.post(path.format(token=token), content_type="multipart/form-data", data=data)
    assert response.status_code == 400


def test_a_file_in_the_sign_in_form_is_a_400(app, client):
    response = client.post("/staff/sign-in", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/staff/sign-in"), "email": a_file(), "password": "whatever"})
    assert response.status_code == 400


def test_a_file_in_the_sms_simulator_is_a_400(app, client):
    html = client.get("/dev/sms").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/dev/sms", content_type="multipart/form-data", data={
        "csrf_token": token, "phone": "+447700900123", "channel": "sms", "body": a_file()})
    assert response.status_code == 400


@pytest.mark.parametrize("moment", EXTREME_TIMES)
def test_extreme_dates_in_the_api_are_a_400_naming_the_field(app, client, key, moment):  # noqa: F811
    listed = client.get("/api/v1/meetings", query_string={"from": moment}, headers=auth(key))
    assert listed.status_code == 400 and "from" in listed.get_data(as_text=True)
    created = client.post("/api/v1/meetings", json=meeting_body(starts_at=moment), headers=auth(key))
    assert created.status_code == 400 and "starts_at" in created.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Meeting.id))) == 0


def test_an_extreme_date_in_the_csv_import_is_one_rows_error(app, runner, tmp_path):
    rows = [row(), row(meeting_ref="MTG-900", case_ref="CASE-900", starts_at=EXTREME_TIMES[0]),
            row(meeting_ref="MTG-901", case_ref="CASE-901", starts_at=EXTREME_TIMES[1])]
    result = runner.invoke(args=["import-meetings", write(tmp_path, rows)])
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert "line 3" in result.output and "line 4" in result.output and "starts_at" in result.output
    assert db.session.scalar(select(func.count(Meeting.id))) == 1  # the good row still imported


@pytest.mark.parametrize("path", [
    f"/staff/meetings?page={HUGE}", f"/staff/meetings?days={HUGE}", f"/staff/audit?before={HUGE}",
    f"/staff/alerts/{HUGE}", f"/staff/meetings?page=-{HUGE}",
])
def test_twenty_digit_numbers_in_staff_pages_are_a_clear_answer_not_a_500(app, client, path):
    admin = staff_user("admin")
    db.session.commit()
    sign_in_as(client, admin)
    response = client.get(path)
    assert response.status_code in (200, 400), response.status_code
    if "alerts/" in path:
        assert response.status_code == 400


@pytest.mark.parametrize("path", [f"/insights/review/{HUGE}"])
def test_twenty_digit_ids_in_insights_are_a_400(app, client, path):
    qa = staff_user("qa")
    db.session.commit()
    sign_in_as(client, qa)
    assert client.get(path).status_code == 400


def test_twenty_digit_limit_in_the_api_is_a_400(app, client, key):  # noqa: F811
    response = client.get("/api/v1/meetings", query_string={"limit": HUGE}, headers=auth(key))
    assert response.status_code == 400
