"""The house's arrows: wings import only the wings below them; nothing imports the simulated systems or
the CLI; adapters never guard."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[2]
#: the CLI: commands may import anything, the core may not import them
CLI = ("casebot/cli/", "casebot/__main__.py")

#: the floors of casebot/: a wing (package, or ground module) may import its own modules and the wings on
#: the floors below it, never one beside or above it (each package's docstring says the same in words)
FLOORS: dict[str, int] = {
    "errors": 0,
    "domain": 1,
    "logs": 2, "htmlenv": 2,
    "ledger": 3, "kit": 3, "deadlines": 3,
    "mapping": 4, "testing": 4,
    "config": 5,
    "ops": 6,
    "run": 7,
    "cli": 8,
    "__main__": 9,
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "casebot":
                names.update(f"casebot.{a.name}" for a in node.names)
    return names


def _wing(path: Path) -> str:
    parts = path.relative_to(ROOT / "casebot").parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def test_every_wing_has_a_floor_and_says_what_it_may_import():
    wings = {_wing(p) for p in (ROOT / "casebot").rglob("*.py")} - {"__init__"}
    assert wings == set(FLOORS), "a new wing: give it a floor here and a docstring saying what it may import"
    for wing in FLOORS:
        init = ROOT / "casebot" / wing / "__init__.py"
        if init.exists() and wing != "cli":
            doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
            assert "May import" in doc, wing


def test_wings_import_only_the_floors_below():
    upward = {}
    for p in (ROOT / "casebot").rglob("*.py"):
        wing = _wing(p)
        if wing == "__init__":
            continue
        bad = sorted(m for m in _imports(p) if m.startswith("casebot.") and m.split(".")[1] in FLOORS
                     and m.split(".")[1] != wing and FLOORS[m.split(".")[1]] >= FLOORS[wing])
        if bad:
            upward[str(p.relative_to(ROOT))] = bad
    assert upward == {}


def test_no_core_module_imports_the_sandbox_or_the_cli():
    core = [p for p in (ROOT / "casebot").rglob("*.py")
            if not str(p.relative_to(ROOT)).startswith(CLI)]
    assert len(core) > 30
    offenders = {str(p.relative_to(ROOT)): sorted(m for m in _imports(p)
                                                   if m.split(".")[0] == "sandbox"
                                                   or m.startswith("casebot.cli"))
                 for p in core}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_adapter_calls_the_guard():
    """The base's public methods guard once around what an adapter writes; an adapter never does it itself."""
    for path in [*(ROOT / "adapters").rglob("*.py"), ROOT / "casebot/templates/scaffold/adapter.py.j2"]:
        text = path.read_text(encoding="utf-8")
        assert "guard(" not in text, path


def test_the_base_owns_the_matching_policy():
    """Adapters offer searches (Target._search_by_*); whether a record is the case is decided once, in the base."""
    for path in [*(ROOT / "adapters").rglob("*.py"), ROOT / "casebot/templates/scaffold/adapter.py.j2"]:
        text = path.read_text(encoding="utf-8")
        assert "classify" not in text and "_find_match(" not in text, path
