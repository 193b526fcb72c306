"""Issue 17: families' emails, and the duty team's alert notices, through a real SMTP server
(aiosmtpd on loopback), not a mock of smtplib: STARTTLS required, the server's certificate checked against a CA made here, AUTH only
over TLS, a refused address turned into a letter, and nothing logged that names anyone."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import queue
import socket
import ssl
from dataclasses import dataclass

import pytest
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from sqlalchemy import select

from tests.support.reach import import_meeting, invitation_of, london
from tests.support.factories import make_user
from tests.support.staff import sign_in_as
from voice_service.extensions import db
from voice_service.messaging import get_sender
from voice_service.messaging.texts import compose_scheduled, link_for
from voice_service.models import Message, ScheduledMessage
from voice_service.scheduling.dispatch import dispatch_due

MORNING = london(2027, 3, 1, 10, 0)
NAME, ADDRESS, POSTAL = "Jordan Reece", "jordan.reece@example.org", "7 Larch Row\nNorthbridge\nZZ99 2LE"
USER, PASSWORD = "family-voice-relay", "relay-password-for-tests"
# Fixed, wide validity: OpenSSL checks against the real clock, whatever time-machine (or
# TEST_FAKE_NOW) tells Python.
VALID = (dt.datetime(2000, 1, 1, tzinfo=dt.UTC), dt.datetime(2099, 12, 31, tzinfo=dt.UTC))


# Certificates ------------------------------------------------------------------------------------

def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, key, issuer, issuer_key, *, ca: bool, extensions=()) -> x509.Certificate:
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(VALID[0]).not_valid_after(VALID[1])
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                              critical=False))
    for extension in extensions:
        builder = builder.add_extension(extension, critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass(frozen=True)
class Authority:
    ca_file: str  # what SMTP_CA_FILE points at
    cert_file: str  # the server's certificate, signed by that CA
    key_file: str


def _pem(path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def _test_ca(folder, label: str):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(_name(f"{label} test CA"), key, _name(f"{label} test CA"), key, ca=True, extensions=[
        x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                      key_encipherment=False, data_encipherment=False, key_agreement=False,
                      encipher_only=False, decipher_only=False)])
    return cert, key, _pem(folder / f"{label}-ca.pem", cert.public_bytes(serialization.Encoding.PEM))


def _server_certificate(folder, ca, host: str) -> Authority:
    ca_cert, ca_key, ca_file = ca
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(_name(host), key, ca_cert.subject, ca_key, ca=False, extensions=[
        x509.SubjectAlternativeName([x509.DNSName(host)]), x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH])])
    label = f"{ca_cert.subject.rfc4514_string()}-{host}".replace(" ", "-").replace("=", "-")
    return Authority(ca_file, _pem(folder / f"{label}.pem", cert.public_bytes(serialization.Encoding.PEM)),
                     _pem(folder / f"{label}.key", key.private_bytes(
                         serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())))


@pytest.fixture(scope="module")
def authorities(tmp_path_factory):
    """Server certificates: "localhost" from our CA (the service trusts it), another host's name
    from our CA, and "localhost" from a stranger's CA."""
    folder = tmp_path_factory.mktemp("smtp-certs")
    ours, stranger = _test_ca(folder, "trusted"), _test_ca(folder, "unknown")
    return {"trusted": _server_certificate(folder, ours, "localhost"),
            "other_name": _server_certificate(folder, ours, "mail.example.org"),
            "unknown": _server_certificate(folder, stranger, "localhost")}


# The server --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage
    over_tls: bool
    tls_version: str | None
    authenticated_as: str | None


class Inbox:
    """aiosmtpd handler: what the server was given, and each command with whether TLS was on."""

    def __init__(self, refuse: tuple[str, ...] = ()):
        self.refuse = {a.lower() for a in refuse}
        self.received: queue.Queue[Received] = queue.Queue()
        self.commands: list[tuple[str, bool]] = []

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.commands.append(("MAIL", session.ssl is not None))
        envelope.mail_from, envelope.mail_options = address, list(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.commands.append(("RCPT", session.ssl is not None))
        if address.lower() in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.commands.append(("DATA", session.ssl is not None))
        tls = session.ssl["ssl_object"].version() if session.ssl else None
        user = session.auth_data.login.decode() if session.authenticated else None
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.received.put(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, session.ssl is not None,
                                   tls, user))
        return "250 2.0.0 Accepted"

    def wait_for_one(self, timeout=5.0) -> Received:
        return self.received.get(timeout=timeout)


