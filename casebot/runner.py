"""One unattended pass over every route: list, map, write, read back, record.

For each route the source is listed once; the eligible cases go to a queue
served by ``browser.concurrency`` workers, each with its own browser context
(and so its own sessions). Per case::

    read source ─► map (DataError: failed) ─► ledger says done? skip
        ─► uncertain (writing/unknown/written)? find_existing first
        ─► begin_write (intent recorded) ─► write ─► written ─► read back ─► done

Transient errors are retried here, with exponential backoff and a fresh page,
never in adapters; a transient error after ``begin_write`` leaves the case
``unknown``, so the next attempt asks the target before writing again.
Business errors stop that case only. A system that needs a human (captcha)
stops its routes for this run.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from casebot import errors, failpoints, logs
from casebot.adapter import Adapter, Source, Target
from casebot.adoption import adopted_differs, align_key, look_before_first_write
from casebot.artifacts import Artifacts, personal_values
from casebot.config import RouteSettings, Settings
from casebot.ledger import UNCERTAIN, Item, Ledger, SQLiteLedger
from casebot.lock import RunLock
from casebot.privacy import scrub_text
from casebot.registry import load_adapter
from casebot.verify import verify

log = logs.get("runner")

# exit statuses, for schedulers (documented in the README)
EXIT_OK = 0
EXIT_CASES_FAILED = 1      # some cases need a clerk (bad data, refused, verification)
EXIT_RETRY_LATER = 2       # transient errors outlasted this run's attempts; next run retries
EXIT_HUMAN_REQUIRED = 3    # a system needs an interactive login (captcha)
EXIT_CONFIG = 4            # configuration or mapping invalid; nothing ran
EXIT_LOCKED = 5            # another run holds the lock
EXIT_LEDGER = 6            # ledger missing or corrupt
EXIT_PAGE_CHANGED = 7      # a system's pages changed: run `casebot doctor`


def digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


@dataclass
class CaseResult:
    route: str
    case_key: str
    outcome: str  # done, failed, retry, unknown, skipped, dry-run, already-done
    record_id: str | None = None
    error_type: str | None = None
    error: str | None = None
    attempts: int = 0
    seconds: float = 0.0
    artifacts: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class RunSummary:
    run_id: str
    started: float
    finished: float = 0.0
    results: list[CaseResult] = field(default_factory=list)
    system_errors: list[str] = field(default_factory=list)
    exit_code: int = EXIT_OK
    counters: dict[str, int] = field(default_factory=dict)
    #: the HTML report written for this run, once written
    report_path: str | None = None

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    def as_json(self) -> dict[str, Any]:
        by_route: dict[str, dict[str, int]] = {}
        for r in self.results:
            by_route.setdefault(r.route, {}).setdefault(r.outcome, 0)
            by_route[r.route][r.outcome] += 1
        return {"run_id": self.run_id, "seconds": round(self.finished - self.started, 3),
                "exit_code": self.exit_code, "by_route": by_route, "system_errors": self.system_errors,
                "counters": self.counters}


@dataclass
class WorkItem:
    route: RouteSettings
    key: str
    frozen_card: dict[str, Any] | None = None
    replay: bool = False
    #: the ledger's audit row of the latest write attempt (closed with the case's outcome)
    attempt_id: int | None = None
    #: the record was already in the target (typed by hand) and adopted, not written
    adopted: bool = False


#: ledger states of a case that an earlier run left unfinished
UNFINISHED = (*UNCERTAIN, "written", "retry")

#: a worker closes and reopens its pages after this many cases: Playwright keeps every
#: request and response of a page until the page closes (memory grew ~90 KB a card; with
#: 100, the robot's RSS reached its plateau only after ~230 cards of a 500-card run)
RECYCLE_PAGES_EVERY = 50


class Worker:
    """One browser context and the adapters living in it."""

    def __init__(self, runner: Runner, context: Any, index: int) -> None:
        self.runner = runner
        self.context = context
        self.index = index
        self._adapters: dict[str, Adapter] = {}
        self.cases = 0
        #: a trace is being recorded for the current case
        self.tracing = False

    def adapter(self, system: str) -> Any:
        if system not in self._adapters:
            settings = self.runner.settings
            cls = load_adapter(settings.adapter_name(system))
            self._adapters[system] = cls(self.context, settings.system_config(system))
        return self._adapters[system]

    def page_of(self, system: str) -> Any:
        """The page of ``system``'s adapter, if it has one open."""
        adapter = self._adapters.get(system)
        return adapter.current_page if adapter is not None else None

    async def reset_pages(self) -> None:
        for a in self._adapters.values():
            await a.reset_page()

    async def start_trace(self, title: str) -> None:
        """Record a trace (DOM snapshots, network) from now until :meth:`stop_trace`.

        Tracing is started and stopped per case, not kept running in chunks:
        between chunks Playwright would still log the network of every page.
        """
        if self.tracing:
            return
        await self.context.tracing.start(title=title, screenshots=False, snapshots=True)
        self.tracing = True

    async def stop_trace(self, path: str | None = None) -> None:
        """End the trace, if one is recording; keep it at ``path``, or drop it."""
        if not self.tracing:
            return
        self.tracing = False
        if path is None:
            await self.context.tracing.stop()
        else:
            await self.context.tracing.stop(path=path)

    async def finished_case(self) -> None:
        self.cases += 1
        if self.cases % RECYCLE_PAGES_EVERY == 0:
            await self.reset_pages()


