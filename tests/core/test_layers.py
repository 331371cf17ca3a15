"""The house's arrows: the core imports neither the simulated systems nor the CLI; adapters never guard."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[2]
#: the CLI: commands may import anything, the core may not import them
CLI = ("casebot/commands/", "casebot/cli.py", "casebot/__main__.py")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_core_module_imports_the_sandbox_or_the_cli():
    core = [p for p in (ROOT / "casebot").rglob("*.py")
            if not str(p.relative_to(ROOT)).startswith(CLI)]
    assert len(core) > 30
    offenders = {str(p.relative_to(ROOT)): sorted(m for m in _imports(p)
                                                   if m.split(".")[0] == "sandbox"
                                                   or m.startswith(("casebot.commands", "casebot.cli")))
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