class LoopbackController(Controller):
    """aiosmtpd's threaded server on a port the OS chose: the socket is bound before the server
    starts, so two runs at once never race for a port."""

    def __init__(self, handler, **kwargs):
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        super().__init__(handler, hostname="127.0.0.1", port=self._socket.getsockname()[1],
                         server_hostname="localhost", ready_timeout=10, **kwargs)

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._socket, ssl=self.ssl_context)


def _server_tls(authority: Authority) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(authority.cert_file, authority.key_file)
    return context


@pytest.fixture
def smtp_server(app, authorities):
    """Start a server (`start(inbox, certificate="trusted" | "unknown", ...)`) and point the service
    at it: SMTP_HOST localhost, STARTTLS on its port, our CA in SMTP_CA_FILE. Stopped after the test."""
    started = []

    def start(inbox: Inbox, certificate="trusted", require_starttls=True, **smtp_options):
        controller = LoopbackController(inbox, tls_context=_server_tls(authorities[certificate]),
                                        require_starttls=require_starttls, **smtp_options)
        controller.start()
        started.append(controller)
        app.config.update(EMAIL_SENDER="smtp", SMTP_HOST="localhost", SMTP_PORT=controller.port,
                          SMTP_CA_FILE=authorities["trusted"].ca_file, MAIL_FROM="family-voice@northbridge.example")
        app.extensions.pop("email_sender", None)
        return controller

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def app_config():
    return {"LOG_LEVEL": "DEBUG"}  # every line the service would write, as caplog sees it


def _names_anyone(records, *secrets: str) -> list[str]:
    """Records whose message or `extra=` fields hold one of `secrets` (after the service's own
    redacting filter, which is what reaches the log)."""
    found = []
    for record in records:
        text = " ".join([record.getMessage(), *(str(v) for v in vars(record).values())]).lower()
        found += [f"{record.name}: {s}" for s in secrets if s.lower() in text]
    return found


def _parent(email_address=ADDRESS, postal=None):
    row = {"ref": "P1", "role": "parent", "name": NAME, "email": email_address, "route": "email"}
    if postal:
        row["postal_address"] = postal
    with time_machine.travel(MORNING, tick=False):
        meeting = import_meeting([row])
    return invitation_of(meeting, "P1")


def _invite_row(invitation) -> ScheduledMessage:
    return db.session.scalar(select(ScheduledMessage).where(
        ScheduledMessage.invitation_id == invitation.id, ScheduledMessage.kind == "invite"))


def _messages(invitation) -> list[Message]:
    return db.session.scalars(select(Message).where(Message.invitation_id == invitation.id).order_by(Message.id)).all()


# The tests ---------------------------------------------------------------------------------------

def test_an_invitation_arrives_through_the_real_server_over_starttls_in_neutral_words(app, smtp_server):
    inbox = Inbox()
    smtp_server(inbox)
    invitation = _parent(email_address="Jordan.Reece@Example.ORG")
    report = dispatch_due(get_sender(app), compose_scheduled, now=MORNING)
    assert report.sent == 1
    got = inbox.wait_for_one()
    assert got.over_tls and got.tls_version in ("TLSv1.2", "TLSv1.3")
    assert all(tls for _command, tls in inbox.commands)  # not one command in clear
    assert got.mail_from == "family-voice@northbridge.example"
    assert got.rcpt_tos == ["Jordan.Reece@example.org"]  # the domain lower-cased, the mailbox as given
    assert got.message["From"] == "family-voice@northbridge.example"
    assert got.message["To"] == "Jordan.Reece@example.org"
    subject = got.message["Subject"]
    assert subject == "A message from Family Voice"  # neutral: inboxes are shared
    for word in ("child", "meeting", "conference", "protection", "social"):
        assert word not in subject.lower()
    body = got.message.get_content()
    assert link_for(invitation) in body and f"Hello {NAME}" in body  # the private link, written out
    message = _messages(invitation)[0]
    assert message.status == "sent" and got.message["Message-ID"].strip("<>") == message.provider_sid
    assert _invite_row(invitation).state == "sent"


