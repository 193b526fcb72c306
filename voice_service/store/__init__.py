"""The data-access layer: reads and writes per aggregate, one module each.

* `store.answers`: the current answer to each question; retiring and restoring it.
* `store.messages`: a stored text locked for its answer or status; opt-outs (STOP / START).
* `store.invitations`: the open invitations a number can answer by text (locked).
* `store.meetings`: the upcoming list and everything the meeting page reads.
* `store.meeting_import`: a meeting from the case system, created or updated (CSV and API).

Creating an invitation, its private link and its status moves stay in `voice_service.invitations`;
analysis queries stay in `voice_service.analysis.queries`.

Nothing here commits. GOV.UK Notify's `app/dao` puts a `transactional` decorator (commit on
return, roll back on error) on each DAO write; here one request, command or job can make several
writes that must land together (an answer with its alert, a text with its reply), so the edge
commits once: the web handler, the CLI command or the clock job, and rolls back on error.
"""
