"""The core speaks field roles, not the systems' pinyin.

Which field is a person's name, an ID number, a case's title, free text or a card's person rows is
declared once, on the models (``casebot/domain/model.py``) and on the targets' fields (form
descriptions); everything else asks :mod:`casebot.domain.roles`. This test keeps it so: the field
names that carry a role in any shipped declaration never appear as string literals in the core's
packages, outside the model definitions.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from casebot.domain import model
from casebot.domain.roles import Role, Roles, roles_of
from casebot.kit.plugins import load_adapter, names

ROOT = Path(__file__).parents[2]
#: the packages that must not name a system's field
CORE = ("casebot/domain", "casebot/run", "casebot/ops", "casebot/deadlines", "casebot/kit")
#: where the systems' field names are declared: the models (mapping files are YAML, outside these packages)
ALLOWED = {"casebot/domain/model.py"}
#: roles whose field names the core must not spell out
WATCHED = {Role.NAME, Role.ALIAS, Role.ID_NUMBER, Role.BIRTH_DATE, Role.ADDRESS, Role.FREE_TEXT, Role.TITLE,
           Role.PERSONS}
#: the domain's own vocabulary (English field names of the card) is not a system's pinyin
_ENGLISH = re.compile(r"^(name|alias|id_number|birth_date|suspects|[a-z]+_[a-z_]+)$")


def _adapters() -> dict[str, type]:
    """Every shipped adapter class, its kinds' included."""
    out: dict[str, type] = {}
    for name in names():
        cls = load_adapter(name)
        out[name] = cls
        out.update({f"{name}:{kind}": k for kind, k in (getattr(cls, "kinds", None) or {}).items()})
    return out


def _declared() -> Roles:
    roles = roles_of(model.PoliceCase, model.ArrestDecision, model.JudgedCase, model.ProcuratorateRecord,
                     model.CaseCard)
    for adapter in _adapters().values():
        roles = roles | Roles.of_fields(getattr(adapter, "fields", ()))
    return roles


def _watched_names() -> set[str]:
    roles = _declared()
    return {k for role in WATCHED for k in roles.keys(role) if not _ENGLISH.match(k)}


def test_the_shipped_declarations_give_the_roles_the_core_needs() -> None:
    names = _watched_names()
    # the police's, the procuratorate's and the courts' person fields and the titles
    assert {"xm", "bm", "zjhm", "sfzh", "ajmc", "ajzy", "jyaq", "xyr", "bgr", "zz"} <= names


def test_every_shipped_target_declares_who_its_person_rows_are() -> None:
    """A target whose person rows declare no identity would diff every row as edited when one is added,
    and would let a name through unmasked: each shipped target declares it (in Python or form.yaml)."""
    for name, adapter in _adapters().items():
        fields = getattr(adapter, "fields", None)
        if not fields:
            continue
        roles = Roles.of_fields(fields)
        for f in fields:
            if f.children and Role.PERSONS in roles.of(f.name):
                kids = {c.name for c in f.children}
                assert kids & roles.keys(Role.NAME), (name, f.name)
                assert kids & roles.keys(Role.ID_NUMBER), (name, f.name)


def _literals(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in docs}


def test_the_core_names_no_system_field_that_has_a_role() -> None:
    names = _watched_names()
    found = {}
    for package in CORE:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = str(path.relative_to(ROOT))
            if rel in ALLOWED:
                continue
            hits = sorted(_literals(path) & names)
            if hits:
                found[rel] = hits
    assert found == {}, "ask casebot.domain.roles (keys_with, identity_of) instead of naming the field"
