"""The county system has no fault switch: the contract (tests/adapters/test_county.py) meets its faults through
casebot's fault-injecting proxy; here, the one fault the contract has no switch for: an answer dropped after
the save."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.county import CountyAdapter
from casebot import errors
from casebot.kit.base import Credentials, SystemConfig
from casebot.testing import Fault, FaultProxy
from tests.adapters.test_county import card

pytestmark = pytest.mark.browser


@pytest.fixture
def proxy(urls: dict[str, str]) -> Iterator[FaultProxy]:
    with FaultProxy(urls["county"]) as p:
        yield p


@pytest.fixture
def adapter(context: Any, proxy: FaultProxy) -> CountyAdapter:
    return CountyAdapter(context, SystemConfig("county", proxy.url, Credentials("casebot", "sandbox"),
                                               timeout_ms=10_000))


async def test_dropped_answer_is_unknown(adapter: CountyAdapter, proxy: FaultProxy) -> None:
    c = card()
    await adapter.page()
    proxy.inject(Fault("commit_then_drop", method="POST", path="/case/add", times=1))
    with pytest.raises(errors.OutcomeUnknown):
        await adapter.write(c)
    await adapter.reset_page()
    assert await adapter.find_existing(c)
