"""Queries live in voice_service/store/ (issue 15, item 4): handlers, commands and clock jobs call
store functions and commit at their edge; no module outside store/ builds a query or runs one on
the session. The few that still do are listed below, each with the reason it stays; the list only
shrinks (an entry that no longer queries fails the check, so it must be removed). Nothing in
store/ commits or rolls back: the transaction is the caller's."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "voice_service"

#: SQLAlchemy's statement builders, when imported from sqlalchemy.
BUILDERS = {"select", "update", "delete", "insert"}
#: What runs a query on the session (add, delete, flush and commit are the unit of work, not queries).
SESSION_QUERIES = {"execute", "scalars", "scalar", "get", "query"}

EXCEPTIONS = {
    # Read-only aggregate queries: analysis' and the scorecard's own query modules, which only read
    # (no transaction to decide) and hand plain rows to the pure analysis.
    "voice_service/analysis/queries.py": "analysis' read-only aggregate queries",
    "voice_service/analysis/pack_queries.py": "the meeting pack's read-only aggregate queries",
    "voice_service/learning/scorecard_queries.py": "the QA scorecard's read-only aggregate queries",
    "voice_service/team_week.py": "the team managers' weekly counts: read-only aggregate queries",
    # Not a query on an aggregate.
    "voice_service/web/health.py": "the liveness probe's SELECT 1 checks the connection, it reads nothing",
    # Development and demo data only (never in production: DEV_PAGES, `flask demo`).
    "voice_service/web/dev.py": "development-only pages (the SMS simulator, the outbox)",
    "voice_service/demo.py": "`flask demo`'s invented data, found by its references",
    "voice_service/learning/demo.py": "`flask demo`'s Learning Loop data",
}


def inline_queries(source: str) -> list[int]:
    """Line numbers where the module builds a SQLAlchemy statement or runs a query on the session."""
    tree = ast.parse(source)
    builders: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            builders |= {alias.asname or alias.name for alias in node.names if alias.name in BUILDERS}
    lines = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in builders:
            lines.add(node.lineno)
        elif isinstance(func, ast.Attribute):
            owner = func.value
            on_session = isinstance(owner, ast.Attribute) and owner.attr == "session"
            if (func.attr in SESSION_QUERIES and on_session) or (
                    func.attr in BUILDERS and isinstance(owner, ast.Name) and owner.id == "db"):
                lines.add(node.lineno)
    return sorted(lines)


def modules_with_queries() -> dict[str, list[int]]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("voice_service/store/"):
            continue
        lines = inline_queries(path.read_text(encoding="utf-8"))
        if lines:
            found[relative] = lines
    return found


def test_no_module_outside_store_queries_unless_listed_with_its_reason():
    unlisted = {module: lines for module, lines in modules_with_queries().items() if module not in EXCEPTIONS}
    assert unlisted == {}, "move these queries into voice_service/store/ (module: lines)"


def test_every_listed_exception_still_queries_so_the_list_only_shrinks():
    stale = sorted(set(EXCEPTIONS) - set(modules_with_queries()))
    assert stale == [], "these no longer query: remove them from EXCEPTIONS"
    assert all(reason.strip() for reason in EXCEPTIONS.values())


def transaction_ends(source: str) -> list[int]:
    """Line numbers where the module commits or rolls back the session."""
    return sorted({node.lineno for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
                   and isinstance(node.func, ast.Attribute) and node.func.attr in ("commit", "rollback")})


def test_nothing_in_store_commits_or_rolls_back_the_caller_decides():
    ending = {path.name: lines for path in sorted((PACKAGE / "store").glob("*.py"))
              if (lines := transaction_ends(path.read_text(encoding="utf-8")))}
    assert ending == {}
    assert transaction_ends("def f():\n    db.session.flush()\n    db.session.commit()\n") == [3]


def test_the_check_sees_queries_and_not_the_unit_of_work():
    querying = (
        "from sqlalchemy import select as pick\n"
        "from voice_service.extensions import db\n"
        "def f(m):\n"
        "    db.session.add(m)\n"
        "    db.session.flush()\n"
        "    rows = db.session.execute(pick(m))\n"
        "    return db.session.get(m, 1), db.select(m)\n"
    )
    assert inline_queries(querying) == [6, 7]
    not_querying = (
        "from itertools import product as select\n"
        "from voice_service.store.meetings import meeting_by_ref\n"
        "def f(ref, options):\n"
        "    list(select(options))\n"
        "    meeting = meeting_by_ref(ref)\n"
        "    db.session.add(meeting)\n"
        "    db.session.commit()\n"
        "    return options.get('x')\n"
    )
    assert inline_queries(not_querying) == []
