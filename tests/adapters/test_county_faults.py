"""The county system has no fault switch: faults come from casebot's fault-injecting proxy in front of it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.county import CountyAdapter
from casebot import errors
from casebot.adapter import Credentials, SystemConfig
from casebot.testing import Fault, FaultProxy
from casebot.verify import verify
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


async def test_commit_then_error_is_unknown_and_found_after(adapter: CountyAdapter, proxy: FaultProxy) -> None:
    c = card()
    await adapter.page()
    proxy.inject(Fault("commit_then_error", method="POST", path="/case/add", times=1))
    with pytest.raises(errors.OutcomeUnknown):
        await adapter.write(c)
    assert proxy.counts["commit_then_error"] == 1
    await adapter.reset_page()
    ah = await adapter.find_existing(c)
    assert ah, "the save was committed before the error: found, not written twice"
    verify(c, await adapter.read_back(ah))


async def test_dropped_answer_is_unknown(adapter: CountyAdapter, proxy: FaultProxy) -> None:
    c = card()
    await adapter.page()
    proxy.inject(Fault("commit_then_drop", method="POST", path="/case/add", times=1))
    with pytest.raises(errors.OutcomeUnknown):
        await adapter.write(c)
    await adapter.reset_page()
    assert await adapter.find_existing(c)


async def test_server_error_and_dropped_session_are_transient_then_recover(
        adapter: CountyAdapter, proxy: FaultProxy) -> None:
    c = card()
    await adapter.page()
    proxy.inject(Fault("server_error", path="/case/add", times=1))
    with pytest.raises(errors.ServerError):
        await adapter.write(c)
    await adapter.reset_page()
    await adapter.page()
    proxy.inject(Fault("drop_session", method="POST", path="/case/add", times=1),
                 Fault("latency", seconds=0.05, times=3))
    with pytest.raises(errors.SessionExpired):
        await adapter.write(c)
    await adapter.reset_page()
    assert await adapter.find_existing(c) is None, "neither fault wrote anything"
    verify(c, await adapter.read_back(await adapter.write(c)))
    assert proxy.counts == {"server_error": 1, "drop_session": 1, "commit_then_error": 0,
                            "commit_then_drop": 0, "latency": 3}
