"""Staff commands: `import-meetings FILE.csv`, `api-keys create|list|revoke`, `users create|list|unlock|lock|set-password|set-role`
(the account changes are voice_service.staff_accounts', shared with the web page /staff/users).

See docs/case-import.md for the CSV columns.
"""
from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass, field, replace

import click
from flask import current_app
from flask.cli import with_appcontext

from voice_service import audit
from voice_service import staff_accounts as accounts
from voice_service.extensions import db
from voice_service.models import User, utcnow
from voice_service.store.staff import all_accounts, api_key_named, api_keys_by_name
from voice_service.vocab import API_SCOPES, STAFF_ROLES

# Case import ------------------------------------------------------------------------------------

MEETING_COLUMNS = ("meeting_ref", "case_ref", "meeting_type", "starts_at", "child_age_band", "service")
OPTIONAL_MEETING_COLUMNS = ("team", "location", "chair_email", "meeting_status", "child_ethnicity", "child_gender",
                            "child_disability", "case_closed_on", "case_closure_reason")
PARTICIPANT_COLUMNS = ("participant_ref", "role", "name", "age_band", "phone", "email", "language", "channel",
                       "safe_to_text", "easy_read", "consent", "postal_address", "route")
REQUIRED_COLUMNS = MEETING_COLUMNS
KNOWN_COLUMNS = MEETING_COLUMNS + OPTIONAL_MEETING_COLUMNS + PARTICIPANT_COLUMNS
# Fields of the meeting that every row of the same meeting must agree on.
SHARED_FIELDS = ("case_ref", "meeting_type", "starts_at", "child_age_band", "service", "team", "location",
                 "chair_email", "meeting_status", "child_ethnicity", "child_gender", "child_disability",
                 "case_closed_on", "case_closure_reason")
# validate_meeting's field names -> the CSV column that holds them.
_FIELD_TO_COLUMN = {
    "child.age_band": "child_age_band", "child.service": "service", "child.team": "team",
    "child.ethnicity": "child_ethnicity", "child.gender": "child_gender", "child.disability": "child_disability",
    "child.closed_on": "case_closed_on", "child.closure_reason": "case_closure_reason",
    "ref": "participant_ref",
}
PROGRESS_EVERY = 100
MAX_ROWS = 200_000


@dataclass
class RowProblem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.message}"


@dataclass
class ImportReport:
    rows: int = 0
    rows_imported: int = 0
    meetings_created: int = 0
    meetings_updated: int = 0
    meetings_cancelled: int = 0
    participants_added: int = 0
    invitations_created: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)


def _column(field_name: str) -> str:
    if field_name.startswith("participants[0]."):
        field_name = field_name[len("participants[0]."):]
    return _FIELD_TO_COLUMN.get(field_name, field_name)


def _row_payload(row: dict) -> dict:
    get = lambda key: (row.get(key) or "").strip()  # noqa: E731
    payload = {
        "meeting_ref": get("meeting_ref"), "case_ref": get("case_ref"), "meeting_type": get("meeting_type"),
        "starts_at": get("starts_at"), "location": get("location") or None, "chair_email": get("chair_email") or None,
        "child": {"age_band": get("child_age_band"), "service": get("service"), "team": get("team") or None,
                  "ethnicity": get("child_ethnicity") or None, "gender": get("child_gender") or None,
                  "disability": get("child_disability") or None, "closed_on": get("case_closed_on") or None,
                  "closure_reason": get("case_closure_reason") or None},
        "participants": [],
    }
    if any(get(c) for c in PARTICIPANT_COLUMNS):
        payload["participants"].append({
            "ref": get("participant_ref"), "role": get("role"), "name": get("name"),
            "age_band": get("age_band") or None, "phone": get("phone") or None, "email": get("email") or None,
            "language": get("language") or None, "channel": get("channel") or None,
            "safe_to_text": get("safe_to_text") or None, "easy_read": get("easy_read") or None,
            "consent": get("consent") or None, "postal_address": get("postal_address") or None,
            "route": get("route") or None,
        })
    return payload


