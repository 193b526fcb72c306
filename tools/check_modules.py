#!/usr/bin/env python3
"""Checks of the layout, run by `make test`: no module under voice_service/ over 500 lines (but the
allow-listed ones below, each with who is shrinking it) and no import circle between its modules.

An import circle counts only imports made when a module loads (top level, not under
TYPE_CHECKING); an import inside a function runs later and is how a circle is broken on purpose.
Exit status 1 with one line per problem. `--cycles-all` also reports circles through imports
inside functions (for information; they do not fail the check).
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "voice_service"
MAX_LINES = 500

# Today's oversized modules and who is shrinking them (issue 15, item 5): this list only shrinks.
# A module leaves it once it is under the limit; the check says so when one can be removed.
OVERSIZED = {
    "voice_service/scheduling/planner.py": "scheduling owner",
    "voice_service/conversation.py": "one pure concern: the conversation engine (parsing and wording for every channel)",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(tree: ast.Module, name: str, is_package: bool, known: set[str], load_time_only: bool) -> set[str]:
    """The package's modules that `name` imports (when it loads, or at all)."""
    found: set[str] = set()

    def target(module: str, imported: str | None) -> None:
        if imported and f"{module}.{imported}" in known:
            found.add(f"{module}.{imported}")
        elif module in known:
            found.add(module)

    def visit(nodes) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and is_type_checking(node.test):
                visit(node.orelse)
                continue
            if load_time_only and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    target(alias.name, None)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[: len(base) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                for alias in node.names:
                    target(module, alias.name)
            visit(ast.iter_child_nodes(node))

    visit(tree.body)
    found.discard(name)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def strongconnect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    return found


def problems(all_imports: bool = False) -> tuple[list[str], list[str]]:
    files = sorted((ROOT / PACKAGE).rglob("*.py"))
    errors, notes = [], []
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and rel not in OVERSIZED:
            errors.append(f"{rel}: {lines} lines, over {MAX_LINES}: split it by concern "
                          "(or, for one pure concern, add it to OVERSIZED in tools/check_modules.py with its owner)")
        elif rel in OVERSIZED and lines <= MAX_LINES:
            errors.append(f"{rel}: {lines} lines, now under {MAX_LINES}: remove it from OVERSIZED in tools/check_modules.py")
    for rel in OVERSIZED:
        if not (ROOT / rel).is_file():
            errors.append(f"{rel}: no longer exists: remove it from OVERSIZED in tools/check_modules.py")
    trees = {module_name(p): (ast.parse(p.read_text(encoding="utf-8"), str(p)), p.name == "__init__.py") for p in files}
    known = set(trees)
    load_graph = {n: imports_of(t, n, pkg, known, load_time_only=True) for n, (t, pkg) in trees.items()}
    for circle in cycles(load_graph):
        errors.append("import circle when modules load: " + " <-> ".join(circle))
    if all_imports:
        graph = {n: imports_of(t, n, pkg, known, load_time_only=False) for n, (t, pkg) in trees.items()}
        for circle in cycles(graph):
            notes.append("circle through imports inside functions: " + " <-> ".join(circle))
    return errors, notes


def main(argv: list[str]) -> int:
    errors, notes = problems(all_imports="--cycles-all" in argv)
    for line in notes:
        print(line)
    for line in errors:
        print(line, file=sys.stderr)
    if not errors:
        print(f"modules: none over {MAX_LINES} lines but the {len(OVERSIZED)} allow-listed; no import circle")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
