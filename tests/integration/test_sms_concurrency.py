"""The same webhook delivered several times at once records one message and one answer."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from tests.support.sms import PHONE, new_sid, reply_of, signed_post, twilio_params
from tests.support.factories import make_texting_invitation
from voice_service.extensions import db
from voice_service.models import Answer, Message, OptOut


@pytest.fixture
def invitation(app):
    return make_texting_invitation(app, PHONE)


def deliver_at_once(app, params: dict, copies: int = 3) -> list:
    barrier = threading.Barrier(copies)
    results: list = [None] * copies

    def post(i: int) -> None:
        client = app.test_client()
        barrier.wait()
        results[i] = signed_post(client, "/sms/inbound", params)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(copies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.postgres_only
def test_three_concurrent_deliveries_of_one_message_store_one_answer(app, client, invitation):
    signed_post(client, "/sms/inbound", twilio_params("hello"))
    db.session.remove()
    params = twilio_params("my answer is 4", sid=new_sid())
    responses = deliver_at_once(app, params)
    assert [r.status_code for r in responses] == [200, 200, 200]
    replies = {reply_of(r) for r in responses}
    assert len(replies) == 1 and "Why did you choose that?" in replies.pop()
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.provider_sid == params["MessageSid"])) == 1
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 1


@pytest.mark.postgres_only
def test_concurrent_stops_record_one_opt_out(app, invitation):
    responses = deliver_at_once(app, twilio_params("STOP", sid=new_sid()))
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert db.session.scalar(select(func.count()).select_from(OptOut)) == 1


def test_repeated_deliveries_one_after_another_store_one_answer(app, client, invitation):
    """The same guarantee without real concurrency, so SQLite runs check it too."""
    signed_post(client, "/sms/inbound", twilio_params("hello"))
    params = twilio_params("4", sid=new_sid())
    replies = {reply_of(signed_post(client, "/sms/inbound", params)) for _ in range(3)}
    assert len(replies) == 1
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 1
