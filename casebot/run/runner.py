"""One unattended pass over every route: list each source, hand its cases to the workers, report.

For each route the source is listed once; the cases not yet done go to a queue
served by ``browser.concurrency`` workers (:mod:`casebot.run.worker`), each with
its own browser context (and so its own sessions). What happens to one case is
:mod:`casebot.run.case`; how the run ends (exit code, results) is
:mod:`casebot.run.outcome`. The run writes its HTML report; the CLI only prints.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from casebot import errors, logs
from casebot.config import RouteSettings, Settings
from casebot.domain.exits import EXIT_BUG, EXIT_HUMAN_REQUIRED, REASONS
from casebot.domain.meanings import ROUTE, SYSTEM, meaning
from casebot.domain.model import case_number
from casebot.kit.base import RecordRef, SharedListings, Source
from casebot.kit.browser import launched
from casebot.kit.logins import SharedLogins
from casebot.ledger import Item, Ledger, open_ledger
from casebot.run import report, routing
from casebot.run.artifacts import Artifacts
from casebot.run.audit import RunAudit
from casebot.run.case import Case, Job, RunContext
from casebot.run.lock import RunLock
from casebot.run.outcome import CaseResult, RunSummary, ended_by
from casebot.run.retry import retrying
from casebot.run.worker import Worker

log = logs.get("runner")


class Runner:
    def __init__(self, settings: Settings, *, pipeline: Any = None, ledger: Ledger | None = None,
                 dry_run: bool = False, limit: int | None = None, routes: list[str] | None = None,
                 headed: bool = False, verify_writes: bool | None = None,
                 on_progress: Callable[[str, int, int], None] | None = None) -> None:
        self.settings = settings
        if pipeline is None:
            from casebot.mapping.pipeline import Pipeline

            pipeline = Pipeline.of(settings)
        self.pipeline = pipeline
        self._own_ledger = ledger is None
        self.ledger: Ledger = ledger or open_ledger(settings.ledger_url())
        self.dry_run = dry_run
        self.limit = limit
        self.route_names = routes
        self.headed = headed
        self.verify_writes = settings.run.verify if verify_writes is None else verify_writes
        self.on_progress = on_progress
        self.summary: RunSummary | None = None
        #: who holds this run's leases in the ledger: the workstation (its run lock allows one run at a
        #: time, so a run killed mid-case leaves leases its successor on the same workstation takes over;
        #: ``[ledger] workstation`` names it where several share one ledger, else the host name)
        self.owner = settings.workstation()

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
        """A whole pass (or, with ``replay``, those ledger items only). Holds the workstation lock.

        Mappings ``casebot mappings check`` finds an error in stop it before a page is opened
        (MappingError, exit 4): a card with a field missing never reaches a target.
        """
        started = time.time()
        try:
            self.pipeline.gate(self.settings)
            with RunLock(self.settings.lock_path()):
                try:
                    # a shared ledger also locks per workstation name, across machines
                    lock_run = getattr(self.ledger, "lock_run", None)
                    if lock_run is not None:
                        lock_run(self.owner)
                    summary = await self._run(replay=replay, fresh=fresh)
                except errors.LedgerUnavailable as exc:
                    log.error("run.ledger_unavailable", error=str(exc))
                    raise
                finally:
                    if self._own_ledger:
                        self.ledger.close()
        except BaseException as exc:
            self.stopped(exc, started=started)
            raise
        self.finished(summary, replay=replay is not None)
        return summary

    def execute(self, *, replay: list[Item] | None = None, fresh: bool = False) -> RunSummary:
        """:meth:`run` from synchronous code (the CLI); an interrupt (Ctrl-C, SIGTERM) that arrives
        outside the run's own code is recorded as its end too."""
        started = time.time()
        try:
            return asyncio.run(self.run(replay=replay, fresh=fresh))
        except BaseException as exc:
            self.stopped(exc, started=started)
            raise

    # -- the run's end: kept for status and the console, told to people, old files removed --------
    def finished(self, summary: RunSummary, *, replay: bool = False) -> None:
        """After a run or a replay: its end kept (a replay's apart, so it neither hides the last scheduled
        run nor clears its alerts), what needs a person notified, housekeeping."""
        from casebot.ops import housekeeping, lastrun
        from casebot.ops.notify import after_run

        if not self.dry_run:
            lastrun.record_end(self.settings, summary, kind="replay" if replay else "run")
            after_run(self.settings, exit_code=summary.exit_code, system_errors=summary.system_errors,
                      replay=replay, down=summary.unreachable, reached=summary.reached)
            from casebot.ops.deadlines import after_run as deadlines_after_run

            deadlines_after_run(self.settings)
        housekeeping.after_run(self.settings)

    def stopped(self, exc: BaseException, *, started: float) -> int | None:
        """A run an exception ended: logged as run.finished, kept as the last run, a login notified.

        Once per exception (:meth:`execute` and :meth:`run` both meet it); None when ``exc`` does not
        end a run.
        """
        from casebot.domain.privacy import scrub_text
        from casebot.ops import lastrun

        code = ended_by(exc)
        if code is None or getattr(exc, "casebot_recorded", False):
            return code
        try:
            exc.casebot_recorded = True  # type: ignore[attr-defined]
        except AttributeError:
            pass
        message = scrub_text(str(exc)) or type(exc).__name__
        if code == EXIT_BUG:
            log.error("run.crashed", error_type=type(exc).__name__, error=message, exc_info=exc)
        log.info("run.finished", run_id=None, exit_code=code, reason=REASONS.get(code, "unknown"),
                 error_type=type(exc).__name__, seconds=round(time.time() - started, 2))
        lastrun.save(self.settings, lastrun.record(run_id=None, started=started, finished=time.time(),
                                                   exit_code=code, by_route={}))
        if code == EXIT_HUMAN_REQUIRED:
            from casebot.ops.notify import after_run

            after_run(self.settings, exit_code=code, system_errors=[message])
        return code

    async def _run(self, *, replay: list[Item] | None, fresh: bool) -> RunSummary:
        settings = self.settings
        run_id = self.ledger.start_run()
        summary = RunSummary(run_id=run_id, started=time.time())
        self.summary = summary
        art = settings.artifacts
        artifacts = Artifacts(settings.path(art.dir), run_id)
        artifacts.purge(art.keep_days)
        audit = RunAudit(settings)
        if not self.dry_run:
            audit.purge()
        context = RunContext(settings=settings, ledger=self.ledger, pipeline=self.pipeline, artifacts=artifacts,
                             summary=summary, owner=self.owner, dry_run=self.dry_run,
                             verify_writes=self.verify_writes, audit=audit)
        log.info("run.started", run_id=run_id, dry_run=self.dry_run, replay=bool(replay))
        routes = self.routes()
        self._check_systems(routes if replay is None else self.settings.routes)
        async with launched(settings.browser.options(headed=self.headed)) as browser:
            n = settings.browser.concurrency
            # the contexts share each system's login: the first to log in opens the session for all
            # and each target is listed once for the run, its list shared by every context's look
            shared, listings = SharedLogins(), SharedListings()
            workers: list[Worker] = []

            async def at_work(cases: int) -> list[Worker]:
                """As many workers as ``cases`` need (at least one, at most ``concurrency``), each browser
                context opened when first needed: a run of one case does not open a second."""
                want = max(1, min(n, cases))
                while len(workers) < want:
                    workers.append(Worker(settings, await self._new_context(browser), len(workers), shared, listings))
                return workers[:want]

            if replay is not None:
                jobs = self._replay_jobs(replay, fresh)
                await self._serve(context, await at_work(len(jobs)), jobs)
            else:
                for route in routes:
                    jobs = await self._list((await at_work(1))[0], route)
                    await self._serve(context, await at_work(len(jobs)), jobs)
            for w in workers:
                summary.reached |= w.reached()
                await w.context.close()
        summary.finished = time.time()
        summary.exit_code = summary.exit_status()
        self.ledger.finish_run(run_id, str(summary.exit_code), summary.as_json())
        if summary.did_something():  # a run that did nothing new leaves no report
            path = report.write(summary, settings.path(art.reports),
                                manual_minutes=settings.run.manual_minutes_per_card, dry_run=self.dry_run,
                                hops={r.name: r.hop(settings) for r in settings.routes})
            summary.report_path = str(path)
        log.info("run.finished", run_id=run_id, exit_code=summary.exit_code, reason=REASONS[summary.exit_code],
                 done=summary.count("done"), failed=summary.count("failed"),
                 seconds=round(summary.finished - summary.started, 2))
        return summary

    # -- setup -----------------------------------------------------------------
    def _check_systems(self, routes: list[RouteSettings]) -> None:
        """A system whose configuration cannot be used (no password) stops its routes, before a page opens."""
        summary = self.summary
        assert summary is not None
        for route in routes:
            for system in (route.source, route.target, route.case_source):
                if system is None or system in summary.unconfigured:
                    continue
                try:
                    self.settings.system_config(system)
                except errors.ConfigError as exc:
                    summary.unconfigured[system] = str(exc)
                    summary.system_errors.append(str(exc))
                    log.error("system.misconfigured", system=system, error_type=type(exc).__name__)

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

    # -- what to do ------------------------------------------------------------------
    def _replay_jobs(self, items: list[Item], fresh: bool) -> list[Job]:
        by_name = {r.name: r for r in self.settings.routes}
        jobs = [Job(by_name[item.route], item.case_key, frozen_card=None if fresh else item.card, replay=True)
                for item in items if item.route in by_name]
        return jobs[: self.limit] if self.limit else jobs

    async def _list(self, worker: Worker, route: RouteSettings) -> list[Job]:
        """The route's cases the source lists and the ledger does not have done."""
        summary = self.summary
        assert summary is not None
        systems = {route.source, route.target, route.case_source}
        if systems & (summary.blocked.keys() | summary.unconfigured.keys() | summary.unreachable.keys()):
            return []
        source: Source = worker.adapter(route.source, route.source_kind)

        async def collect() -> list[RecordRef]:
            return [ref async for ref in source.list_records(**route.filters) if routing.admits(route, source, ref)]

        async def case_versions() -> dict[str, str | None]:
            # the court hop lists the procuratorate; when the police change a case, the police list says
            case_source: Source = worker.adapter(route.case_source)
            return {ref.key: ref.version async for ref in case_source.list_records()}

        async def fresh_page() -> None:
            summary.tally("retries")
            await worker.reset_pages()

        try:
            refs = await retrying(self.settings.run, collect, fresh_page)
            versions = {ref.key: ref.version for ref in refs}
            if route.case_source and route.update != "off":
                # a change at either end is one to follow: the source record's own version, then the case's
                police = await retrying(self.settings.run, case_versions, fresh_page)
                versions = {key: _joined(versions.get(key), police.get(case_number(key))) for key in versions}
            keys = [ref.key for ref in refs]
        except (errors.HumanRequired, errors.PageChanged, errors.TransientError) as exc:
            # what listing met stops what the error table says: the source system, the route, or this listing
            stops = meaning(exc).stops
            if isinstance(exc, errors.SystemUnreachable):
                if summary.mark_unreachable(exc):
                    log.error("system.unreachable", system=exc.system, code=exc.code)
            elif stops == SYSTEM:
                summary.blocked.setdefault(route.source, str(exc))
                summary.system_errors.append(str(exc))
                log.error("system.human_required", system=route.source)
            elif stops == ROUTE:
                summary.page_changed = True
                summary.stopped_routes.setdefault(route.name, str(exc))
                summary.system_errors.append(str(exc))
                log.error("route.stopped", route=route.name, reason="page_changed")
            else:  # transient, outlasted the attempts: the next run lists again
                summary.system_errors.append(f"{route.source}: {exc}")
            return []
        # by any workstation sharing the ledger: each done case's key and the source version it was written at
        done = self.ledger.case_versions(route.name, ("done",))
        # failures reported before: unchanged at the source, they stay with the clerk (not read, not news)
        failed = {i.case_key: i for i in self.ledger.items(route=route.name, states=("failed",))}
        todo = []
        waiting = 0
        for key in keys:
            version = versions.get(key)
            known = failed.get(key)
            if known is not None and version is not None and version == known.source_version:
                waiting += 1
                summary.results.append(CaseResult(route.name, key, "failed", record_id=known.record_id,
                                                  error_type=known.error_type, error=known.error_message,
                                                  attempts=known.attempts, artifacts=known.artifacts, known=True))
                continue
            if key not in done:
                todo.append(Job(route, key, source_version=version))
            elif route.update != "off" and version is not None and version != done[key]:
                # written, and changed at the police since: follow the change
                todo.append(Job(route, key, source_version=version))
        log.info("route.listed", route=route.name, listed=len(keys), todo=len(todo), waiting=waiting)
        return todo[: self.limit] if self.limit else todo

    # -- the queue ---------------------------------------------------------------
    async def _serve(self, context: RunContext, workers: list[Worker], jobs: list[Job]) -> None:
        """Serve ``jobs`` with the workers while a heartbeat renews the leases of the cases in flight.

        A case another workstation holds is tried again every second, before the queue's
        next case, for at most two leases: if its holder died, its lease runs out and this
        run takes the case over at once. A case found done meanwhile is left to whoever did
        it. The first ledger outage stops every worker.
        """
        if not jobs:
            return
        queue: asyncio.Queue[Job] = asyncio.Queue()
        for job in jobs:
            queue.put_nowait(job)
        total = len(jobs)
        finished = 0
        lease_s = self.settings.ledger.lease_s
        #: cases another workstation held when tried: (when to try again, case)
        waiting: list[tuple[float, Job]] = []
        #: when this run stops waiting for a held case: id(job) -> monotonic time
        give_up: dict[int, float] = {}

        def next_job() -> Job | float | None:
            """A held case whose time has come first (its holder may be dead), else the queue's next;
            the seconds to wait when only held cases are left; ``None`` when all is done."""
            now = time.monotonic()
            waiting.sort(key=lambda w: w[0])
            if waiting and waiting[0][0] <= now:
                return waiting.pop(0)[1]
            try:
                return queue.get_nowait()
            except asyncio.QueueEmpty:
                return waiting[0][0] - now if waiting else None

        async def loop(worker: Worker) -> None:
            nonlocal finished
            while True:
                job = next_job()
                if job is None:
                    return
                if isinstance(job, float):
                    await asyncio.sleep(job)
                    continue
                case = Case(context, worker, job)
                result = await case.run_journey()
                await worker.finished_case()
                if case.held_elsewhere:
                    now = time.monotonic()
                    if now < give_up.setdefault(id(job), now + 2 * lease_s):
                        waiting.append((now + min(1.0, lease_s / 4), job))
                        continue
                if case.done_elsewhere:
                    context.summary.tally("done_elsewhere")
                else:
                    context.summary.results.append(result)
                finished += 1
                if self.on_progress:
                    self.on_progress(job.route.name, finished, total)

        async def heartbeat() -> None:
            while True:
                await asyncio.sleep(lease_s / 3)
                if context.in_flight:
                    self.ledger.heartbeat(list(context.in_flight.values()), lease_s)

        loops = [asyncio.create_task(loop(w)) for w in workers[: max(1, min(len(workers), total))]]
        beat = asyncio.create_task(heartbeat())
        pending: set[asyncio.Task[None]] = {*loops, beat}
        try:
            while not all(task.done() for task in loops):
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    exc = task.exception()
                    if exc is not None:
                        raise exc
        finally:
            for task in (*loops, beat):
                task.cancel()
            await asyncio.gather(*loops, beat, return_exceptions=True)


def _joined(own: str | None, case: str | None) -> str | None:
    """A record's version and its case's together (either alone when the other is not known)."""
    if own is None or case is None:
        return case if own is None else own
    return f"{own}|{case}"
