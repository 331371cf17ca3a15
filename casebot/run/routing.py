"""Which records a route takes: its source's filters, then its regions.

Counties do not all run the same software: the court hop of 惠安县 and 德化县
goes into another vendor's system. A route names the regions it serves
(``regions``) or leaves them to another route (``skip_regions``), by 行政区划
code; a source that ``lists_regions`` says each listed record's region
(``RecordRef.region``). A source that cannot tell is a configuration error,
not a guess.
"""

from __future__ import annotations

from casebot.config import RouteSettings
from casebot.errors import ConfigError
from casebot.kit.base import RecordRef, Source


def admits(route: RouteSettings, source: Source, ref: RecordRef) -> bool:
    if not route.regions and not route.skip_regions:
        return True
    region = ref.region
    if not source.lists_regions or region is None:
        raise ConfigError(f"routes.{route.name}: regions are set but {source.name} cannot tell a record's region")
    return (not route.regions or region in route.regions) and region not in route.skip_regions


async def collect(route: RouteSettings, source: Source) -> list[str]:
    """The keys of the records ``route`` takes from ``source``."""
    return [ref.key async for ref in source.list_records(**route.filters) if admits(route, source, ref)]