def test_a_server_whose_certificate_no_trusted_ca_signed_gets_nothing_and_staff_see_why(
        app, client, smtp_server, caplog):
    # STARTTLS offered but not required: a client that carried on in clear would be seen here.
    inbox = Inbox()
    smtp_server(inbox, certificate="unknown", require_starttls=False)
    invitation = _parent()
    report = dispatch_due(get_sender(app), compose_scheduled, now=MORNING)
    assert (report.sent, report.deferred) == (0, 1)
    row = _invite_row(invitation)
    assert row.state == "pending" and row.reason == "the email provider refused it for now; trying again"
    assert row.due_at > MORNING  # later, with the back-off
    message = _messages(invitation)[0]
    assert (message.status, message.error_code) == ("failed", "tls")
    # tried again later, twice, to the same server: then given up, with the reason on the meeting page
    second = dispatch_due(get_sender(app), compose_scheduled, now=row.due_at)
    db.session.refresh(row)
    third = dispatch_due(get_sender(app), compose_scheduled, now=row.due_at)
    db.session.refresh(row)
    assert (second.deferred, third.failed) == (1, 1)
    assert row.state == "failed" and row.reason == "not sent: the mail server's certificate could not be checked"
    assert [m.error_code for m in _messages(invitation)] == ["tls"] * 3
    sign_in_as(client, make_user("chair"))
    page = html.unescape(client.get(f"/staff/meetings/{invitation.participant.meeting.meeting_ref}").get_data(as_text=True))
    assert "Failed: not sent: the mail server's certificate could not be checked" in page
    assert inbox.commands == [] and inbox.received.empty()  # no address, no words, in clear or otherwise
    logged = caplog.records
    assert [r.error for r in logged if r.getMessage() == "outreach not sent"] == ["tls"] * 3
    assert _names_anyone(logged, ADDRESS, NAME, link_for(invitation)) == []


def test_a_certificate_from_our_ca_for_another_host_name_is_refused_too(app, smtp_server):
    inbox = Inbox()
    smtp_server(inbox, certificate="other_name", require_starttls=False)
    invitation = _parent()
    assert dispatch_due(get_sender(app), compose_scheduled, now=MORNING).deferred == 1
    assert [m.error_code for m in _messages(invitation)] == ["tls"]
    assert inbox.commands == [] and inbox.received.empty()


def test_an_address_the_server_refuses_with_550_becomes_a_letter(app, smtp_server, caplog):
    inbox = Inbox(refuse=(ADDRESS,))
    smtp_server(inbox)
    invitation = _parent(postal=POSTAL)
    dispatch_due(get_sender(app), compose_scheduled, now=MORNING)
    db.session.expire_all()
    assert inbox.received.empty() and ("RCPT", True) in inbox.commands
    email_message, letter = _messages(invitation)
    assert (email_message.channel, email_message.status, email_message.error_code) == ("email", "failed", "refused")
    row = _invite_row(invitation)
    assert row.state == "failed" and row.reason == "not sent: the mail server refused the address"
    assert invitation.participant.route == "letter"
    assert letter.channel == "letter" and "Larch Row" in letter.to_address and link_for(invitation) in letter.body
    logged = caplog.records
    assert [r.error for r in logged if r.getMessage() == "outreach not sent"] == ["refused"]
    assert _names_anyone(logged, ADDRESS, NAME, "Larch Row") == []


