"""A written case follows the police (SPEC rule 10): one change, applied once, never over a person's edit.

:func:`follow` takes a case the target already holds (``record_id``), the card
casebot last wrote there (``written``, from the ledger's card history) and the
rules' output for the case as it now stands (``wanted``), and:

1. nothing differs: the record is in step;
2. the route's policy says ``off`` (ignored) or ``report`` (left stale, reported);
3. otherwise the target record is read; :func:`casebot.domain.changes.plan_update` says
   what to change and what a person changed. A conflict under ``hold`` stops the
   case (:class:`~casebot.errors.EditConflict`), nothing applied;
4. the changes still missing *in the target* are applied through its edit pages
   (computed against what the record holds now: after a crash mid-update the
   part already applied is not applied again, a row already added is not added
   twice), then read back and checked place by place.

The caller records ``wanted`` as the new written version once this returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from casebot import errors, logs
from casebot.domain.changes import (
    CardDiff,
    UpdatePlan,
    code_namer,
    diff,
    field_labels,
    plan_update,
    restrict,
    shown_path,
)
from casebot.domain.roles import Roles
from casebot.domain.verify import _show

log = logs.get("follow")

__all__ = ["FollowResult", "Policy", "follow"]


@dataclass(frozen=True)
class Policy:
    update: Literal["auto", "report", "off"] = "auto"
    on_conflict: Literal["hold", "skip-field"] = "hold"
    #: field -> ``off`` (frozen after the first write), ``hold`` or ``skip-field``
    fields: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, route: Any) -> Policy:
        return cls(getattr(route, "update", "auto"), getattr(route, "on_conflict", "hold"),
                   tuple(sorted((getattr(route, "fields", None) or {}).items())))


@dataclass(frozen=True)
class FollowResult:
    #: ``in-step``, ``updated``, ``stale`` (policy ``report``), ``ignored`` (policy ``off``)
    outcome: str
    changes: CardDiff | None = None
    plan: UpdatePlan | None = None


async def follow(target: Any, record_id: str, written: dict[str, Any], wanted: dict[str, Any], *,
                 policy: Policy, case: str, route: str = "", codes: Any = None) -> FollowResult:
    """``codes``: the code tables, to name the codes a conflict shows (None: codes shown bare)."""
    roles = target.field_roles() if hasattr(target, "field_roles") else None
    changes = diff(written, wanted, roles=roles)
    if changes.empty:
        return FollowResult("in-step")
    if policy.update == "off":
        return FollowResult("ignored", changes)
    if policy.update == "report":
        log.info("case.stale", route=route, case=case, places=len(changes.paths()))
        return FollowResult("stale", changes)
    fields = dict(policy.fields)
    found = await target.read_back(record_id)
    specs = getattr(target, "fields", ())
    plan = plan_update(written, found, wanted, frozen={f for f, p in fields.items() if p == "off"},
                       on_conflict=policy.on_conflict,
                       field_conflict={f: p for f, p in fields.items() if p != "off"}, roles=roles,
                       namer=code_namer(specs, codes, system=getattr(target, "name", None)))
    if plan.conflicts:
        log.warning("case.edit_conflict", route=route, case=case, places=len(plan.conflicts))
        labels = field_labels(specs)
        raise errors.EditConflict(target.title, record_id, [c.describe(labels) for c in plan.conflicts], case=case)
    todo = restrict(diff(found, wanted, roles=roles), plan.changes.paths())
    if not todo.empty:
        await target.update(record_id, wanted, todo)
        log.info("case.updated", route=route, case=case, record_id=record_id, places=len(todo.paths()))
    back = await target.read_back(record_id)
    missed = restrict(diff(back, wanted, roles=roles), plan.changes.paths())
    if not missed.empty:
        raise errors.VerificationError(_differences(missed, roles), case=case)
    return FollowResult("updated", changes, plan)


def _differences(missed: CardDiff, roles: Roles | None = None) -> list[tuple[str, str, str]]:
    out = [(k, _show(k, new, roles=roles), _show(k, old, roles=roles)) for k, (old, new) in missed.fields.items()]
    for name, rows in missed.rows.items():
        for ch in rows:
            where = shown_path(f"{name}[{ch.who}]")
            if ch.kind == "edited":
                out += [(f"{where}.{f}", _show(f, new, roles=roles), _show(f, old, roles=roles))
                        for f, (old, new) in ch.fields.items()]
            else:
                out.append((where, "应有" if ch.kind == "added" else "应删除", "系统中未变"))
    return out
