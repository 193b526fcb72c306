"""The real `twilio` client against a Prism mock of Twilio's published OpenAPI spec.

Prism (@stoplight/prism-cli) and the spec (twilio_api_v2010.json, shipped in @twilio/cli-core)
are both pinned with their integrity hashes in tools/prism/package.json and package-lock.json.
`make test` installs them (tools/ensure_test_tools.sh runs `npm ci --prefix tools/prism`); run on
its own, this test installs them on first use and is skipped only when npm itself is missing.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.factories import make_invitation, make_meeting, make_participant
from tests.support.surveys import sample_survey
from voice_service.messaging import ProviderRejected, send_message
from voice_service.surveys import SurveyRegistry

ROOT = Path(__file__).resolve().parents[2]
PRISM_DIR = ROOT / "tools" / "prism"
PRISM = PRISM_DIR / "node_modules" / ".bin" / "prism"
PINNED_SPEC = PRISM_DIR / "node_modules" / "@twilio" / "cli-core" / "src" / "services" / "twilio-api" / "twilio_api_v2010.json"
SPEC = Path(os.environ.get("TWILIO_OPENAPI_SPEC", PINNED_SPEC))
ACCOUNT = "AC" + "0123456789abcdef" * 2


def _install_prism() -> None:
    if PRISM.exists() and PINNED_SPEC.is_file():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed, so Prism cannot be installed (apt-get install npm; then npm ci --prefix tools/prism)")
    result = subprocess.run([npm, "ci", "--prefix", str(PRISM_DIR), "--no-audit", "--no-fund"],
                            capture_output=True, text=True, timeout=600, env={**os.environ, "SCARF_ANALYTICS": "false"})
    if result.returncode != 0 or not PRISM.exists() or not PINNED_SPEC.is_file():
        pytest.fail(f"npm ci --prefix tools/prism failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def prism_url(tmp_path_factory):
    _install_prism()
    if not SPEC.is_file():
        pytest.fail(f"Twilio's OpenAPI spec is missing at {SPEC} (npm ci --prefix tools/prism installs it; "
                    "TWILIO_OPENAPI_SPEC, when set, must name the file)")
    port = _free_port()
    log_path = tmp_path_factory.mktemp("prism") / "prism.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(SPEC)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "SCARF_ANALYTICS": "false"},
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"prism exited early:\n{log_path.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("prism did not start listening within 90 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def app_config(prism_url):
    return {"TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": "prism-token", "SMS_SENDER": "twilio",
            "TWILIO_MESSAGING_SERVICE_SID": "MG" + "1" * 32, "TWILIO_API_BASE_URL": prism_url,
            "PUBLIC_BASE_URL": "https://voice.example.org"}


@pytest.fixture
def invitation(app):
    app.extensions["surveys"] = SurveyRegistry([sample_survey()])
    participant = make_participant(make_meeting(), phone="+447700900123", channel="sms")
    invitation, _ = make_invitation(participant, "test_survey", channel="sms", status="scheduled")
    return invitation


def test_a_text_sent_through_the_real_client_is_accepted_by_the_twilio_contract(invitation):
    message = send_message(invitation, "Family Voice: a reminder", kind="reminder")
    assert message.provider_sid.startswith("SM") and len(message.provider_sid) == 34
    assert message.status in ("queued", "accepted", "sending", "sent")
    assert message.error_code is None


def test_a_request_the_contract_refuses_is_reported_not_hidden(app, invitation):
    app.config["TWILIO_ACCOUNT_SID"] = "not-an-account-sid"  # Prism checks ^AC[0-9a-fA-F]{32}$
    app.extensions.pop("sms_sender", None)
    with pytest.raises(ProviderRejected) as refused:
        send_message(invitation, "Family Voice: a reminder", kind="reminder")
    assert refused.value.message.status == "failed" and refused.value.code
