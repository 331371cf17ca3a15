"""The adapter contract suite: one test class per role, subclassed by every adapter in a few lines.

Like meltano's SDK standard tests: an adapter's own test module subclasses
:class:`TargetContract` and/or :class:`SourceContract`, names its adapter class
and gives four fixtures; the suite then proves, against the running system
(a real browser, the real pages)::

    class TestCourtContract(TargetContract):
        adapter_cls = CourtAdapter

        @pytest.fixture
        def system_config(self, urls): return SystemConfig("court", urls["court"], CREDS)

        @pytest.fixture
        def sample_card(self, sandbox): return {...}

        @pytest.fixture
        def set_faults(self, sandbox): return lambda **plan: sandbox.set_faults("court", **plan)

The fixture ``context`` (a fresh Playwright browser context per test) comes
from pytest-playwright-asyncio.

May import: the kit, the domain and ``casebot.errors``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from casebot import errors
from casebot.domain.verify import verify
from casebot.kit.base import Source, SystemConfig, Target
from casebot.testing.faultproxy import Fault, FaultProxy
from casebot.testing.faults import Faults, ProxyFaults, SwitchFaults, ThroughFaultProxy


class _Contract:
    adapter_cls: ClassVar[type[Any]]

    @pytest.fixture
    def system_config(self) -> SystemConfig:
        raise NotImplementedError("override the system_config fixture")

    @pytest.fixture
    def set_faults(self) -> Callable[..., Any]:
        raise NotImplementedError("override the set_faults fixture: set_faults(**plan) on the system")

    @pytest.fixture
    def adapter(self, context: Any, system_config: SystemConfig) -> Any:
        return self.adapter_cls(context, system_config)


class TargetContract(_Contract):
    """What every :class:`~casebot.kit.base.Target` must do, against any system.

    - **Cards**: each test takes fresh cards from ``card_factory`` (a callable
      returning a valid card with a key no other card of the run has), so the
      suite runs against a system that keeps its records between tests. The
      default factory copies ``sample_card``: enough for a system reset before
      each test (the sandbox).
    - **Faults** come from the ``faults`` fixture
      (:class:`~casebot.testing.faults.Faults`): by default the system's own
      switch (``set_faults``); :class:`~casebot.testing.faults.ThroughFaultProxy`
      puts the adapter behind a fault proxy for a system that has none.
    - **Opt-outs** are declared, not skipped: ``opt_outs`` names what the
      system does not have (``captcha``, ``notices``, ``reject_switch`` — no way
      to make its own checks refuse every save); the tests of those are not
      collected for the class, and the class says why.
    """

    #: what this system does not have; see the class doc
    opt_outs: ClassVar[frozenset[str]] = frozenset()
    _OPT_OUT_TESTS: ClassVar[dict[str, tuple[str, ...]]] = {
        "captcha": ("test_captcha_needs_a_human",),
        "notices": ("test_notice_modal_is_passed",),
        "reject_switch": ("test_refusal_switch_is_business_error",),
    }

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        unknown = set(cls.opt_outs) - set(cls._OPT_OUT_TESTS)
        if unknown:
            raise TypeError(f"{cls.__name__}.opt_outs: unknown {sorted(unknown)}; known: {sorted(cls._OPT_OUT_TESTS)}")
        for name in cls.opt_outs:
            for test in cls._OPT_OUT_TESTS[name]:
                setattr(cls, test, None)  # not collected: declared, not skipped

    @pytest.fixture
    def sample_card(self) -> dict[str, Any]:
        raise NotImplementedError("override the sample_card fixture (or card_factory): a valid card for this target")

    @pytest.fixture
    def card_factory(self, sample_card: dict[str, Any]) -> Callable[[], dict[str, Any]]:
        return lambda: copy.deepcopy(sample_card)

    @pytest.fixture
    def card(self, card_factory: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        return card_factory()

    @pytest.fixture
    def faults(self, set_faults: Callable[..., Any]) -> Faults:
        return SwitchFaults(set_faults)

    @pytest.fixture
    def rejected_card(self) -> tuple[dict[str, Any], str] | None:
        """Optionally a card the system's own checks refuse, and a part of its message."""
        return None

    def test_declares_fields(self) -> None:
        cls = self.adapter_cls
        assert issubclass(cls, Target)
        specs = cls.field_specs()
        assert specs, "a target declares its fields"
        assert cls.key_field in specs, "the key field is one of the declared fields"
        for spec in cls.fields:
            assert spec.label.strip(), f"{spec.name} has a label"

    async def test_write_read_back_find_and_refuse_a_second(self, adapter: Target, card: dict[str, Any]) -> None:
        """A card goes in once: not found before, read back equal, found by its key after, and a second
        write of it refused with the system's reason (the record found is still the first)."""
        assert await adapter.find_existing(card) is None
        record_id = await adapter.write(card)
        assert record_id
        verify(card, await adapter.read_back(record_id))
        assert await adapter.find_existing(card) == record_id
        with pytest.raises(errors.AlreadyExists) as info:
            await adapter.write(card)
        assert info.value.reason
        assert await adapter.find_existing(card) == record_id

    async def test_validation_refusal_is_business_error(self, adapter: Target, rejected_card: Any) -> None:
        if rejected_card is None:
            pytest.fail("give rejected_card: a card the system's own checks refuse, and a part of its message")
        card, message = rejected_card
        with pytest.raises(errors.RejectedError) as info:
            await adapter.write(card)
        assert message in info.value.reason
        assert not isinstance(info.value, errors.TransientError)

    async def test_refusal_switch_is_business_error(self, adapter: Target, card: dict[str, Any],
                                                    faults: Faults) -> None:
        faults.reject()
        with pytest.raises(errors.RejectedError) as info:
            await adapter.write(card)
        assert info.value.reason
        assert not isinstance(info.value, errors.TransientError)

    async def test_server_error_is_transient(self, adapter: Target, card: dict[str, Any], faults: Faults) -> None:
        await adapter.page()
        faults.server_error()
        with pytest.raises(errors.ServerError):
            await adapter.write(card)
        faults.clear()
        await adapter.reset_page()
        assert await adapter.find_existing(card) is None, "a 500 wrote nothing"

    async def test_expired_session_is_transient_then_recovers(
            self, adapter: Target, card: dict[str, Any], faults: Faults) -> None:
        await adapter.page()
        faults.session_expiry()
        with pytest.raises(errors.SessionExpired):
            await adapter.write(card)
        faults.clear()
        await adapter.reset_page()
        record_id = await adapter.write(card)
        verify(card, await adapter.read_back(record_id))

    async def test_commit_then_error_is_outcome_unknown_then_found(
            self, adapter: Target, card: dict[str, Any], faults: Faults) -> None:
        """Exactly once: a save whose answer is lost is OutcomeUnknown, and find_existing finds what it saved."""
        await adapter.page()
        faults.commit_then_error()
        with pytest.raises(errors.OutcomeUnknown):
            await adapter.write(card)
        faults.clear()
        await adapter.reset_page()
        record_id = await adapter.find_existing(card)
        assert record_id, "the record behind the lost answer is found, so it is not written twice"
        verify(card, await adapter.read_back(record_id))

    async def test_open_form_is_clean(self, adapter: Target, card: dict[str, Any]) -> None:
        """For `casebot doctor`: every control of the forms is found, and opening them saves nothing."""
        assert await adapter.open_form() == []
        assert await adapter.find_existing(card) is None

    async def test_notice_modal_is_passed(self, adapter: Target, card: dict[str, Any], faults: Faults) -> None:
        faults.notices()
        record_id = await adapter.write(card)
        verify(card, await adapter.read_back(record_id))

    async def test_captcha_needs_a_human(self, adapter: Target, faults: Faults) -> None:
        faults.captcha()
        with pytest.raises(errors.HumanRequired) as info:
            await adapter.page()
        assert "casebot login" in str(info.value)


