"""Data protection: key rotation, retention, subject access and erasure.

- `flask keys rotate`: re-encrypt every encrypted column with the newest DATA_ENCRYPTION_KEYS key.
- `apply_retention(now)`: after RETENTION_DAYS from the meeting, remove what identifies people
  (names, numbers, free text, message bodies, quotes) and keep what the anonymised trends need
  (question ids, scale values, themes, sentiment, months).
- `flask person export` / `flask person erase`: one person's data, found by participant id or
  phone number; both are audited.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from voice_service.crypto import keyring, phone_hash
from voice_service.extensions import db
from voice_service.models import AuditEvent, Participant, utcnow
from voice_service.models.types import EncryptedJSON, EncryptedText
from voice_service.store.answers import decode_value
from voice_service.store.erasure import (
    anonymise_participants, answers_of, clear_stray_texts_before, encrypted_values_after, erase_texts_by_hash,
    messages_of, participant_by_id, participant_ids_met_before, participants_with_phone_hash, store_encrypted_value,
    texts_count_with_phone_hash,
)

BATCH = 500


def encrypted_columns() -> list[tuple[str, str]]:
    """(table, column) for every column stored encrypted."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (EncryptedText, EncryptedJSON)):
                found.append((table.name, column.name))
    return found


def rotate_keys(progress=None) -> int:
    """Re-encrypt every stored value with the newest key. Returns how many values changed."""
    changed = 0
    for table_name, column_name in encrypted_columns():
        last_id = 0
        while True:
            rows = encrypted_values_after(table_name, column_name, last_id, BATCH)
            if not rows:
                break
            for row_id, token in rows:
                store_encrypted_value(table_name, column_name, row_id, keyring.rotate(token))
            changed += len(rows)
            last_id = rows[-1][0]
            db.session.commit()
        if progress:
            progress(f"{table_name}.{column_name}: done")
    return changed


def audit(action: str, object_type: str | None = None, object_id: str | None = None, detail: dict | None = None,
          user_id: int | None = None) -> None:
    db.session.add(AuditEvent(action=action, object_type=object_type, object_id=object_id, detail=detail, user_id=user_id))


# Retention --------------------------------------------------------------------------------

def apply_retention(now: datetime | None = None, days: int | None = None) -> dict[str, int]:
    """Remove identifiable data for meetings older than `days`; keep anonymised aggregates."""
    now = now or utcnow()
    days = current_app.config["RETENTION_DAYS"] if days is None else days
    cutoff = now - timedelta(days=days)
    counts = anonymise_participants(participant_ids_met_before(cutoff))
    # Texts that reached no invitation (unknown numbers, after STOP) are removed on the same clock.
    counts["messages"] += clear_stray_texts_before(cutoff)
    from voice_service.other_voices import forget_words_before

    counts["source_feedback"] = forget_words_before(cutoff.date())
    audit("retention_applied", detail={"cutoff": cutoff.isoformat(), **counts})
    db.session.commit()
    return counts


# Subject access and erasure ------------------------------------------------------------------

def hash_of_phone(phone: str) -> str:
    """The keyed hash of a phone number as typed by staff (any UK format); BadParameter if not one."""
    from voice_service.messaging.phone import normalise_phone

    e164, reason = normalise_phone(phone, allow_drama_numbers=True)  # finding, not texting
    if e164 is None:
        raise click.BadParameter(f"{phone!r} is not a phone number we can use: {reason}", param_hint="--phone")
    return phone_hash(e164)


def find_participants(participant_id: int | None = None, phone: str | None = None) -> list[Participant]:
    if participant_id is not None:
        found = participant_by_id(participant_id)
        return [found] if found else []
    if phone:
        return participants_with_phone_hash(hash_of_phone(phone))
    raise click.UsageError("say who: --participant-id N or --phone NUMBER")