def import_meetings(stream: io.TextIOBase, progress=None) -> ImportReport:
    """Import a case-system CSV: one row per participant (or a row with only meeting columns).

    Every bad row is reported with its line and reason; the good rows are imported. Running the
    same file again changes nothing: children, meetings and participants are matched on their
    references."""
    from voice_service.intake import validate_meeting
    from voice_service.store.meeting_import import Conflict, change_meeting, upsert_meeting

    report = ImportReport()
    reader = csv.DictReader(stream)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        report.problems.append(RowProblem(1, "(header)", f"missing column(s): {', '.join(missing)}"))
        return report
    unknown = [c for c in header if c and c not in KNOWN_COLUMNS]
    if unknown:
        report.warnings.append(RowProblem(1, "(header)", f"column(s) ignored: {', '.join(unknown)}"))
    reader.fieldnames = header
    languages = tuple(current_app.config["LANGUAGES"])
    drama = bool(current_app.config.get("ALLOW_DRAMA_NUMBERS"))

    # Validate every row; group the good ones by meeting, in file order.
    groups: dict[str, list[tuple[int, dict, object]]] = {}
    first_seen: dict[str, tuple[int, dict]] = {}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            report.problems.append(RowProblem(reader.line_num, "(row)", f"not readable as CSV: {error}"))
            break
        report.rows += 1
        line = reader.line_num
        if report.rows > MAX_ROWS:
            report.problems.append(RowProblem(line, "(file)", f"more than {MAX_ROWS} rows; split the file"))
            break
        if None in row:  # more cells than the header has columns
            report.problems.append(RowProblem(line, "(row)", "more cells than there are columns in the header"))
            continue
        if not any((v or "").strip() for v in row.values()):
            report.rows -= 1  # a blank line
            continue
        data = _row_payload(row)
        meeting_input, errors = validate_meeting(data, languages=languages, allow_drama_numbers=drama)
        status = (row.get("meeting_status") or "").strip()
        if status and status not in ("scheduled", "cancelled"):
            errors.append(_field_error("meeting_status", "must be scheduled or cancelled"))
        if errors:
            for e in errors:
                report.problems.append(RowProblem(line, _column(e.field), e.message))
            continue
        ref = meeting_input.meeting_ref
        shared = {k: (row.get(k) or "").strip() for k in SHARED_FIELDS}
        if ref in first_seen:
            first_line, first_shared = first_seen[ref]
            differs = [k for k in SHARED_FIELDS if shared[k] != first_shared[k]]
            if differs:
                report.problems.append(RowProblem(
                    line, differs[0], f"differs from line {first_line} for the same meeting {ref}; every row of a meeting must agree"))
                continue
            refs = {p.ref for _l, _r, mi in groups[ref] for p in mi.participants}
            if meeting_input.participants and meeting_input.participants[0].ref in refs:
                report.problems.append(RowProblem(line, "participant_ref", f"{meeting_input.participants[0].ref} is given twice for meeting {ref}"))
                continue
        else:
            first_seen[ref] = (line, shared)
            groups[ref] = []
        groups[ref].append((line, row, meeting_input))

    # Write, one meeting at a time (a savepoint each), committing every PROGRESS_EVERY meetings.
    total = len(groups)
    for done, (ref, items) in enumerate(groups.items(), start=1):
        base = items[0][2]
        merged = replace(base, participants=tuple(p for _l, _r, mi in items for p in mi.participants))
        status = (items[0][1].get("meeting_status") or "").strip()
        lines = [line for line, _r, _m in items]
        try:
            with db.session.begin_nested():
                result = upsert_meeting(merged)
                if status:
                    changed = change_meeting(result.meeting, status=status)
                    if changed.get("status") == "cancelled":
                        report.meetings_cancelled += 1
        except Conflict as conflict:
            for line in lines:
                report.problems.append(RowProblem(line, _column(conflict.error.field), conflict.error.message))
            continue
        except Exception as error:  # a database refusal for this meeting only; the rest go on
            current_app.logger.exception("import of one meeting failed", extra={"meeting_ref": ref})
            for line in lines:
                report.problems.append(RowProblem(line, "(row)", f"could not be saved ({type(error).__name__})"))
            continue
        report.rows_imported += len(items)
        report.meetings_created += int(result.created)
        report.meetings_updated += int(not result.created)
        report.participants_added += result.participants_added
        report.invitations_created += result.invitations_created
        for w in result.warnings:
            index = int(w.field.split("[")[1].split("]")[0]) if w.field.startswith("participants[") else None
            line = lines[index] if index is not None and index < len(lines) else lines[0]
            report.warnings.append(RowProblem(line, _column(w.field) if index is None else "role", w.message))
        if done % PROGRESS_EVERY == 0:
            db.session.commit()
            if progress:
                progress(done, total)
    audit.record(None, "case_import", None, {
        "rows": report.rows, "imported": report.rows_imported, "bad_rows": len({p.line for p in report.problems}),
        "meetings_created": report.meetings_created, "meetings_updated": report.meetings_updated,
    })
    db.session.commit()
    if progress and total % PROGRESS_EVERY:
        progress(total, total)
    return report


