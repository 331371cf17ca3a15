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
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from casebot import errors
from casebot.adapter import Source, SystemConfig, Target
from casebot.verify import verify


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
    """What every :class:`~casebot.adapter.Target` must do."""

    @pytest.fixture
    def sample_card(self) -> dict[str, Any]:
        raise NotImplementedError("override the sample_card fixture: a valid card for this target")

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

    async def test_write_then_read_back_equal(self, adapter: Target, sample_card: dict[str, Any]) -> None:
        record_id = await adapter.write(sample_card)
        assert record_id
        back = await adapter.read_back(record_id)
        verify(sample_card, back)

    async def test_find_existing(self, adapter: Target, sample_card: dict[str, Any]) -> None:
        assert await adapter.find_existing(sample_card) is None
        record_id = await adapter.write(sample_card)
        assert await adapter.find_existing(sample_card) == record_id

    async def test_second_write_refused(self, adapter: Target, sample_card: dict[str, Any]) -> None:
        first = await adapter.write(sample_card)
        with pytest.raises(errors.AlreadyExists) as info:
            await adapter.write(sample_card)
        assert info.value.reason
        assert await adapter.find_existing(sample_card) == first

    async def test_validation_refusal_is_business_error(
            self, adapter: Target, sample_card: dict[str, Any], rejected_card: Any,
            set_faults: Callable[..., Any]) -> None:
        if rejected_card is not None:
            card, message = rejected_card
            with pytest.raises(errors.RejectedError) as info:
                await adapter.write(card)
            assert message in info.value.reason
        set_faults(reject_rate=1.0)
        with pytest.raises(errors.RejectedError) as info2:
            await adapter.write(sample_card)
        assert info2.value.reason
        assert not isinstance(info2.value, errors.TransientError)

    async def test_server_error_is_transient(self, adapter: Target, sample_card: dict[str, Any],
                                             set_faults: Callable[..., Any]) -> None:
        await adapter.page()
        set_faults(error_rate=1.0)
        with pytest.raises(errors.ServerError):
            await adapter.write(sample_card)
        set_faults()
        await adapter.reset_page()
        assert await adapter.find_existing(sample_card) is None, "a 500 wrote nothing"

    async def test_expired_session_is_transient_then_recovers(
            self, adapter: Target, sample_card: dict[str, Any], set_faults: Callable[..., Any]) -> None:
        await adapter.page()
        set_faults(session_max_requests=1)
        with pytest.raises(errors.SessionExpired):
            await adapter.write(sample_card)
        set_faults()
        await adapter.reset_page()
        record_id = await adapter.write(sample_card)
        verify(sample_card, await adapter.read_back(record_id))

    async def test_commit_then_error_is_outcome_unknown_then_found(
            self, adapter: Target, sample_card: dict[str, Any], set_faults: Callable[..., Any]) -> None:
        """Exactly once: a save whose answer is lost is OutcomeUnknown, and find_existing finds what it saved."""
        await adapter.page()
        set_faults(commit_then_error_rate=1.0)
        with pytest.raises(errors.OutcomeUnknown):
            await adapter.write(sample_card)
        set_faults()
        await adapter.reset_page()
        record_id = await adapter.find_existing(sample_card)
        assert record_id, "the record behind the lost answer is found, so it is not written twice"
        verify(sample_card, await adapter.read_back(record_id))

    async def test_open_form_is_clean(self, adapter: Target, sample_card: dict[str, Any]) -> None:
        """For `casebot doctor`: every control of the forms is found, and opening them saves nothing."""
        assert await adapter.open_form() == []
        assert await adapter.find_existing(sample_card) is None

    async def test_notice_modal_is_passed(self, adapter: Target, sample_card: dict[str, Any],
                                          set_faults: Callable[..., Any]) -> None:
        set_faults(notice_rate=1.0)
        record_id = await adapter.write(sample_card)
        verify(sample_card, await adapter.read_back(record_id))

    async def test_captcha_needs_a_human(self, adapter: Target, set_faults: Callable[..., Any]) -> None:
        set_faults(captcha=True)
        with pytest.raises(errors.HumanRequired) as info:
            await adapter.page()
        assert "casebot login" in str(info.value)


class SourceContract(_Contract):
    """What every :class:`~casebot.adapter.Source` must do."""

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
