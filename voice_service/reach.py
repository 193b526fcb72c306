"""Reaching each person, for staff: their route and its state, and the worker's in-person tools.

* `contact_views(meeting, role)`: for each participant, the route (text, email, letter, in
  person), masked contact details, delivery problems (an email that bounced, a complaint) and
  whether their views were given with help. A few set-based queries per meeting.
* changes (the caller commits; each audited): `resend` (a one-off message by their route, at
  the next decent time), `reissue` (a new private link; the old one stops working, then resend),
  `start_helped_session` (records who helped and how, before the worker hands over the tablet).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from voice_service import audit
from voice_service.extensions import db
from voice_service.models import Invitation, ScheduledMessage, User, utcnow
from voice_service.store.invitations import latest_invitations
from voice_service.store.messages import invitations_with_complaints, latest_outbound_messages
from voice_service.store.scheduled import add_resend
from voice_service.store.staff import user_names
from voice_service.vocab import ASSISTANCE, OPEN_INVITATION_STATUSES, ROUTES
from voice_service.scheduling.routes import check_address, check_email

#: Roles that may see a link, print a letter, resend, reissue or help someone answer.
REACH_ROLES = ("admin", "chair", "worker")
CONTACT_ROLES = ("admin",)  # see email addresses and postcodes in full


def mask_email(address: str | None, role: str) -> str | None:
    """d•••@example.org: enough to recognise, not to write to (admins see it whole)."""
    checked = check_email(address)
    if not checked.ok:
        return None
    if role in CONTACT_ROLES:
        return checked.address
    local, _, domain = checked.address.partition("@")
    return f"{local[:1]}•••@{domain}"


def mask_postcode(address: str | None, role: str) -> str | None:
    lines = check_address(address).lines
    if not lines:
        return None
    postcode = lines[-1]
    return postcode if role in CONTACT_ROLES else postcode.split(" ")[0] + " •••"


def describe_help(how: list | None) -> str:
    """["read_aloud", "scribed"] -> "read the questions aloud and wrote down their words"."""
    parts = [ASSISTANCE[h][0].lower() + ASSISTANCE[h][1:] for h in (how or []) if h in ASSISTANCE]
    if not parts:
        return "helped"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


@dataclass(frozen=True)
class ContactView:
    participant_id: int
    invitation_id: int | None
    route: str
    route_label: str
    email: str | None
    postcode: str | None
    problem: str | None          # a bounce or complaint, in words
    last_sent: str | None        # "Email delivered", "Letter sent"...
    is_open: bool
    helped_by: str | None
    helped_how: str | None
    helped_at: datetime | None
    can_act: bool


_CHANNEL_WORD = {"sms": "Text", "whatsapp": "WhatsApp message", "email": "Email", "letter": "Letter"}
_STATUS_WORD = {"accepted": "waiting to go", "queued": "sent", "sending": "sent", "sent": "sent",
                "delivered": "delivered", "read": "read", "failed": "not delivered", "undelivered": "not delivered"}


def _problem(channel: str, status: str, error: str | None) -> str | None:
    if error == "complaint":
        return "They reported our email as spam: no more emails will be sent. Ask how they would like to be contacted."
    if channel == "email" and (error == "bounced" or status in ("failed", "undelivered")):
        return "The email bounced: check the address with them, or give the link in person."
    if channel == "letter" and status == "failed":
        return "The letter could not be sent: check the address, or print it and hand it over."
    if status in ("failed", "undelivered"):
        return "The text was not delivered: check the number."
    return None


def contact_views(participants, invitations: dict[int, Invitation], role: str) -> dict[int, ContactView]:
    """participant id -> ContactView, for the participants of one meeting and their latest invitations."""
    from voice_service.scheduling.service import route_for

    invitation_ids = [i.id for i in invitations.values()]
    latest = latest_outbound_messages(invitation_ids)
    complaints = invitations_with_complaints(invitation_ids)
    helpers = user_names(i.assisted_by_id for i in invitations.values() if i.assisted_by_id)
    out: dict[int, ContactView] = {}
    now = utcnow()
    for p in participants:
        inv = invitations.get(p.id)
        route = route_for(p)
        message = latest.get(inv.id) if inv else None
        problem = _problem(message.channel, message.status, message.error_code) if message else None
        if inv is not None and inv.id in complaints:
            problem = _problem("email", "delivered", "complaint")
        last = f"{_CHANNEL_WORD.get(message.channel, 'Message')} {_STATUS_WORD.get(message.status, message.status)}" if message else None
        out[p.id] = ContactView(
            participant_id=p.id, invitation_id=inv.id if inv else None, route=route, route_label=ROUTES[route],
            email=mask_email(p.email, role), postcode=mask_postcode(p.postal_address, role), problem=problem,
            last_sent=last, is_open=bool(inv and inv.status in OPEN_INVITATION_STATUSES and inv.expires_at > now),
            helped_by=helpers.get(inv.assisted_by_id) if inv and inv.assisted_by_id else None,
            helped_how=describe_help(inv.assisted_how) if inv and inv.assisted_at else None,
            helped_at=inv.assisted_at if inv else None, can_act=role in REACH_ROLES,
        )
    return out


def for_meeting(meeting, role: str) -> dict[int, ContactView]:
    """contact_views for every participant of a meeting, each with their latest invitation."""
    participants = list(meeting.participants)
    invitations = latest_invitations([p.id for p in participants])
    return contact_views(participants, invitations, role)


class ReachRefused(ValueError):
    """The change cannot be made; the message says why, for the page."""


def resend(invitation: Invitation, user: User, now: datetime | None = None) -> ScheduledMessage:
    """Send the invitation again by the person's route, at the next decent time (the clock
    sends it; quiet hours and the gap between texts still apply to texts)."""
    from voice_service.scheduling.service import route_for

    now = now or utcnow()
    if invitation.status not in OPEN_INVITATION_STATUSES or invitation.expires_at <= now:
        raise ReachRefused("This invitation is closed, so it cannot be sent again")
    route = route_for(invitation.participant)
    if route == "in_person":
        raise ReachRefused("There is no phone, email or postal address to send it to: give them the link in person")
    row = add_resend(invitation.id, now)
    audit.record(user, "invitation_resent", invitation, {"route": route, "scheduled_message_id": row.id})
    return row


def reissue(invitation: Invitation, user: User, now: datetime | None = None) -> ScheduledMessage | None:
    """A new private link (the old one stops working at once), sent by their route when they have one."""
    from voice_service.invitations import reissue_token
    from voice_service.scheduling.service import route_for

    now = now or utcnow()
    if invitation.status not in OPEN_INVITATION_STATUSES or invitation.expires_at <= now:
        raise ReachRefused("This invitation is closed, so its link cannot be reissued")
    reissue_token(invitation)
    db.session.flush()
    audit.record(user, "invitation_link_reissued", invitation, {"route": route_for(invitation.participant)})
    if route_for(invitation.participant) == "in_person":
        return None
    return resend(invitation, user, now)


def start_helped_session(invitation: Invitation, user: User, how: list[str], now: datetime | None = None) -> None:
    """Record that `user` is helping this person answer, and how (vocab.ASSISTANCE)."""
    now = now or utcnow()
    chosen = [h for h in how if h in ASSISTANCE]
    if not chosen:
        raise ReachRefused("Choose how you are helping")
    if invitation.status not in OPEN_INVITATION_STATUSES or invitation.expires_at <= now:
        raise ReachRefused("This invitation is closed, so it cannot be answered now")
    invitation.assisted_by_id, invitation.assisted_how, invitation.assisted_at = user.id, chosen, now
    audit.record(user, "helped_to_answer_started", invitation, {"how": chosen})
