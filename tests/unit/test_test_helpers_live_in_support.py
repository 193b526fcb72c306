"""Test helpers live in tests/support/: a test module importing from another test module breaks
when that module's tests change (a sign-in helper moved once, and a browser test failed to import)."""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
# tests/load/traffic.py is the load harness, shared with bench/: a helper module, not a test.
HELPERS = ("tests.support", "tests.load")


def imports_from_other_test_modules(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                 else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
        found += [n for n in names if n.startswith("tests.") and not n.startswith(HELPERS)]
    return found


def test_no_test_module_imports_from_another():
    offenders = {str(path.relative_to(TESTS)): found for path in sorted(TESTS.rglob("*.py"))
                 if (found := imports_from_other_test_modules(path.read_text()))}
    assert offenders == {}


def test_the_check_sees_such_an_import():
    assert imports_from_other_test_modules("from tests.browser.test_staff_browser import sign_in") == [
        "tests.browser.test_staff_browser"]
    assert imports_from_other_test_modules("from tests.support.browser import axe_check") == []
