"""Retries of transient errors: exponential backoff with jitter, a fresh page before each new attempt.

The only place casebot retries; adapters never do. What is retried is the error table's word
(:mod:`casebot.domain.meanings`): transient errors are; business errors, a changed page and errors
casebot does not know are not.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from casebot import logs
from casebot.config import RunSettings
from casebot.domain.meanings import retried
from casebot.domain.privacy import scrub_text

log = logs.get("runner")

T = TypeVar("T")


async def retrying(settings: RunSettings, fn: Callable[[], Awaitable[T]],
                   before_retry: Callable[[], Awaitable[None]]) -> T:
    """``fn()``, tried up to ``max_attempts`` times on transient errors; ``before_retry()`` before each retry."""
    async for attempt in AsyncRetrying(
            stop=stop_after_attempt(settings.max_attempts),
            wait=wait_exponential_jitter(multiplier=settings.backoff_initial_s, max=settings.backoff_max_s,
                                        jitter=settings.backoff_initial_s),
            retry=retry_if_exception(retried), reraise=True,
            before_sleep=_log_retry):
        with attempt:
            if attempt.retry_state.attempt_number > 1:
                await before_retry()
            return await fn()
    raise AssertionError("unreachable")


def _log_retry(state: Any) -> None:
    exc = state.outcome.exception() if state.outcome else None
    log.info("case.retrying", attempt=state.attempt_number, error_type=type(exc).__name__,
             error=scrub_text(str(exc))[:200], wait_s=round(state.next_action.sleep, 2) if state.next_action else None)