def export_person(participants: list[Participant]) -> dict:
    """Everything held about these participant records, readable by the person."""
    people = []
    for p in participants:
        invitations = []
        for inv in p.invitations:
            answers = answers_of(inv.id)
            messages = messages_of(inv.id)
            invitations.append({
                "survey": inv.survey_id, "version": inv.survey_version, "status": inv.status,
                "channel": inv.channel, "who_may_see": inv.visibility, "advocate_requested": inv.advocate_requested,
                "answers": [{
                    "question": a.question_id, "value": decode_value(a.value), "text": a.free_text,
                    "skipped": a.skipped, "current": a.is_current, "received_at": a.received_at.isoformat(),
                    "channel": a.channel, "themes": [t.theme_id for t in a.tags if not t.rejected],
                } for a in answers],
                "messages": [{
                    "direction": m.direction, "body": m.body, "status": m.status, "at": m.created_at.isoformat(),
                } for m in messages],
            })
        people.append({
            "participant_id": p.id, "name": p.display_name, "role": p.role, "phone": p.phone,
            "email": p.email, "postal_address": p.postal_address, "route": p.route,
            "language": p.language, "meeting_type": p.meeting.meeting_type,
            "meeting_date": p.meeting.starts_at.date().isoformat(), "invitations": invitations,
        })
    return {"exported_at": utcnow().isoformat(), "records": people}


@click.group("keys")
def keys_cli() -> None:
    """Encryption keys for data at rest."""


@keys_cli.command("rotate")
@with_appcontext
def rotate_command() -> None:
    """Re-encrypt everything with the first key in DATA_ENCRYPTION_KEYS.

    Rotation: put a new key first in DATA_ENCRYPTION_KEYS (keep the old one after it), deploy,
    run this, then remove the old key.
    """
    changed = rotate_keys(progress=lambda line: click.echo(line, err=True))
    audit("keys_rotated", detail={"values": changed})
    db.session.commit()
    click.echo(f"Re-encrypted {changed} values with the newest key. You can now remove the old key.")


@click.group("person")
def person_cli() -> None:
    """One person's data: subject access export and erasure (both audited)."""


@person_cli.command("export")
@click.option("--participant-id", type=int)
@click.option("--phone", help="Find every record with this phone number.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write JSON here (default: stdout).")
@click.option("--requested-by", required=True, help="Who asked, for the audit log (staff email).")
@with_appcontext
def export_command(participant_id, phone, out, requested_by) -> None:
    """Export everything held about one person (subject access request)."""
    participants = find_participants(participant_id, phone)
    if not participants:
        raise click.ClickException("no records found for that person; nothing exported")
    data = json.dumps(export_person(participants), ensure_ascii=False, indent=2)
    for p in participants:
        audit("subject_access_export", "participant", str(p.id), {"requested_by": requested_by})
    db.session.commit()
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(data)
        click.echo(f"Exported {len(participants)} record(s) to {out}", err=True)
    else:
        click.echo(data)


@person_cli.command("erase")
@click.option("--participant-id", type=int)
@click.option("--phone")
@click.option("--requested-by", required=True, help="Who asked, for the audit log (staff email).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def erase_command(participant_id, phone, requested_by, yes) -> None:
    """Erase one person's identifiable data (anonymised counts remain).

    With --phone, also every text from or to that number that reached no invitation (an unknown
    number, after STOP), found by the number's keyed hash, and the alerts raised on them."""
    participants = find_participants(participant_id, phone)
    number_hash = hash_of_phone(phone) if phone else None
    stray = texts_count_with_phone_hash(number_hash) if number_hash else 0
    if not participants and not stray:
        raise click.ClickException("no records found for that person; nothing erased")
    if not yes:
        click.confirm(f"Erase {len(participants)} record(s) and {stray} text(s)? This cannot be undone", abort=True)
    counts = anonymise_participants([p.id for p in participants])
    if number_hash:
        counts["messages"] += erase_texts_by_hash(number_hash)
    for p in participants:
        audit("erasure", "participant", str(p.id), {"requested_by": requested_by, **counts})
    if not participants:
        audit("erasure", "phone_hash", None, {"requested_by": requested_by, **counts})
    db.session.commit()
    click.echo(f"Erased {counts['participants']} record(s): {counts['answers']} answers and {counts['messages']} messages cleared.")
