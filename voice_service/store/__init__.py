"""The data-access layer: reads and writes per aggregate, one module each.

* `store.answers`: the current answer to each question; retiring and restoring it.
* `store.messages`: a stored text locked for its answer or status; opt-outs (STOP / START);
  messages by id, provider SID or reference, the latest sent, complaints.
* `store.invitations`: the open invitations a number can answer by text (locked); the private
  link's lookup; each person's latest; closing those past their expiry.
* `store.meetings`: the upcoming list, everything the meeting page reads, the API's list and a
  meeting's decisions, a case's people (Experience of Service, meeting quality).
* `store.meeting_import`: a meeting from the case system, created or updated (CSV and API).
* `store.scheduled`: planned messages: the dispatcher's claims and stuck rows, resends, re-planning.
* `store.alerts`: the alerts inbox's rows, the escalation job's claims, a person's open alert.
* `store.audit`: the audit log read back. `store.staff`: accounts, sign-in, API keys.
* `store.advocacy`, `store.learning` (Learning Loop actions), `store.you_said`.
* `store.erasure`: key rotation's batches, retention, subject access and erasure.

Creating an invitation, its private link and its status moves stay in `voice_service.invitations`;
analysis' read-only aggregate queries stay in `voice_service.analysis.queries`. Nothing outside
this package builds or runs a query but the few `tests/unit/test_queries_in_store.py` lists, each
with its reason.

Nothing here commits. GOV.UK Notify's `app/dao` puts a `transactional` decorator (commit on
return, roll back on error) on each DAO write; here one request, command or job can make several
writes that must land together (an answer with its alert, a text with its reply), so the edge
commits once: the web handler, the CLI command or the clock job, and rolls back on error.
"""
