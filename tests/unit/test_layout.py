"""The layout checks that `make test` runs (tools/check_modules.py): module sizes, import circles."""
from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("check_modules", ROOT / "tools" / "check_modules.py")
check_modules = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_modules)


def test_no_module_over_the_limit_and_no_import_circle():
    errors, _ = check_modules.problems()
    assert errors == []


def test_a_circle_is_found_and_a_chain_is_not():
    assert check_modules.cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert check_modules.cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_only_imports_made_when_a_module_loads_count():
    source = (
        "from typing import TYPE_CHECKING\n"
        "from voice_service import vocab\n"
        "import voice_service.models\n"
        "if TYPE_CHECKING:\n    from voice_service.meetings import Meeting\n"
        "def later():\n    from voice_service import alerts\n"
    )
    known = {"voice_service", "voice_service.vocab", "voice_service.models", "voice_service.meetings", "voice_service.alerts"}
    tree = ast.parse(source)
    at_load = check_modules.imports_of(tree, "voice_service.x", False, known, load_time_only=True)
    assert at_load == {"voice_service.vocab", "voice_service.models"}
    anywhere = check_modules.imports_of(tree, "voice_service.x", False, known, load_time_only=False)
    assert anywhere == {"voice_service.vocab", "voice_service.models", "voice_service.alerts"}