def test_the_service_signs_in_only_after_starttls_and_a_wrong_password_sends_nothing(app, smtp_server, caplog):
    attempts = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        attempts.append((mechanism, session.ssl is not None))
        ok = (auth_data.login, auth_data.password) == (USER.encode(), PASSWORD.encode())
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    # The server would take AUTH and mail in clear: the client must not offer them.
    inbox = Inbox()
    smtp_server(inbox, require_starttls=False, authenticator=authenticator, auth_require_tls=False)
    app.config.update(SMTP_USER=USER, SMTP_PASSWORD="not-the-password")
    invitation = _parent()
    dispatch_due(get_sender(app), compose_scheduled, now=MORNING)
    assert inbox.received.empty() and ("MAIL", True) not in inbox.commands
    row = _invite_row(invitation)
    assert row.state == "failed" and row.reason == "not sent: the mail server failed (SMTPAuthenticationError)"
    assert _names_anyone(caplog.records, "not-the-password", ADDRESS, NAME) == []
    # the right password, in a second invitation: signed in, over TLS, then sent
    app.config.update(SMTP_PASSWORD=PASSWORD)
    with time_machine.travel(MORNING, tick=False):
        other = import_meeting([{"ref": "P2", "role": "parent", "name": "Sam Okafor", "email": "sam.okafor@example.org",
                                 "route": "email"}], ref="MTG-R2", case_ref="CASE-R2")
    dispatch_due(get_sender(app), compose_scheduled, now=MORNING)
    got = inbox.wait_for_one()
    assert got.authenticated_as == USER and got.over_tls and got.rcpt_tos == ["sam.okafor@example.org"]
    assert attempts and all(tls for _mechanism, tls in attempts)  # AUTH never before STARTTLS
    assert _invite_row(invitation_of(other, "P2")).state == "sent"


def test_production_refuses_an_smtp_ca_file_it_cannot_read_and_starts_with_a_good_one(authorities, tmp_path):
    from tests.support.settings import strong_production
    from voice_service.config import ConfigError, build_settings

    (tmp_path / "not-a-ca.pem").write_text("a CA bundle was meant to be here\n")
    for path in (str(tmp_path / "missing.pem"), str(tmp_path / "not-a-ca.pem")):
        with pytest.raises(ConfigError, match="SMTP_CA_FILE: not a readable PEM file of CA certificates"):
            build_settings("production", environ=strong_production(SMTP_HOST="localhost", SMTP_CA_FILE=path))
    good = build_settings("production", environ=strong_production(SMTP_HOST="localhost",
                                                                  SMTP_CA_FILE=authorities["trusted"].ca_file))
    assert good["SMTP_CA_FILE"] == authorities["trusted"].ca_file


# The duty team's notice goes through the same SMTP sender -----------------------------------------

DUTY_TEAM = "duty-team@northbridge.example"


def test_the_duty_teams_alert_email_arrives_over_starttls_naming_the_alert_never_the_words(app, smtp_server):
    from tests.support.staff import RISK_WORDS, meeting_with_views
    from voice_service.models import SafeguardingAlert

    inbox = Inbox()
    smtp_server(inbox)
    app.config["DUTY_TEAM_EMAIL"] = DUTY_TEAM
    meeting_with_views(secret_parent=False)          # the child's answer discloses harm
    alert = db.session.scalar(select(SafeguardingAlert))
    got = inbox.wait_for_one()
    assert got.over_tls and all(tls for _, tls in inbox.commands)
    assert got.rcpt_tos == [DUTY_TEAM] and got.message["Subject"].endswith(f"safeguarding alert {alert.id}")
    body = got.message.get_content()
    assert f"/staff/alerts/{alert.id}" in body
    assert "hits me" not in body and RISK_WORDS not in body and "Maya" not in body   # ids only, never words
    db.session.refresh(alert)
    assert alert.notified_at is not None


def test_a_duty_team_notice_the_server_cannot_be_trusted_with_is_not_sent_and_the_alert_waits(app, smtp_server):
    from tests.support.staff import meeting_with_views
    from voice_service.models import SafeguardingAlert

    inbox = Inbox()
    smtp_server(inbox, certificate="unknown", require_starttls=False)   # it would take mail in clear
    app.config["DUTY_TEAM_EMAIL"] = DUTY_TEAM
    meeting_with_views(secret_parent=False)
    alert = db.session.scalar(select(SafeguardingAlert))
    assert inbox.received.empty() and not [c for c in inbox.commands if c[0] in ("MAIL", "RCPT", "DATA")]
    # nothing marks it told: it stays open in the inbox and the escalation job tries again
    db.session.refresh(alert)
    assert alert.status == "open" and alert.notified_at is None