def _field_error(name, message):
    from voice_service.intake import FieldError

    return FieldError(name, message)


@click.command("import-meetings")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_meetings_command(csv_file: str) -> None:
    """Import meetings, children and participants from a case-system CSV export.

    Re-runnable: matches on case_ref, meeting_ref and participant_ref. Bad rows are listed by
    line and reason and the rest imported; the exit status is 1 when any row was bad."""
    def progress(done: int, total: int) -> None:
        click.echo(f"  {done} of {total} meetings saved", err=True)

    try:
        with open(csv_file, newline="", encoding="utf-8-sig") as stream:
            report = import_meetings(stream, progress=progress)
    except UnicodeDecodeError:
        raise click.ClickException(f"{csv_file} is not UTF-8 text: save it from the spreadsheet as 'CSV UTF-8'") from None
    click.echo(
        f"Read {report.rows} row(s): {report.rows_imported} imported. Meetings: {report.meetings_created} new, "
        f"{report.meetings_updated} updated, {report.meetings_cancelled} cancelled. People added: "
        f"{report.participants_added}. Invitations made: {report.invitations_created}."
    )
    for warning in report.warnings:
        click.echo(f"Note: {warning}")
    if report.problems:
        bad = len({p.line for p in report.problems})
        click.echo(f"{bad} row(s) not imported:")
        for problem in report.problems:
            click.echo(f"  {problem}")
        sys.exit(1)


# API keys ----------------------------------------------------------------------------------------

@click.group("api-keys")
def api_keys_cli() -> None:
    """API keys for the case system (stored hashed; the key is shown once)."""


@api_keys_cli.command("create")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(list(API_SCOPES)),
              help="What the key may do; repeat for more than one. The case system usually needs "
                   "--scope meetings:read --scope meetings:write.")
@with_appcontext
def api_key_create(name: str, scopes: tuple[str, ...]) -> None:
    """Make a key called NAME that may do only its --scope(s), and print it once."""
    from voice_service.auth import create_api_key

    name = name.strip()
    if not name or len(name) > 100:
        raise click.BadParameter("give a name of 1 to 100 characters", param_hint="NAME")
    if api_key_named(name) is not None:
        raise click.ClickException(f"a key called {name!r} exists already; revoke it or choose another name")
    key, raw = create_api_key(name, scopes)
    db.session.flush()
    audit.record(None, "api_key_created", key, {"scopes": sorted(set(scopes))})
    db.session.commit()
    click.echo(f"API key {name!r} created, with {', '.join(sorted(set(scopes)))}. Copy it now: it cannot be shown again.")
    click.echo(raw)


@api_keys_cli.command("list")
@with_appcontext
def api_key_list() -> None:
    """Every key: name, first characters, created, last used, revoked."""
    keys = api_keys_by_name()
    if not keys:
        click.echo("No API keys.")
    for key in keys:
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
        click.echo(f"{key.name}\t{key.prefix}…\t{key.scopes or 'no scopes'}\tcreated {key.created_at:%Y-%m-%d}\t"
                   f"last used {used}\t{state}")


