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
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from casebot.codes import CodeTables
from casebot.errors import DataError, MappingError
from casebot.keys import same_key
from casebot.mapping.engine import CompiledMapping
from casebot.mapping.loader import MappingSet, load_mappings
from casebot.mapping.shapes import SOURCE_KINDS
from casebot.model import CaseCard, PoliceCase, ProcuratorateRecord

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

    @property
    def codes(self) -> CodeTables:
        return self.mappings.codes

    @property
    def targets(self) -> list[str]:
        """Adapter targets that have a mapping (``procuratorate``, ``court``)."""
        return [t for t in self.mappings.targets() if t != CASE_CARD]

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
    if record.ysajbh and not same_key(record.ysajbh, card.ajbh):  # a key typed by hand, spelled its own way
        raise DataError("检察院记录的移送案件编号与本案不一致", case=card.ajbh, field="移送案件编号")
