"""From a police record to the card each target receives.

:class:`Pipeline` loads and checks every mapping once (a broken mapping is a
:class:`~casebot.errors.MappingError` at construction, before any case runs),
then turns records into cards quickly. A case whose data breaks a clerk's rule
raises :class:`~casebot.errors.DataError` naming the case, the suspect and the
field; other cases are unaffected.

    pipeline = Pipeline()
    card = pipeline.case_card(police_record)           # CaseCard
    pipeline.procuratorate_card(card)                   # dict for the procuratorate adapter
    pipeline.court_card(card, procuratorate_record)     # dict for the court adapter

The one record -> card path of a configured route, used by the run, ``replay
--fresh``, ``reconcile``, ``preview`` (and the console, through replay)::

    police, records = await pipeline.read_case(route, key, adapter)   # from the route's systems
    card = pipeline.route_card(settings, route, police, records)      # the card its target receives

Mappings name adapters and kinds of record (``procuratorate_record``), never the
config's system names: a system renamed in ``casebot.toml`` maps the same.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from casebot.codes import CodeTables
from casebot.errors import DataError, MappingError
from casebot.mapping.engine import CompiledMapping
from casebot.mapping.loader import MappingSet, load_mappings
from casebot.mapping.shapes import SOURCE_KINDS
from casebot.model import CaseCard, PoliceCase, ProcuratorateRecord, case_number

__all__ = ["CASE_CARD", "Pipeline"]

#: the target name of the police -> card mapping
CASE_CARD = "case_card"


def _source_name(mapping: CompiledMapping, model: type[BaseModel]) -> str | None:
    return next((name for name, m in mapping.sources.items() if m is model), None)


class Pipeline:
    """Every mapping of a directory, loaded and validated once."""

    def __init__(self, mappings_dir: Path | None = None, codes_dir: Path | None = None) -> None:
        if mappings_dir is None:
            from mappings import MAPPINGS_DIR

            mappings_dir = MAPPINGS_DIR
        self.mappings_dir = Path(mappings_dir)
        self.mappings: MappingSet = load_mappings(self.mappings_dir, codes_dir)
        self._card_mapping = self.mappings.for_target(CASE_CARD)
        if self._card_mapping.model is not CaseCard or _source_name(self._card_mapping, PoliceCase) is None:
            raise MappingError("the case_card mapping must read a police_case source",
                               file=str(self._card_mapping.file))

    @classmethod
    def of(cls, settings: Any) -> Pipeline:
        """The mappings a configured workstation uses (``[mappings] dir``, else the shipped ones)."""
        return cls(settings.mappings_dir())

    def gate(self, settings: Any, *, load_adapter: Any = None) -> None:
        """Refuse (MappingError, exit 4) mappings that ``casebot mappings check`` finds an error in:
        a target field the adapter does not have, a required one not mapped, a route whose mapping
        reads what the route does not give. Called before a run or a replay opens a page."""
        from casebot.mapping.checks import _default_loader, check_mappings, check_routes, refuse

        load = load_adapter or _default_loader
        refuse([*check_mappings(self.mappings, load_adapter=load),
                *check_routes(self.mappings, settings, load_adapter=load)])

    @property
    def codes(self) -> CodeTables:
        return self.mappings.codes

    @property
    def targets(self) -> list[str]:
        """Adapter targets that have a mapping (``procuratorate``, ``court``)."""
        return [t for t in self.mappings.targets() if t != CASE_CARD]

    def reads_case_card(self, target: str) -> bool:
        """Whether the mapping into ``target`` reads the case card (a hop back from the court needs none)."""
        return _source_name(self.mappings.for_target(target), CaseCard) is not None

    def mapping(self, target: str) -> CompiledMapping:
        return self.mappings.for_target(target)

    # -- hops -------------------------------------------------------------
    def case_card(self, police_record: Mapping[str, Any] | PoliceCase) -> CaseCard:
        """The case card of a police record; DataError if a rule stops the case."""
        name = _source_name(self._card_mapping, PoliceCase)
        card = self._card_mapping.build(**{name: police_record})  # type: ignore[arg-type]
        assert isinstance(card, CaseCard)
        return card

    def target_card(self, target: str, card: CaseCard, **sources: Any) -> dict[str, Any]:
        """The card ``target`` receives; other sources by the names the mapping gives them.

        ``target_card("court", card, procuratorate=record)``.
        """
        mapping = self.mappings.for_target(target)
        if mapping.model is not None:
            raise MappingError(f"{target!r} is not an adapter target", file=str(mapping.file))
        card_name = _source_name(mapping, CaseCard)
        if card_name is not None:
            sources = {**sources, card_name: card}
        record_name = _source_name(mapping, ProcuratorateRecord)
        if record_name is not None and sources.get(record_name) is not None:
            record = sources[record_name]
            if not isinstance(record, ProcuratorateRecord):
                record = ProcuratorateRecord.parse(record)
            _check_same_case(card, record)
            sources[record_name] = record
        return mapping.render(**sources)

    def card_for(self, adapter: str, card: CaseCard, records: Mapping[str, Any]) -> dict[str, Any]:
        """The card the adapter ``adapter`` receives, its other sources given by kind of record
        (``{"procuratorate_record": record}``): mappings name kinds, not the config's system keys."""
        mapping = self.mappings.for_target(adapter)
        sources = {name: records[kind] for name, model in mapping.sources.items()
                   for kind, m in SOURCE_KINDS.items() if m is model and kind in records}
        return self.target_card(adapter, card, **sources)

    # -- the one record -> card path of a route ----------------------------------------
    async def read_case(self, route: Any, key: str, adapter: Callable[[str], Any],
                        attempt: Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]] | None = None,
                        ) -> tuple[Any, dict[str, Any]]:
        """Case ``key`` as the route's systems hold it: the police record, and the other records by kind.

        ``adapter(system)`` gives a system's adapter; ``attempt(fn)`` runs one read (the run retries).
        """
        async def once(fn: Callable[[], Awaitable[Any]]) -> Any:
            return await fn()

        call = attempt or once

        def of(system: str, kind: str | None) -> Any:
            return adapter(system, kind) if kind else adapter(system)

        source = of(route.source, route.source_kind)
        record = await call(lambda: source.read(key))
        if route.case_source:
            # a kind's record key starts with its case number (``{ajbh}#{wsh}#{n}``)
            case_source = of(route.case_source, None)
            police = await call(lambda: case_source.read(case_number(key)))
            return police, {source.record_kind or route.source: record}  # by kind: mappings know no config keys
        if route.source_kind:
            return record, {source.record_kind or route.source_kind: record}
        return record, {}

    def route_card(self, settings: Any, route: Any, police: Any, records: Mapping[str, Any]) -> dict[str, Any]:
        """The card ``route``'s target receives for a police record and the route's other records (by kind);
        the case card is made only when the mapping reads it (a judgment flowing back from the court needs none)."""
        target = route.mapping_target(settings.adapter_name(route.target))
        card = self.case_card(police) if self.reads_case_card(target) else None
        return self.card_for(target, card, records)

    def procuratorate_card(self, card: CaseCard) -> dict[str, Any]:
        """The procuratorate's 案卡 (with one 人卡 per suspect)."""
        return self.target_card("procuratorate", card)

    def court_card(self, card: CaseCard, procuratorate_record: Mapping[str, Any] | ProcuratorateRecord,
                   ) -> dict[str, Any]:
        """The court's 收案登记 card: the case's defendants plus the procuratorate's 起诉 facts."""
        mapping = self.mappings.for_target("court")
        name = _source_name(mapping, ProcuratorateRecord) or "procuratorate"
        return self.target_card("court", card, **{name: procuratorate_record})


def _check_same_case(card: CaseCard, record: ProcuratorateRecord) -> None:
    if record.ysajbh and record.ysajbh.strip() != card.ajbh:
        raise DataError("检察院记录的移送案件编号与本案不一致", case=card.ajbh, field="移送案件编号")
