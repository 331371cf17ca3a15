"""Routes chosen by region: a source that lists regions says each record's; one that cannot is a config error."""

from __future__ import annotations

import pytest

from adapters.police import PoliceAdapter
from adapters.procuratorate import ProcuratorateAdapter
from casebot.config import RouteSettings
from casebot.errors import ConfigError
from casebot.kit.base import RecordRef, SystemConfig
from casebot.run.routing import admits

SOURCE = ProcuratorateAdapter(None, SystemConfig("procuratorate", "http://127.0.0.1:9"))
HUIAN, SHISHI = RecordRef("A1", region="350521"), RecordRef("A2", region="350581")


def route(**kw: list[str]) -> RouteSettings:
    return RouteSettings(name="r", source="procuratorate", target="county", **kw)


def test_regions_and_skip_regions_split_the_records() -> None:
    assert [admits(route(regions=["350521"]), SOURCE, r) for r in (HUIAN, SHISHI)] == [True, False]
    assert [admits(route(skip_regions=["350521"]), SOURCE, r) for r in (HUIAN, SHISHI)] == [False, True]
    assert [admits(route(), SOURCE, r) for r in (HUIAN, SHISHI)] == [True, True]


def test_a_source_that_cannot_tell_is_a_config_error() -> None:
    police = PoliceAdapter(None, SystemConfig("police", "http://127.0.0.1:9"))
    with pytest.raises(ConfigError, match="cannot tell a record's region"):
        admits(route(regions=["350521"]), police, HUIAN)
    with pytest.raises(ConfigError):
        admits(route(regions=["350521"]), SOURCE, RecordRef("A3"))  # a unit the code tables do not know
