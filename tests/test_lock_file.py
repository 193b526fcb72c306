"""requirements.lock pins every dependency, direct and transitive, with hashes (issue 19, finding 13)."""
from __future__ import annotations

import re
import tomllib
from importlib.metadata import distribution
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"


def locked() -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes)."""
    text = LOCK.read_text()
    found = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        head = re.match(r"([A-Za-z0-9._-]+)==([^\s\\;]+)", block)
        if head:
            found[re.sub(r"[-_.]+", "-", head.group(1)).lower()] = (head.group(2), block.count("--hash=sha256:"))
    return found


def test_every_dependency_direct_and_transitive_is_locked_with_hashes():
    pins = locked()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    direct = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]]
    seen, todo = set(), [r.name for r in direct]
    while todo:  # walk the installed dependency tree from pyproject.toml
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in seen:
            continue
        seen.add(name)
        if name == "pip" and name not in pins:  # every venv has it; `make lock` (--allow-unsafe) pins it too
            continue
        assert name in pins, f"{name} is installed but not in requirements.lock: run make lock"
        for raw in distribution(name).requires or []:
            req = Requirement(raw)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    assert len(seen) > 60
    assert all(count >= 1 for _version, count in pins.values())
    for req in direct:  # the lock agrees with the exact pins in pyproject.toml
        assert pins[re.sub(r"[-_.]+", "-", req.name).lower()][0] == next(iter(req.specifier)).version, req.name


def test_the_lock_names_no_machine_specific_index():
    assert "file://" not in LOCK.read_text() and "--find-links" not in LOCK.read_text()
