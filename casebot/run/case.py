"""One case's journey, top to bottom: read → map → reserve/write → verify → record.

The case holds its ledger item in hand from ``reserve`` to the end: each ledger
write updates it, nothing re-reads it. A normal case costs four ledger round
trips: ``reserve`` → ``begin_write`` → ``set_state(written)`` →
``set_state(done, release=True)``::

    reserve (None: another workstation has it) ─► read source ─► map (DataError: failed)
        ─► failed before, same source? stays failed (a clerk must look)
        ─► uncertain (writing/unknown/written) or replay? find_existing first
        ─► begin_write (intent recorded) ─► write ─► written ─► read back ─► done

Transient errors are retried (:mod:`casebot.run.retry`) with a fresh page; a
transient error after ``begin_write`` leaves the case ``unknown``, so the next
attempt asks the target before writing again. Business errors stop this case
only (``failed``). A changed page stops it until someone looks (``casebot
doctor``); a system that needs a human (captcha) stops its routes for the run;
an error casebot does not know is a bug: reported, not retried.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from casebot import errors, logs
from casebot.config import RouteSettings, Settings
from casebot.domain.changes import code_namer, diff
from casebot.domain.exits import PAGE_CHANGED_BANNER
from casebot.domain.meanings import ROUTE, SYSTEM, meaning
from casebot.domain.privacy import redact, scrub_text
from casebot.domain.roles import Roles
from casebot.domain.states import UNFINISHED
from casebot.domain.verify import verify
from casebot.kit.base import Target
from casebot.ledger import UNCERTAIN, Item, Ledger
from casebot.run import failpoints
from casebot.run.adoption import adopted_differs, align_key, look_before_first_write
from casebot.run.artifacts import Artifacts, personal_values
from casebot.run.audit import RunAudit
from casebot.run.follow import Policy, follow
from casebot.run.outcome import CaseResult, RunSummary, digest
from casebot.run.retry import retrying
from casebot.run.worker import Worker

log = logs.get("runner")

T = TypeVar("T")



@dataclass
class Job:
    """A case to take through its journey: which route, which case, and how."""

    route: RouteSettings
    key: str
    #: the card a replay writes again as it was (None: read the source and map afresh)
    frozen_card: dict[str, Any] | None = None
    replay: bool = False
    #: what the source list showed of the case (the police 修改时间): a written case whose version
    #: moved on is taken again, to follow the police
    source_version: str | None = None


@dataclass
class RunContext:
    """What a case needs of the run it belongs to."""

    settings: Settings
    ledger: Ledger
    pipeline: Any
    artifacts: Artifacts
    summary: RunSummary
    #: who holds this run's leases in the ledger
    owner: str
    dry_run: bool = False
    verify_writes: bool = True
    #: personal values met per case, scrubbed from every failure trace of the run
    personal: dict[str, set[str]] = field(default_factory=dict)
    #: every write and adoption, hash-chained (casebot.run.audit); None: not recorded
    audit: RunAudit | None = None

    def redact(self, key: str, text: str) -> str:
        """A message about case ``key`` fit for the ledger, the log and the report (casebot.domain.privacy.redact)."""
        return redact(text, self.personal.get(key, ()))
    #: the ledger items of the cases being worked right now (their leases are renewed by the run)
    in_flight: dict[int, Item] = field(default_factory=dict)

    def unreachable(self, exc: errors.SystemUnreachable) -> None:
        """``exc.system``'s server cannot be reached: its routes stop for this run (exit 11)."""
        if self.summary.mark_unreachable(exc):
            log.error("system.unreachable", system=exc.system, code=exc.code)

    def block(self, system: str, exc: BaseException) -> None:
        """``system`` needs a person: its routes stop for this run."""
        if system not in self.summary.blocked:
            self.summary.blocked[system] = str(exc)
            self.summary.system_errors.append(str(exc))
            log.error("system.human_required", system=system)

    def passwords(self) -> set[str]:
        out = set()
        for system in self.settings.systems:
            creds = self.settings.system_config(system, need_password=False).credentials
            if creds and creds.password:
                out.add(creds.password)
        return out


