"""Alerts a duty team can work: one open alert per person per meeting, later flagged words added
to it; the page shows the case, the meeting, every flagged message with the rules and the model
version; "not a concern" with a reason becomes a labelled example; the time to acknowledge shows."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.support.sms import text
from tests.support.staff import RISK_WORDS, csrf_token, meeting_with_views, sign_in_as, users
from tests.support.answers import save_answer_and_commit
from voice_service.extensions import db
from voice_service.models import LabelledExample, SafeguardingAlert, utcnow

LATER_WORDS = "he hit me again last night and i am scared"


@pytest.fixture
def people(app):
    return users()


def all_alerts() -> list[SafeguardingAlert]:
    db.session.expire_all()
    return db.session.scalars(select(SafeguardingAlert).order_by(SafeguardingAlert.id)).all()


def test_later_flagged_answers_from_the_same_person_join_their_open_alert(app, people):
    _meeting, invitations = meeting_with_views(chair=people["chair"], secret_parent=False)
    save_answer_and_commit(invitations["child"], "worries", free_text=LATER_WORDS, channel="web")
    save_answer_and_commit(invitations["child"], "going_well", free_text="my dad hits my little brother too", channel="web")
    [alert] = all_alerts()
    assert [item.answer.free_text for item in alert.items] == [RISK_WORDS, LATER_WORDS, "my dad hits my little brother too"]
    assert alert.participant_id == invitations["child"].participant_id


def test_another_person_in_the_same_meeting_gets_an_alert_of_their_own(app, people):
    _meeting, invitations = meeting_with_views(chair=people["chair"], secret_parent=False)
    save_answer_and_commit(invitations["mum"], "what_matters", free_text="my partner hits me in front of the kids", channel="web")
    assert len(all_alerts()) == 2


def test_new_words_on_an_acknowledged_alert_open_it_again_and_tell_the_duty_team(app, people):
    from voice_service import alerts

    outbox = app.extensions.setdefault("mail_outbox", [])
    _meeting, invitations = meeting_with_views(chair=people["chair"], secret_parent=False)
    [alert] = all_alerts()
    alerts.acknowledge(alert, people["worker"])
    db.session.commit()
    told = len(outbox)
    save_answer_and_commit(invitations["child"], "worries", free_text=LATER_WORDS, channel="web")
    [alert] = all_alerts()
    assert alert.status == "open" and len(alert.items) == 2
    assert len(outbox) == told + 1 and str(alert.id) in outbox[-1]["body"]


def test_once_actioned_new_words_raise_a_new_alert(app, people):
    from voice_service import alerts

    _meeting, invitations = meeting_with_views(chair=people["chair"], secret_parent=False)
    [alert] = all_alerts()
    alerts.record_action(alert, people["worker"], "Strategy discussion held")
    db.session.commit()
    save_answer_and_commit(invitations["child"], "worries", free_text=LATER_WORDS, channel="web")
    assert [a.status for a in all_alerts()] == ["actioned", "open"]


def test_texts_from_a_number_with_nothing_open_share_one_alert(app, client):
    stranger = "+447700900556"
    text(client, "my dad hits me", sender=stranger)
    text(client, "he locked me in my room", sender=stranger)
    [alert] = all_alerts()
    assert [item.message.body for item in alert.items] == ["my dad hits me", "he locked me in my room"]


def test_the_alert_page_shows_the_case_the_meeting_and_every_flagged_message(app, client, people):
    meeting, invitations = meeting_with_views(chair=people["chair"], secret_parent=False)
    save_answer_and_commit(invitations["child"], "worries", free_text=LATER_WORDS, channel="web")
    [alert] = all_alerts()
    sign_in_as(client, people["worker"])
    page = client.get(f"/staff/alerts/{alert.id}").get_data(as_text=True)
    assert meeting.child.case_ref in page
    assert f'href="/staff/meetings/{meeting.meeting_ref}"' in page
    assert RISK_WORDS in page and LATER_WORDS in page and "(2 messages)" in page
    assert "Why it was flagged:" in page and "Model version" in page


def test_not_a_concern_needs_a_reason_and_the_words_become_a_labelled_example(app, client, people):
    meeting_with_views(chair=people["chair"], secret_parent=False)
    [alert] = all_alerts()
    sign_in_as(client, people["worker"])
    url = f"/staff/alerts/{alert.id}"
    refused = client.post(url + "/not-a-concern", data={"csrf_token": csrf_token(client, url), "reason": " "})
    assert refused.status_code == 400 and "Enter why this is not a concern" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LabelledExample)) == 0
    response = client.post(url + "/not-a-concern", data={
        "csrf_token": csrf_token(client, url), "reason": "Known: dad left in 2024, social worker aware"})
    assert response.status_code == 302
    [alert] = all_alerts()
    assert alert.status == "actioned" and alert.outcome == "not_a_concern"
    [example] = db.session.scalars(select(LabelledExample)).all()
    assert example.safeguarding is False and "hits me" in example.text
    page = client.get(url).get_data(as_text=True)
    assert "Not a concern: Known: dad left in 2024, social worker aware" in page


def test_the_time_from_the_words_to_an_acknowledgement_is_shown_and_summarised(app, client, people, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    meeting_with_views(chair=people["chair"], secret_parent=False)
    [alert] = all_alerts()
    time_machine.shift(timedelta(minutes=25))
    sign_in_as(client, people["worker"])
    url = f"/staff/alerts/{alert.id}"
    client.post(url + "/acknowledge", data={"csrf_token": csrf_token(client, url)})
    assert "25 minutes after it was raised" in client.get(url).get_data(as_text=True)
    inbox = client.get("/staff/alerts").get_data(as_text=True)
    assert "half within 25 minutes" in inbox


def test_an_answer_the_analysis_cannot_read_goes_to_a_person_today_marked_needs_an_interpreter(
        app, client, people, monkeypatch):
    """The analysis says it cannot read the language: never quietly "no concern"."""
    from voice_service.analysis import pipeline

    real = pipeline.classify
    unreadable = "Waxaan rabaa inaan arko walaalkay"

    def classify(text, **kwargs):
        result = real(text, **kwargs)
        if text == unreadable:
            result = {**result, "safeguarding": False, "language": "so", "needs_interpreter": True}
        return result

    monkeypatch.setattr(pipeline, "classify", classify)
    meeting, invitations = meeting_with_views(chair=people["chair"], secret_parent=False, child_visibility="meeting")
    save_answer_and_commit(invitations["mum"], "what_matters", free_text=unreadable, channel="web")
    alert = all_alerts()[-1]
    assert alert.participant_id == invitations["mum"].participant_id
    assert "needs an interpreter (language: so)" in alert.items[0].evidence
    sign_in_as(client, people["chair"])
    page = client.get(f"/staff/meetings/{meeting.meeting_ref}").get_data(as_text=True)
    assert "Needs an interpreter" in page and "Written in Somali" in page