@api_keys_cli.command("revoke")
@click.argument("name")
@with_appcontext
def api_key_revoke(name: str) -> None:
    """Stop the key called NAME working (at once)."""
    key = api_key_named(name)
    if key is None:
        raise click.ClickException(f"no API key called {name!r}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        audit.record(None, "api_key_revoked", key)
        db.session.commit()
    click.echo(f"API key {name!r} revoked.")


# Users --------------------------------------------------------------------------------------------

@click.group("users")
def users_cli() -> None:
    """Staff accounts."""


@users_cli.command("create")
@click.option("--email", required=True, help="Their work email: they sign in with it.")
@click.option("--role", required=True, type=click.Choice(list(STAFF_ROLES)), help="What they may see and do.")
@click.option("--name", default=None, help="Their name as shown to colleagues.")
@click.option("--team", default=None, help="Their team (workers see only their team's meetings).")
@click.password_option(help="At least 12 characters (asked for if not given).")
@with_appcontext
def users_create(email: str, role: str, name: str | None, team: str | None, password: str) -> None:
    """Add a staff account; asks for the password twice."""
    try:
        user = accounts.create(None, email, name, role, password, team)
    except accounts.AccountChangeRefused as refused:
        if str(refused).startswith("team:"):
            raise click.BadParameter(str(refused)[len("team: "):], param_hint="--team") from None
        raise click.ClickException(str(refused)) from None
    db.session.commit()
    click.echo(f"Created {user.email} ({STAFF_ROLES[role]}).")


@users_cli.command("list")
@with_appcontext
def users_list() -> None:
    for user in all_accounts():
        locked = " locked" if user.locked_until and user.locked_until > utcnow() else ""
        click.echo(f"{user.email}\t{user.role}\t{user.team or '-'}\t{'active' if user.active else 'inactive'}{locked}")


def _user_or_fail(email: str) -> User:
    user = accounts.find(email)
    if user is None:
        raise click.ClickException(f"no user with the email {email}")
    return user


def _refused(refused: accounts.AccountChangeRefused, hint: str | None = None):
    if hint:
        return click.BadParameter(str(refused).split(": ", 1)[-1], param_hint=hint)
    return click.ClickException(str(refused))


@users_cli.command("unlock")
@click.argument("email")
@with_appcontext
def users_unlock(email: str) -> None:
    """Let someone locked (or slowed down by wrong passwords) sign in again now."""
    user = _user_or_fail(email)
    accounts.unlock(None, user)
    db.session.commit()
    click.echo(f"{user.email} can sign in again.")


@users_cli.command("lock")
@click.argument("email")
@with_appcontext
def users_lock(email: str) -> None:
    """Stop someone signing in, and end every session they have, at once."""
    user = _user_or_fail(email)
    try:
        accounts.disable(None, user)
    except accounts.AccountChangeRefused as refused:
        raise _refused(refused) from None
    db.session.commit()
    click.echo(f"{user.email} is locked and signed out everywhere.")


@users_cli.command("set-password")
@click.argument("email")
@click.password_option(help="At least 12 characters (asked for if not given).")
@with_appcontext
def users_set_password(email: str, password: str) -> None:
    """Give someone a new password; every session they have ends."""
    user = _user_or_fail(email)
    try:
        accounts.reset_sign_in(None, user, password)
    except accounts.AccountChangeRefused as refused:
        raise _refused(refused, "--password") from None
    db.session.commit()
    click.echo(f"New password set for {user.email}; they are signed out everywhere.")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(list(STAFF_ROLES)))
@click.option("--team", default=None, help="Their new team, if it changes too.")
@with_appcontext
def users_set_role(email: str, role: str, team: str | None) -> None:
    """Change what someone may see and do; every session they have ends."""
    user = _user_or_fail(email)
    try:
        accounts.change_role(None, user, role, team)
    except accounts.AccountChangeRefused as refused:
        raise _refused(refused, "ROLE") from None
    db.session.commit()
    click.echo(f"{user.email} is now {STAFF_ROLES[role]}; they are signed out everywhere.")