class SourceContract(_Contract):
    """What every :class:`~casebot.kit.base.Source` must do."""

    #: filters given to list_records in the test
    list_filters: ClassVar[dict[str, Any]] = {}

    @pytest.fixture
    def seeded_keys(self) -> list[str]:
        raise NotImplementedError("override: put records in the system, return the keys list_records must yield")

    async def test_list_follows_pages_and_reads(self, adapter: Source, seeded_keys: list[str]) -> None:
        assert isinstance(adapter, Source)
        keys = [ref.key async for ref in adapter.list_records(**self.list_filters)]
        assert sorted(keys) == sorted(seeded_keys)
        assert len(set(keys)) == len(keys), "no record listed twice across pages"
        record = await adapter.read(seeded_keys[0])
        assert record[adapter.key_field] == seeded_keys[0]

    async def test_server_error_is_transient(self, adapter: Source, seeded_keys: list[str],
                                             set_faults: Callable[..., Any]) -> None:
        await adapter.page()
        set_faults(error_rate=1.0)
        with pytest.raises(errors.ServerError):
            await adapter.read(seeded_keys[0])

    async def test_expired_session_is_transient(self, adapter: Source, seeded_keys: list[str],
                                                set_faults: Callable[..., Any]) -> None:
        await adapter.page()
        set_faults(session_max_requests=1)
        with pytest.raises(errors.SessionExpired):
            await adapter.read(seeded_keys[0])
        set_faults()
        await adapter.reset_page()
        assert (await adapter.read(seeded_keys[0]))[adapter.key_field] == seeded_keys[0]

    async def test_notice_modal_is_passed(self, adapter: Source, seeded_keys: list[str],
                                          set_faults: Callable[..., Any]) -> None:
        set_faults(notice_rate=1.0)
        record = await adapter.read(seeded_keys[0])
        assert record[adapter.key_field] == seeded_keys[0]


__all__ = ["Fault", "FaultProxy", "Faults", "ProxyFaults", "SourceContract", "SwitchFaults", "TargetContract",
           "ThroughFaultProxy"]