class Case:
    """One case of a route, taken from the source to the target by one worker."""

    def __init__(self, run: RunContext, worker: Worker, job: Job) -> None:
        self.run = run
        self.worker = worker
        self.job = job
        self.route = job.route
        self.result = CaseResult(job.route.name, job.key)
        #: the ledger's row of this case, reserved for this run
        self.item: Item | None = None
        #: the ledger's audit row of the latest write attempt (closed with the case's outcome)
        self.attempt_id: int | None = None
        #: another workstation holds the case's lease: the run may try it again once that runs out
        self.held_elsewhere = False
        #: another workstation finished the case since it was listed: nothing to do here
        self.done_elsewhere = False
        #: the record was already in the target (typed by hand) and adopted, not written
        self.adopted = False
        #: the system whose page shows this case now (its evidence when it fails): None before any page
        #: the page (system, kind) the case is on: a failure's screenshot is taken of it
        self.on: tuple[str, str | None] | None = None

    async def run_journey(self) -> CaseResult:
        run, route, job, result = self.run, self.route, self.job, self.result
        t0 = time.monotonic()
        systems = {route.source, route.target, route.case_source}
        blocked = run.summary.blocked.keys() & systems
        if blocked:
            result.outcome, result.error_type = "retry", "HumanRequired"
            result.error = run.summary.blocked[next(iter(blocked))]
            return result
        unconfigured = run.summary.unconfigured.keys() & systems
        if unconfigured:
            result.outcome, result.error_type = "retry", "ConfigError"
            result.error = run.summary.unconfigured[next(iter(unconfigured))]
            return result
        down = run.summary.unreachable.keys() & systems
        if down:  # its server was not reachable a moment ago: the case waits for the next run
            system = sorted(down)[0]
            result.outcome, result.error_type = "retry", "SystemUnreachable"
            result.error = f"案件 {job.key}：{run.summary.unreachable[system]}（{system}）无法连接，下次运行自动续办"
            return result
        if route.name in run.summary.stopped_routes:
            # the route met a changed page in this run: the next case would only wait out the same timeout
            result.outcome, result.error_type = "retry", "PageChanged"
            result.error = f"案件 {job.key}：路线 {route.name} 已停止，{PAGE_CHANGED_BANNER}"
            return result
        item = run.ledger.reserve(route.name, route.target, job.key, owner=run.owner,
                                  lease_s=run.settings.ledger.lease_s)
        if item is None:
            self.held_elsewhere = True
            result.outcome, result.error_type = "retry", "LeaseHeld"
            result.error = f"案件 {job.key} 正由另一工作站处理"
            return result
        if item.state == "done" and not job.replay and job.source_version == item.source_version:
            # listed as not done (or changed at the source), finished by another workstation since
            self.done_elsewhere = True
            run.ledger.release(item)
            result.outcome, result.record_id = "done", item.record_id
            log.info("case.done_elsewhere", route=route.name, case=job.key)
            return result
        self.item = item
        run.in_flight[item.id] = item
        lost = False
        if self._traced():
            await self.worker.start_trace(f"{route.name} {job.key}")
        source_hash: str | None = None
        try:
            try:
                card, source_hash = await self._card()
                run.personal.setdefault(job.key, set()).update(personal_values(card))
                if item.state == "failed" and not job.replay and item.source_hash == source_hash:
                    # nothing changed since a clerk was asked to look: it stays with the clerk
                    result.outcome, result.error_type = "failed", item.error_type
                    result.error = run.redact(job.key, item.error_message or "")
                    result.record_id = item.record_id
                    result.known = True
                    return result
                if self._follows(item, card):
                    await self._follow(card, source_hash)
                    return result
                if run.dry_run:
                    result.outcome = "dry-run"
                    return result
                target: Target = self.worker.adapter(route.target, route.target_kind)
                self.on = (route.target, route.target_kind)
                record_id = await self._retrying(lambda: self._write_once(target, card))
                result.record_id = record_id
                if run.verify_writes or self.adopted:
                    failpoints.point("before_verify")
                    back = await self._retrying(lambda: target.read_back(record_id))
                    if self.adopted:
                        # what the target holds is the case's first card version (a person typed it)
                        run.ledger.record_version(item, back, digest(back), kind="adopted",
                                                  source_hash=source_hash, source_version=job.source_version,
                                                  run_id=run.summary.run_id)
                        back = align_key(card, back, *_key_fields(target))
                    try:
                        verify(card, back, case=job.key, labels=_labels(target), roles=_roles(target),
                               namer=code_namer(getattr(target, "fields", ()), getattr(run.pipeline, "codes", None),
                                                system=target.name))
                    except errors.VerificationError as exc:
                        raise (adopted_differs(exc, record_id, job.key) if self.adopted else exc) from None
                run.ledger.set_state(item, "done", record_id=record_id, attempt_id=self.attempt_id,
                                     source_hash=source_hash, release=True, source_version=job.source_version)
                failpoints.point("after_verify")
                result.outcome = "done"
                log.info("case.done", route=route.name, case=job.key, record_id=record_id)
            except (errors.LedgerUnavailable, errors.LeaseLost):
                raise  # the ledger's own word on the case: handled below, whichever step it came from
            except Exception as exc:
                await self._stopped(exc, source_hash)
        except errors.LedgerUnavailable:
            lost = True
            raise  # the run stops: what was committed stands, the rest is the next run's
        except errors.LeaseLost as exc:
            # another workstation took the case over (this one's lease ran out): it is theirs
            # now, write nothing more; raised by any step, recording a failure included
            item.lease_owner = None
            result.outcome, result.error_type, result.error = "retry", "LeaseLost", str(exc)
            log.warning("case.lease_lost", route=route.name, case=job.key)
        finally:
            await self.worker.stop_trace()
            result.seconds = time.monotonic() - t0
            result.attempts = item.attempts
            run.in_flight.pop(item.id, None)
            if item.lease_owner is not None and not lost:
                run.ledger.release(item)
        return result

    async def _stopped(self, exc: Exception, source_hash: str | None) -> None:
        """What an error that stopped the case does, as the error table says (:mod:`casebot.domain.meanings`):
        a clerk's case, a system that waits for a person or its configuration, a route whose pages changed,
        a transient error left for the next run, or a bug."""
        run, route, job, result = self.run, self.route, self.job, self.result
        row = meaning(exc)
        if row.outcome == "failed" and isinstance(exc, errors.BusinessError):
            await self._failed(exc, source_hash)
        elif row.stops == SYSTEM and isinstance(exc, errors.SystemUnreachable):
            run.unreachable(exc)
            self.on = None  # the page shows the browser's own error page, nothing of the case
            await self._unfinished("SystemUnreachable", f"案件 {job.key}：{exc}")
        elif row.stops == SYSTEM and isinstance(exc, errors.HumanRequired):
            run.block(exc.system, exc)
            result.outcome, result.error_type, result.error = "retry", "HumanRequired", str(exc)
        elif row.stops == SYSTEM or isinstance(exc, errors.ConfigError):
            # a system's configuration (its password): that system's routes stop, never a bug
            system = getattr(exc, "system", None) or route.target
            if system not in run.summary.unconfigured:
                run.summary.unconfigured[system] = str(exc)
                run.summary.system_errors.append(str(exc))
                log.error("system.misconfigured", system=system, error_type=type(exc).__name__)
            await self._unfinished("ConfigError", str(exc))
        elif row.stops == ROUTE and isinstance(exc, errors.PageChanged):
            run.summary.page_changed = True
            log.warning("case.page_changed", route=route.name, case=job.key, what=exc.what)
            if route.name not in run.summary.stopped_routes and not self._from_source(exc):
                # the target's forms changed: every next case would wait out the same timeout.
                # (One source record's malformed page stops only its case.)
                run.summary.stopped_routes[route.name] = str(exc)
                log.error("route.stopped", route=route.name, reason="page_changed")
            await self._unfinished("PageChanged", f"案件 {job.key}：{exc}")
        elif row.retried:  # retried already by the core, and outlasted this run's attempts
            await self._unfinished(type(exc).__name__, str(exc))
            log.warning("case.retry_later", route=route.name, case=job.key, error_type=result.error_type)
        else:
            # not an error casebot knows: a bug. Reported, left for the next run to check, not retried.
            run.summary.bug = True
            log.error("case.bug", route=route.name, case=job.key, error_type=type(exc).__name__,
                      error=scrub_text(str(exc))[:300])
            await self._unfinished(type(exc).__name__, f"案件 {job.key}：程序错误 {type(exc).__name__}")

    def _from_source(self, exc: errors.PageChanged) -> bool:
        """Whether a changed page was met reading the case from its source (not on the target's forms)."""
        route, settings = self.route, self.run.settings
        sources = {s for s in (route.source, route.case_source) if s}
        return exc.system in sources | {settings.adapter_name(s) for s in sources}

    # -- read and map ----------------------------------------------------------------
    async def _card(self) -> tuple[dict[str, Any], str]:
        """The card to write and a hash of what it was made from."""
        job, route, worker = self.job, self.route, self.worker
        if job.frozen_card is not None:
            self.run.personal[job.key] = personal_values(job.frozen_card)
            return job.frozen_card, digest(job.frozen_card)
        pipeline = self.run.pipeline
        self.on = (route.source, route.source_kind)
        police, sources = await pipeline.read_case(route, job.key, worker.adapter, self._retrying)
        if route.case_source:
            self.on = (route.case_source, None)  # bad data stops the case on the police page it was read from
        self.run.personal[job.key] = personal_values(police, sources)
        try:
            card = pipeline.route_card(self.run.settings, route, police, sources)
        except errors.BusinessError as exc:
            exc.with_context(case=job.key)
            raise
        # the card spells some values its own way (an ID's check letter in upper case, say)
        self.run.personal[job.key] |= personal_values(card)
        return card, digest([police, sources])

    # -- write -----------------------------------------------------------------------
    async def _write_once(self, target: Target, card: dict[str, Any]) -> str:
        """One attempt: ask the target first when the ledger cannot tell, else record the intent and save."""
        run, item, job = self.run, self.item, self.job
        assert item is not None, "reserved by run_journey"
        if item.state in (*UNCERTAIN, "written") or job.replay:
            existing = await target.find_existing(card)
            run.summary.tally("lookups")
            if existing:
                run.ledger.set_state(item, "written", record_id=existing, attempt_id=self.attempt_id)
                log.info("case.found_existing", route=self.route.name, case=job.key, record_id=existing)
                self._audit("adopt", existing, card)
                return existing
        elif item.record_id is None:
            adopted = await look_before_first_write(target, card, route=self.route.name, case=job.key)
            run.summary.tally("match_searches")
            if adopted:
                self.adopted = True
                run.ledger.set_state(item, "written", record_id=adopted, attempt_id=self.attempt_id)
                self._audit("adopt", adopted, card)
                return adopted
        self.attempt_id = run.ledger.begin_write(item, card, digest(card), run.summary.run_id)
        failpoints.point("before_save")
        action = "write"
        try:
            record_id = await target.write(card)
        except errors.AlreadyExists:
            existing = await target.find_existing(card)
            if not existing:
                raise
            record_id, action = existing, "adopt"
            log.info("case.adopted_existing", route=self.route.name, case=job.key, record_id=record_id)
        except errors.TransientError:
            run.ledger.set_state(item, "unknown", attempt_id=self.attempt_id)
            raise
        failpoints.point("after_save")
        run.ledger.set_state(item, "written", record_id=record_id, attempt_id=self.attempt_id)
        failpoints.point("after_ledger_written")
        self._audit(action, record_id, card)
        run.summary.tally("writes")
        return record_id

    def _audit(self, action: str, record_id: str, card: dict[str, Any]) -> None:
        """One audit line (after the ledger says written: a crash between the two is recorded as an
        adoption by the next run, which finds the record)."""
        if self.run.audit is not None:
            self.run.audit.record(action, route=self.route, case=self.job.key, record_id=record_id, card=card)

    # -- a written case follows the police ------------------------------------------------
    def _follows(self, item: Item, card: dict[str, Any]) -> bool:
        """Whether the case's target record exists and this is a change to follow, not a first write.

        A fresh replay (``replay --fresh``, after a mapping was fixed) of a case linked to a record
        whose card changed is one: the record, written incomplete, is brought to the new card
        through the edit pages, never over what a person changed since.
        """
        if item.record_id is None:
            return False
        if item.state == "done":
            return True
        if self.job.replay and self.job.frozen_card is None and item.card is not None \
                and not diff(item.card, card).empty:
            return True
        # an update cut short (or a follow that failed, replayed): the history has the card before it
        return self.run.ledger.last_version(item.id) is not None

    async def _follow(self, card: dict[str, Any], source_hash: str) -> None:
        """Bring the target record to ``card`` under the route's policy (:mod:`casebot.run.follow`), once."""
        run, item, job, route, result = self.run, self.item, self.job, self.route, self.result
        assert item is not None and item.record_id is not None
        result.record_id = item.record_id
        last = run.ledger.last_version(item.id)
        written = last["card"] if last else item.card
        target: Target = self.worker.adapter(route.target, route.target_kind)
        if written is not None:
            # a case number the target holds in a clerk's spelling is the same number: not a change
            card = align_key(written, card, *_key_fields(target))
        if written is None or (item.state == "done" and not job.replay
                               and diff(written, card, roles=_roles(target)).empty):
            # a revision at the police that changes nothing the target holds
            if job.source_version != item.source_version:
                run.ledger.set_source_version(item, job.source_version)
            result.outcome = "done"
            return
        if run.dry_run:
            result.outcome = "dry-run"
            return
        policy = Policy.of(route)
        self.on = (route.target, route.target_kind)
        if policy.update != "auto":
            outcome = await follow(target, item.record_id, written, card, policy=policy, case=job.key,
                                   route=route.name, codes=getattr(run.pipeline, "codes", None))
            run.ledger.set_source_version(item, job.source_version)
            result.outcome = "done"
            log.info("case.not_followed", route=route.name, case=job.key, policy=policy.update,
                     outcome=outcome.outcome)
            return
        if last is None:
            # the history starts with the card of the first write, kept by the ledger until now
            run.ledger.record_version(item, written, digest(written), kind="written", source_hash=item.source_hash,
                                      source_version=item.source_version, run_id=run.summary.run_id)
        record_id = item.record_id
        self.attempt_id = run.ledger.begin_write(item, card, digest(card), run.summary.run_id)
        failpoints.point("before_update")
        codes = getattr(run.pipeline, "codes", None)
        await self._retrying(lambda: follow(target, record_id, written, card, policy=policy, case=job.key,
                                            route=route.name, codes=codes))
        failpoints.point("after_update")
        run.ledger.record_version(item, card, digest(card), kind="updated", source_hash=source_hash,
                                  source_version=job.source_version, run_id=run.summary.run_id)
        run.ledger.set_state(item, "done", record_id=record_id, attempt_id=self.attempt_id,
                             source_hash=source_hash, release=True)
        self._audit("update", record_id, card)
        run.summary.tally("updates")
        result.outcome = "done"
        log.info("case.followed", route=route.name, case=job.key, record_id=record_id)

    # -- how it ends, when not done ----------------------------------------------------
    async def _failed(self, exc: errors.BusinessError, source_hash: str | None) -> None:
        """A clerk must look: the case is ``failed`` with the reason in a clerk's words."""
        assert self.item is not None
        exc.with_context(case=self.job.key)
        result = self.result
        result.outcome, result.error_type = "failed", type(exc).__name__
        result.error = self.run.redact(self.job.key, str(exc))
        result.artifacts = await self._artifacts()
        self.run.ledger.set_state(self.item, "failed", record_id=result.record_id, error_type=result.error_type,
                                  error_message=result.error, artifacts=result.artifacts,
                                  attempt_id=self.attempt_id, source_hash=source_hash, release=True,
                                  source_version=self.job.source_version)
        log.warning("case.failed", route=self.route.name, case=self.job.key, error_type=result.error_type,
                    reason=result.error)

    async def _unfinished(self, error_type: str, error: str) -> None:
        """Left for the next run: ``unknown`` if a save may have gone through, else as it was, or ``retry``."""
        item = self.item
        assert item is not None
        result = self.result
        result.error_type, result.error = error_type, self.run.redact(self.job.key, error)
        result.artifacts = await self._artifacts()
        state = "unknown" if item.state in UNCERTAIN else ("written" if item.state == "written" else "retry")
        self.run.ledger.set_state(item, state, error_type=result.error_type, error_message=result.error,
                                  artifacts=result.artifacts, release=True)
        result.outcome = state

    async def _artifacts(self) -> list[str]:
        """The failure's screenshot of the page the case was on (the source's for bad data, the target's
        once it was written to; none before any page showed it), and the case's trace if one was recording."""
        run, worker = self.run, self.worker
        paths: list[str] = []
        stem = f"{self.route.name}-{self.job.key}"
        shot = None
        if self.on is not None:
            shot = await run.artifacts.screenshot(worker.page_of(*self.on), stem, system=self.on[0],
                                                  case=self.job.key, personal=run.personal.get(self.job.key))
        if shot:
            paths.append(shot)
        if worker.tracing:
            path = run.artifacts.trace_path(stem)
            try:
                await worker.stop_trace(str(path))
                # a trace holds more than its case: the first snapshot shows the page's previous
                # case, its network log resources of earlier pages, a login records the password.
                # Scrub every personal value met in this run, and the passwords.
                secrets: set[str] = set().union(*run.personal.values())
                run.artifacts.scrub_trace(path, secrets, passwords=run.passwords())
                paths.append(str(path))
            except Exception as exc:
                log.warning("artifact.trace_failed", error=type(exc).__name__)
        return paths

    # -- helpers -----------------------------------------------------------------------
    def _traced(self) -> bool:
        """Whether the case is traced from its start: always (``on-failure``), or (``on-retry``) when
        it is replayed or an earlier run left it unfinished (transient errors, a crash, a changed page)."""
        mode = self.run.settings.artifacts.trace
        assert self.item is not None
        return mode == "on-failure" or (mode == "on-retry" and (self.job.replay or self.item.state in UNFINISHED))

    async def _retrying(self, fn: Callable[[], Awaitable[T]]) -> T:
        return await retrying(self.run.settings.run, fn, self._before_retry)

    async def _before_retry(self) -> None:
        """A fresh page for the next attempt; with traces ``on-retry``, the attempt that may fail is recorded."""
        self.run.summary.tally("retries")
        await self.worker.reset_pages()
        if self.run.settings.artifacts.trace == "on-retry":
            await self.worker.start_trace(f"{self.route.name} {self.job.key} (retry)")


def _key_fields(target: Any) -> tuple[str, ...]:
    """The card fields naming a target's record: its ``key_fields``, else its ``key_field``."""
    return tuple(getattr(target, "key_fields", ()) or (target.key_field,))


def _roles(target: Any) -> Roles | None:
    """What each field of the target's card is (:mod:`casebot.domain.roles`)."""
    field_roles = getattr(target, "field_roles", None)
    return field_roles() if callable(field_roles) else None


def _labels(target: Any) -> dict[str, str]:
    labels: dict[str, str] = {}
    for spec in getattr(target, "fields", ()):
        labels[spec.name] = spec.label
        for child in spec.children:
            labels.setdefault(child.name, child.label)
    return labels
