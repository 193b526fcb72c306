"""Issue 17, "helped to answer": the form a worker opens on a tablet says it is a helped session,
who is helping (by role, not name) and how; the family's own device, later, does not."""
from __future__ import annotations

from tests.support.factories import make_user
from tests.support.public_survey import install_test_survey, invite, text
from tests.support.staff import csrf_token, sign_in_as
from voice_service.extensions import db


def _help(client, invitation, how):
    url = f"/staff/invitations/{invitation.id}/help"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "how": how})


def test_a_form_opened_to_help_shows_a_helped_session_banner_by_role(client, app):
    install_test_survey(app)
    invitation, token = invite(role="parent")
    worker = make_user("worker", team="north", name="Sam Worker")
    db.session.commit()
    sign_in_as(client, worker)
    opened = _help(client, invitation, ["read_aloud", "scribed"])
    assert opened.location == f"/r/{token}"
    for page in (f"/r/{token}", f"/r/{token}/q/feelings", f"/r/{token}/check"):
        body = text(client.get(page))
        assert "Helped session" in body and "A social worker is helping you answer." in body, page
        assert "They read the questions aloud." in body and "They write down your words." in body
        assert "They use pictures" not in body
        assert "Sam Worker" not in body  # the role, not the name


def test_the_banner_is_in_the_person_s_language(client, app):
    install_test_survey(app)
    invitation, token = invite(role="parent", language="bn")
    sign_in_as(client, make_user("chair", team="north", name="Chris Chair"))
    db.session.commit()
    _help(client, invitation, ["interpreted"])
    body = text(client.get(f"/r/{token}"))
    assert "মিটিংয়ের সভাপতি আপনাকে উত্তর দিতে সাহায্য করছেন।" in body
    assert "তিনি প্রশ্নগুলো আপনার ভাষায় বলে দেন।" in body


def test_no_banner_on_another_device_or_for_another_persons_form(client, app):
    install_test_survey(app)
    helped, helped_token = invite(role="parent")
    _, other_token = invite(role="parent")
    worker = make_user("worker", team="north", name="Sam Worker")
    db.session.commit()
    sign_in_as(client, worker)
    _help(client, helped, ["read_aloud"])
    assert "Helped session" not in text(client.get(f"/r/{other_token}"))  # not this person's session
    with app.test_client() as own_phone:  # the family opening their link on their own phone
        assert "Helped session" not in text(own_phone.get(f"/r/{helped_token}"))