class Runner:
    def __init__(self, settings: Settings, *, pipeline: Any = None, ledger: Ledger | None = None,
                 dry_run: bool = False, limit: int | None = None, routes: list[str] | None = None,
                 headed: bool = False, verify_writes: bool | None = None,
                 on_progress: Callable[[str, int, int], None] | None = None) -> None:
        self.settings = settings
        if pipeline is None:
            from casebot.pipeline import Pipeline

            pipeline = Pipeline()
        self.pipeline = pipeline
        self._own_ledger = ledger is None
        self.ledger: Any = ledger or SQLiteLedger(settings.path(settings.ledger.path))
        self.dry_run = dry_run
        self.limit = limit
        self.route_names = routes
        self.headed = headed
        self.verify_writes = settings.run.verify if verify_writes is None else verify_writes
        self.on_progress = on_progress
        self.summary: RunSummary | None = None
        self._blocked_systems: dict[str, str] = {}
        #: personal values met per case, to scrub from its failure trace
        self._personal: dict[str, set[str]] = {}
        self._page_changed = False

    # -- public --------------------------------------------------------------
    def routes(self) -> list[RouteSettings]:
        routes = [r for r in self.settings.routes if r.enabled]
        if self.route_names:
            unknown = set(self.route_names) - {r.name for r in routes}
            if unknown:
                raise errors.ConfigError(f"--route: no route named {', '.join(sorted(unknown))}")
            routes = [r for r in routes if r.name in self.route_names]
        return routes

    async def run(self, *, replay: list[Item] | None = None, fresh: bool = False) -> RunSummary:
        """A whole pass (or, with ``replay``, those ledger items only). Holds the workstation lock."""
        lock_path = self.settings.run.lock_file or Path(str(self.settings.path(self.settings.ledger.path)) + ".lock")
        with RunLock(self.settings.path(lock_path)):
            try:
                return await self._run(replay=replay, fresh=fresh)
            finally:
                if self._own_ledger:
                    self.ledger.close()

    async def _run(self, *, replay: list[Item] | None, fresh: bool) -> RunSummary:
        from playwright.async_api import async_playwright

        run_id = self.ledger.start_run()
        summary = RunSummary(run_id=run_id, started=time.time())
        self.summary = summary
        art = self.settings.artifacts
        self.artifacts = Artifacts(self.settings.path(art.dir), run_id)
        self.artifacts.purge(art.keep_days)
        log.info("run.started", run_id=run_id, dry_run=self.dry_run, replay=bool(replay))
        routes = self.routes()
        launch = self.settings.browser.options(headed=self.headed).launch_kwargs()
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**launch)
            try:
                n = self.settings.browser.concurrency
                workers = [Worker(self, await self._new_context(browser), i) for i in range(n)]
                if replay is not None:
                    await self._serve(workers, self._replay_items(replay, fresh, routes))
                else:
                    for route in routes:
                        items = await self._list(workers[0], route)
                        await self._serve(workers, items)
                for w in workers:
                    await w.context.close()
            finally:
                await browser.close()
        summary.finished = time.time()
        summary.exit_code = self._exit_code(summary)
        self.ledger.finish_run(run_id, str(summary.exit_code), summary.as_json())
        log.info("run.finished", run_id=run_id, exit_code=summary.exit_code,
                 done=summary.count("done"), failed=summary.count("failed"),
                 seconds=round(summary.finished - summary.started, 2))
        return summary

    # -- setup -----------------------------------------------------------------
    async def _new_context(self, browser: Any) -> Any:
        state = self._storage_state()
        return await browser.new_context(storage_state=state, locale="zh-CN", accept_downloads=False)

    def _storage_state(self) -> dict[str, Any] | None:
        cookies: list[Any] = []
        origins: list[Any] = []
        for system in self.settings.systems:
            path = self.settings.session_file(system)
            if path.exists():
                data = json.loads(path.read_text(encoding="utf-8"))
                cookies.extend(data.get("cookies", []))
                origins.extend(data.get("origins", []))
        return {"cookies": cookies, "origins": origins} if cookies or origins else None

    def _replay_items(self, items: list[Item], fresh: bool, routes: list[RouteSettings]) -> list[WorkItem]:
        by_name = {r.name: r for r in self.settings.routes}
        out = []
        for item in items:
            route = by_name.get(item.route)
            if route is None:
                continue
            out.append(WorkItem(route, item.case_key, frozen_card=None if fresh else item.card, replay=True))
        return out[: self.limit] if self.limit else out

    async def _list(self, worker: Worker, route: RouteSettings) -> list[WorkItem]:
        if route.source in self._blocked_systems or route.target in self._blocked_systems:
            return []
        source: Source = worker.adapter(route.source)
        keys: list[str] = []
        try:
            keys = await self._retrying(worker, lambda: self._collect(source, route.filters))
        except errors.HumanRequired as exc:
            self._block(route.source, exc)
            return []
        except errors.PageChanged as exc:
            self._page_changed = True
            self.summary.system_errors.append(str(exc))  # type: ignore[union-attr]
            return []
        except errors.TransientError as exc:
            self.summary.system_errors.append(f"{route.source}: {exc}")  # type: ignore[union-attr]
            return []
        todo = []
        for key in keys:
            item = self.ledger.get(route.name, key)
            if item is not None and item.state == "done":
                continue
            todo.append(WorkItem(route, key))
        log.info("route.listed", route=route.name, listed=len(keys), todo=len(todo))
        return todo[: self.limit] if self.limit else todo

    @staticmethod
    async def _collect(source: Source, filters: dict[str, Any]) -> list[str]:
        return [ref.key async for ref in source.list_records(**filters)]

    def _traced(self, it: WorkItem, item: Item) -> bool:
        """Whether a case is traced from its start: always (``on-failure``), or (``on-retry``) when
        it is replayed or an earlier run left it unfinished (transient errors, a crash, a changed page)."""
        mode = self.settings.artifacts.trace
        return mode == "on-failure" or (mode == "on-retry" and (it.replay or item.state in UNFINISHED))

    async def _retrying(self, worker: Worker, fn: Callable[[], Any], it: WorkItem | None = None) -> Any:
        """``fn()``, retried on transient errors with backoff and fresh pages.

        Within a case (``it``), a retry starts the case's trace when traces are
        kept ``on-retry``: the attempt that may fail for good is the one recorded.
        """
        run = self.settings.run
        async for attempt in AsyncRetrying(
                stop=stop_after_attempt(run.max_attempts),
                wait=wait_exponential_jitter(multiplier=run.backoff_initial_s, max=run.backoff_max_s,
                                            jitter=run.backoff_initial_s),
                retry=retry_if_exception_type(errors.TransientError), reraise=True,
                before_sleep=_log_retry):
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    self._count("retries")
                    await worker.reset_pages()
                    if it is not None and self.settings.artifacts.trace == "on-retry":
                        await worker.start_trace(f"{it.route.name} {it.key} (retry)")
                return await fn()
        raise AssertionError("unreachable")

    # -- the queue ---------------------------------------------------------------
    async def _serve(self, workers: list[Worker], items: list[WorkItem]) -> None:
        if not items:
            return
        queue: asyncio.Queue[WorkItem] = asyncio.Queue()
        for it in items:
            queue.put_nowait(it)
        total = len(items)
        done_count = 0

        async def loop(worker: Worker) -> None:
            nonlocal done_count
            while True:
                try:
                    it = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                result = await self._process(worker, it)
                await worker.finished_case()
                self.summary.results.append(result)  # type: ignore[union-attr]
                done_count += 1
                if self.on_progress:
                    self.on_progress(it.route.name, done_count, total)

        await asyncio.gather(*(loop(w) for w in workers[: max(1, min(len(workers), total))]))

    # -- one case ------------------------------------------------------------------
    async def _process(self, worker: Worker, it: WorkItem) -> CaseResult:
        route = it.route
        t0 = time.monotonic()
        result = CaseResult(route.name, it.key, "pending")
        blocked = self._blocked_systems.keys() & {route.source, route.target, route.case_source}
        if blocked:
            result.outcome = "retry"
            result.error_type = "HumanRequired"
            result.error = self._blocked_systems[next(iter(blocked))]
            return result
        item = self.ledger.ensure(route.name, route.target, it.key, None)
        if self._traced(it, item):
            await worker.start_trace(f"{route.name} {it.key}")
        source_hash: str | None = None
        try:
            card, source_hash = await self._card(worker, it)
            self._personal.setdefault(it.key, set()).update(personal_values(card))
            item = self.ledger.get(route.name, it.key) or item
            if item.state == "failed" and not it.replay and item.source_hash == source_hash:
                result.outcome = "failed"
                result.error_type, result.error = item.error_type, item.error_message
                result.record_id = item.record_id
                return result
            if self.dry_run:
                result.outcome = "dry-run"
                return result
            target: Target = worker.adapter(route.target)
            record_id = await self._retrying(worker, lambda: self._write_once(target, route, it, card), it)
            result.record_id = record_id
            if self.verify_writes:
                failpoints.point("before_verify")
                back = await self._retrying(worker, lambda: target.read_back(record_id), it)
                try:
                    if it.adopted:
                        back = align_key(card, back, target.key_field)
                    verify(card, back, case=it.key, labels=_labels(target))
                except errors.VerificationError as exc:
                    raise (adopted_differs(exc, record_id, it.key) if it.adopted else exc) from None
            self.ledger.set_state(item.id, "done", record_id=record_id, attempt_id=it.attempt_id,
                                  source_hash=source_hash)
            failpoints.point("after_verify")
            result.outcome = "done"
            log.info("case.done", route=route.name, case=it.key, record_id=record_id)
        except errors.BusinessError as exc:
            exc.with_context(case=it.key)
            result.outcome, result.error_type, result.error = "failed", type(exc).__name__, scrub_text(str(exc))
            result.artifacts = await self._artifacts(worker, route, it.key)
            self.ledger.set_state(item.id, "failed", record_id=result.record_id, error_type=result.error_type,
                                  error_message=result.error, artifacts=result.artifacts,
                                  attempt_id=it.attempt_id, source_hash=source_hash)
            log.warning("case.failed", route=route.name, case=it.key, error_type=result.error_type,
                        reason=result.error)
        except errors.HumanRequired as exc:
            self._block(exc.system, exc)
            result.outcome, result.error_type, result.error = "retry", "HumanRequired", str(exc)
        except errors.PageChanged as exc:
            self._page_changed = True
            result.outcome, result.error_type = "retry", "PageChanged"
            result.error = scrub_text(f"案件 {it.key}：{exc}")
            log.warning("case.page_changed", route=route.name, case=it.key, what=exc.what)
            result.artifacts = await self._artifacts(worker, route, it.key)
            self._mark_unfinished(item.id, result)
        except errors.TransientError as exc:
            result.outcome, result.error_type, result.error = "retry", type(exc).__name__, scrub_text(str(exc))
            result.artifacts = await self._artifacts(worker, route, it.key)
            self._mark_unfinished(item.id, result)
            log.warning("case.retry_later", route=route.name, case=it.key, error_type=result.error_type)
        finally:
            await worker.stop_trace()
            result.seconds = time.monotonic() - t0
            if result.outcome == "retry":
                cur = self.ledger.get(route.name, it.key)
                result.attempts = cur.attempts if cur else 0
        return result

    def _mark_unfinished(self, item_id: int, result: CaseResult) -> None:
        cur = self.ledger.items(ids=[item_id])[0]
        state = "unknown" if cur.state in UNCERTAIN else ("written" if cur.state == "written" else "retry")
        self.ledger.set_state(item_id, state, error_type=result.error_type, error_message=result.error,
                              artifacts=result.artifacts)

    async def _card(self, worker: Worker, it: WorkItem) -> tuple[dict[str, Any], str]:
        route = it.route
        if it.frozen_card is not None:
            self._personal[it.key] = personal_values(it.frozen_card)
            return it.frozen_card, digest(it.frozen_card)
        source: Source = worker.adapter(route.source)
        record = await self._retrying(worker, lambda: source.read(it.key), it)
        sources: dict[str, Any] = {}
        if route.case_source:
            police = await self._retrying(worker, lambda: worker.adapter(route.case_source).read(it.key), it)
            sources[route.source] = record
        else:
            police = record
        source_hash = digest([police, sources])
        self._personal[it.key] = personal_values(police, sources)
        try:
            case_card = self.pipeline.case_card(police)
            card = self.pipeline.target_card(route.target, case_card, **sources)
        except errors.BusinessError as exc:
            exc.with_context(case=it.key)
            raise
        return card, source_hash

    async def _write_once(self, target: Target, route: RouteSettings, it: WorkItem, card: dict[str, Any]) -> str:
        """One attempt: ask the target first when the ledger cannot tell, else record the intent and save."""
        item = self.ledger.get(route.name, it.key)
        assert item is not None, "ensured by _process"
        if item.state in (*UNCERTAIN, "written") or it.replay:
            existing = await target.find_existing(card)
            self._count("lookups")
            if existing:
                self.ledger.set_state(item.id, "written", record_id=existing, attempt_id=it.attempt_id)
                log.info("case.found_existing", route=route.name, case=it.key, record_id=existing)
                return existing
        elif item.record_id is None:
            adopted = await look_before_first_write(target, card, route=route.name, case=it.key)
            if adopted:
                it.adopted = True
                self.ledger.set_state(item.id, "written", record_id=adopted, attempt_id=it.attempt_id)
                return adopted
        it.attempt_id = self.ledger.begin_write(item.id, card, digest(card), self.summary.run_id)  # type: ignore[union-attr]
        failpoints.point("before_save")
        try:
            record_id = await target.write(card)
        except errors.AlreadyExists:
            existing = await target.find_existing(card)
            if not existing:
                raise
            record_id = existing
            log.info("case.adopted_existing", route=route.name, case=it.key, record_id=record_id)
        except errors.TransientError:
            self.ledger.set_state(item.id, "unknown", attempt_id=it.attempt_id)
            raise
        failpoints.point("after_save")
        self.ledger.set_state(item.id, "written", record_id=record_id, attempt_id=it.attempt_id)
        failpoints.point("after_ledger_written")
        self._count("writes")
        return record_id

    async def _artifacts(self, worker: Worker, route: RouteSettings, key: str) -> list[str]:
        paths: list[str] = []
        stem = f"{route.name}-{key}"
        shot = await self.artifacts.screenshot(worker.page_of(route.target), stem)
        if shot:
            paths.append(shot)
        if worker.tracing:
            path = self.artifacts.trace_path(stem)
            try:
                await worker.stop_trace(str(path))
                # a trace holds more than its case: the first snapshot shows the page's previous
                # case, its network log resources of earlier pages, a login records the password.
                # Scrub every personal value met in this run, and the passwords.
                secrets: set[str] = set().union(*self._personal.values())
                self.artifacts.scrub_trace(path, secrets, passwords=self._passwords())
                paths.append(str(path))
            except Exception as exc:
                log.warning("artifact.trace_failed", error=type(exc).__name__)
        return paths

    def _passwords(self) -> set[str]:
        out = set()
        for system in self.settings.systems:
            creds = self.settings.system_config(system, need_password=False).credentials
            if creds and creds.password:
                out.add(creds.password)
        return out

    def _block(self, system: str, exc: BaseException) -> None:
        if system not in self._blocked_systems:
            self._blocked_systems[system] = str(exc)
            self.summary.system_errors.append(str(exc))  # type: ignore[union-attr]
            log.error("system.human_required", system=system)

    def _count(self, name: str) -> None:
        c = self.summary.counters  # type: ignore[union-attr]
        c[name] = c.get(name, 0) + 1

    def _exit_code(self, summary: RunSummary) -> int:
        if self._blocked_systems:
            return EXIT_HUMAN_REQUIRED
        if self._page_changed:
            return EXIT_PAGE_CHANGED
        if summary.count("failed"):
            return EXIT_CASES_FAILED
        if summary.count("retry") or summary.system_errors:
            return EXIT_RETRY_LATER
        return EXIT_OK


def _log_retry(state: Any) -> None:
    exc = state.outcome.exception() if state.outcome else None
    log.info("case.retrying", attempt=state.attempt_number, error_type=type(exc).__name__,
             error=scrub_text(str(exc))[:200], wait_s=round(state.next_action.sleep, 2) if state.next_action else None)


def _labels(target: Any) -> dict[str, str]:
    labels: dict[str, str] = {}
    for spec in getattr(target, "fields", ()):
        labels[spec.name] = spec.label
        for child in spec.children:
            labels.setdefault(child.name, child.label)
    return labels
