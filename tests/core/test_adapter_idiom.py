"""One adapter idiom: every shipped adapter stands on the form base, its pages and card in its form.yaml.

The kit (:mod:`casebot.kit.pageflow`) logs in, builds URLs, opens pages, fills the forms and reads them
back from the form description; an adapter's Python holds what is its system's own (the searches it
offers the matching policy, a peculiar page's parsing). These tests read the shipped adapters as they are.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from casebot.kit import plugins
from casebot.kit.base import Adapter, Target
from casebot.kit.pageflow import FormPages, FormTarget, field_specs

ROOT = Path(__file__).parents[2]
ADAPTERS = ROOT / "adapters"

#: what the kit does for every adapter, never written again in one
KIT_METHODS = {"login", "is_login_page", "url", "_url", "go", "_open", "_fill", "_dismiss_notices",
               "_next_step", "log_in_with_form"}
#: calls that mean an adapter logs in, builds URLs, fills controls or decides a match itself
KIT_CALLS = {"submit_login_form", "urljoin", "goto", "widget", "classify", "FieldSpec"}


def _shipped() -> list[type[Adapter]]:
    out: list[type[Adapter]] = []
    for name in plugins.names():
        cls = plugins.load_adapter(name)
        if not cls.__module__.startswith("adapters."):
            continue  # an adapter package of someone else's
        for c in (cls, *cls.kinds.values()):
            if c not in out:
                out.append(c)
    return out


SHIPPED = _shipped()


def test_the_shipped_adapters_are_all_found():
    assert {c.name for c in SHIPPED} == {"police", "procuratorate", "court", "county", "smartcourt"}
    assert len(SHIPPED) >= 10  # with their record kinds


@pytest.mark.parametrize("cls", SHIPPED, ids=lambda c: c.__qualname__)
def test_every_adapter_stands_on_the_form_base(cls):
    assert issubclass(cls, FormPages), f"{cls.__qualname__} is not on casebot.kit.pageflow's base"
    if issubclass(cls, Target):
        assert issubclass(cls, FormTarget), f"{cls.__qualname__} is a target not on FormTarget"
    assert Path(cls.form_file) == Path(inspect.getfile(cls)).with_name("form.yaml")


@pytest.mark.parametrize("cls", [c for c in SHIPPED if issubclass(c, Target)], ids=lambda c: c.__qualname__)
def test_every_targets_card_is_described_in_its_form_yaml(cls):
    described = cls.ui
    for part in cls.card.split("."):
        described = described[part]
    assert cls.fields == field_specs(described)


def _adapter_modules() -> list[Path]:
    return sorted(p for p in ADAPTERS.rglob("*.py") if p.name != "__init__.py" or p.parent != ADAPTERS)


@pytest.mark.parametrize("path", _adapter_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_adapter_logs_in_builds_urls_or_fills_fields_itself(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = [f"{cls.name}.{f.name}" for cls in ast.walk(tree) if isinstance(cls, ast.ClassDef)
           for f in cls.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) and f.name in KIT_METHODS]
    calls = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
            if name in KIT_CALLS:
                calls.add(name)
    assert not own, f"methods the kit owns, written again: {own}"
    assert not calls, f"calls the kit makes for an adapter: {sorted(calls)}"
