"""回头看: every record casebot linked, checked against the police and the target as they stand now.

For each case the ledger links to a target record, three cards are compared:
the one casebot last wrote (the ledger's), the record as the target shows it
now, and the rules' output for the case as the police have it now. Each linked
record falls in one class:

- ``in-step``: the target holds what casebot wrote and the police changed nothing it maps;
- ``stale``: the police changed the case and the change is not in the target yet;
- ``edited``: a person changed the target record since casebot wrote it (whether or
  not the police changed too);
- ``missing``: the target has no such record any more.

And, for a target whose records can be listed (the procuratorate): ``no-source``,
a record whose case number (normalised) no linked case has: typed by hand for a
case casebot does not carry, or left behind.

Places are named the way :mod:`casebot.domain.changes` names them, personal parts masked.
Reading only: nothing is written anywhere, the ledger included.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from casebot import errors, logs
from casebot.domain.changes import code_namer, diff, field_labels, place_text, shown_path
from casebot.domain.keys import normalise_key
from casebot.domain.meanings import SYSTEM, meaning
from casebot.domain.states import LINKED
from casebot.kit.base import Source, Target
from casebot.run.retry import retrying

log = logs.get("reconcile")
T = TypeVar("T")

#: the classes, in the order a report lists them, with a clerk's words for each
KINDS = {"missing": "目标系统中已不存在", "edited": "目标记录被人修改", "stale": "公安已变更、尚未同步",
         "no-source": "目标记录无对应来源", "in-step": "一致"}
#: ledger states of a case linked to a target record


@dataclass
class Finding:
    route: str
    case_key: str
    record_id: str | None
    kind: str
    #: the places behind the class (stale: what the police changed; edited: what a person changed)
    places: list[str] = field(default_factory=list)
    note: str = ""
    #: each place as a clerk reads it: its label and both values (masked where personal)
    details: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "label": KINDS[self.kind]}


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    #: what could not be checked (a system down, a page changed), in a clerk's words
    problems: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        c = Counter(f.kind for f in self.findings)
        return {k: c.get(k, 0) for k in KINDS}

    @property
    def exit_code(self) -> int:
        """0 all in step; 1 something for a clerk; 2 some records could not be checked (nothing else found)."""
        if any(f.kind != "in-step" for f in self.findings):
            return 1
        return 2 if self.problems else 0

    def as_json(self) -> dict[str, Any]:
        return {"counts": self.counts(), "findings": [f.as_json() for f in self.findings],
                "problems": self.problems, "exit_code": self.exit_code}


def _places(paths: set[str]) -> list[str]:
    return sorted(shown_path(p) for p in paths)


async def reconcile(settings: Any, ledger: Any, adapter: Callable[[str], Any], pipeline: Any, *,
                    routes: list[str] | None = None, since: str | None = None,
                    fresh_pages: Callable[[], Awaitable[None]] | None = None) -> Report:
    """Check every linked record of the chosen routes (all enabled ones by default).

    ``adapter(system)`` gives the (logged-in on first use) adapter of a system;
    ``since``: only cases the ledger touched at or after this ISO date/time. Every page read goes
    through the core's retry (:func:`casebot.run.retry.retrying`, the run's settings), with
    ``fresh_pages()`` before each new attempt, as the run does: a server error or an expired session
    leaves a record unchecked only when every attempt met one.
    """
    report = Report()

    async def nothing() -> None:
        return None

    def retried(fn: Callable[[], Awaitable[T]]) -> Awaitable[T]:
        return retrying(settings.run, fn, fresh_pages or nothing)

    chosen = [r for r in settings.routes if r.enabled and (not routes or r.name in routes)]
    linked_keys: dict[str, set[str]] = {}
    for route in chosen:
        target: Target = _kind(adapter, route.target, route.target_kind)
        # records of the systems' own kind are listed below for those no case links; a kind's are not
        keys = linked_keys.setdefault(route.target, set()) if not route.target_kind else set()
        for item in ledger.items(route=route.name, states=LINKED):
            if not item.record_id:
                continue
            keys.add(normalise_key(item.case_key))
            if item.card:
                keys.add(normalise_key(str(item.card.get(target.key_field, ""))))
            if since and (item.updated_at or "") < since:
                continue
            try:
                written = _written(ledger, item)
                report.findings.append(await retried(
                    lambda: _check(route, item, written, target, adapter, pipeline, settings)))  # noqa: B023
            except (errors.HumanRequired, errors.TransientError, errors.PageChanged) as exc:
                if meaning(exc).stops == SYSTEM:  # a person must log in: the system's other records wait too
                    report.problems.append(str(exc))
                    break
                report.problems.append(f"案件 {item.case_key}：{exc}")
    for system, keys in linked_keys.items():
        target = adapter(system)
        if not isinstance(target, Source):
            continue
        async def listed(source: Source = target) -> list[Any]:
            return [ref async for ref in source.list_records()]

        try:
            for ref in await retried(listed):
                if normalise_key(ref.key) not in keys:
                    report.findings.append(Finding("", ref.key, None, "no-source",
                                                   note=f"{target.title}中的记录，casebot 未登记其来源"))
        except (errors.TransientError, errors.PageChanged, errors.HumanRequired) as exc:
            report.problems.append(f"{system}: {exc}")
    order = list(KINDS)
    report.findings.sort(key=lambda f: (order.index(f.kind), f.route, f.case_key))
    log.info("reconcile.finished", **{k.replace("-", "_"): v for k, v in report.counts().items()},
             problems=len(report.problems))
    return report


def _written(ledger: Any, item: Any) -> dict[str, Any] | None:
    """The card now in the target as casebot left it: the latest of the case's card history, else the
    card of its last write."""
    last = ledger.last_version(item.id) if hasattr(ledger, "last_version") else None
    return last["card"] if last else item.card


async def _check(route: Any, item: Any, written: dict[str, Any] | None, target: Target,
                 adapter: Callable[[str], Any], pipeline: Any, settings: Any) -> Finding:
    try:
        found = await target.read_back(item.record_id)
    except errors.BusinessError:
        return Finding(route.name, item.case_key, item.record_id, "missing")
    written = written or found
    roles = target.field_roles() if hasattr(target, "field_roles") else None
    edited = diff(written, {k: found.get(k) for k in written}, roles=roles).paths()
    note = ""
    try:
        wanted = await _wanted(route, item.case_key, adapter, pipeline, settings)
        stale = diff(written, wanted, roles=roles).paths()
    except errors.BusinessError as exc:
        stale, note = set(), f"无法按当前公安数据生成案卡：{exc}"
    labels = field_labels(getattr(target, "fields", ()))
    namer = code_namer(getattr(target, "fields", ()), getattr(pipeline, "codes", None),
                       system=getattr(target, "name", None))
    if edited:
        details = [place_text(p, written, found, labels, before="本系统写入", after="系统中为",
                              roles=roles, namer=namer) for p in sorted(edited)]
        if stale:
            details += [place_text(p, written, wanted, labels, before="本系统写入", after="公安现为",
                                   roles=roles, namer=namer)
                        for p in sorted(stale)]
        elif note:
            details.append(note)
        return Finding(route.name, item.case_key, item.record_id, "edited", _places(edited),
                       note=("公安亦有变更：" + "、".join(_places(stale))) if stale else note, details=details)
    if stale:
        details = [place_text(p, written, wanted, labels, before="本系统写入", after="公安现为", roles=roles,
                              namer=namer)
                   for p in sorted(stale)]
        details += [note] if note else []
        return Finding(route.name, item.case_key, item.record_id, "stale", _places(stale), note=note,
                       details=details)
    return Finding(route.name, item.case_key, item.record_id, "in-step", note=note)


def _kind(adapter: Callable[..., Any], system: str, kind: str | None) -> Any:
    """The adapter of ``system`` for records of ``kind`` (the system's own when None)."""
    return adapter(system, kind) if kind else adapter(system)


async def _wanted(route: Any, key: str, adapter: Callable[[str], Any], pipeline: Any, settings: Any) -> dict[str, Any]:
    """The card the run would write now: the run's own record -> card path (casebot.mapping.pipeline)."""
    police, records = await pipeline.read_case(route, key, adapter)
    return pipeline.route_card(settings, route, police, records)
