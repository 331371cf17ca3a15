"""A case's states: one enum with the Chinese word a clerk reads for each, and the groups the code asks about.

The ledger keeps a case in one :class:`State`; a run's outcome for a case is the
state it left the case in (or ``dry-run``). The groups below are the only lists
of states in casebot: the ledger, the run, reconcile, notifications, the console
and the commands import them, so a state added or renamed is added or renamed here.
The groups hold plain strings (the ledger's column values).
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    PENDING = "pending"
    WRITING = "writing"      # a save may be under way (the intent is recorded)
    UNKNOWN = "unknown"      # a save was sent, its outcome unknown: ask the target before writing again
    WRITTEN = "written"      # saved, not yet read back
    DONE = "done"            # saved and read back
    FAILED = "failed"        # a person must look
    RETRY = "retry"          # left for the next run (a transient error)

    @property
    def label(self) -> str:
        return LABELS[self.value]


#: the clerk's word for each state, and for a dry run's outcome
LABELS: dict[str, str] = {
    "pending": "待处理",
    "writing": "写入中",
    "unknown": "待确认",
    "written": "已写入未核对",
    "done": "已完成",
    "failed": "需人工处理",
    "retry": "待重试",
    "dry-run": "试运行",
}


def _values(*states: State) -> tuple[str, ...]:
    return tuple(s.value for s in states)


#: every state the ledger knows
ALL = _values(*State)
#: the ledger cannot tell whether the target holds the record
UNCERTAIN = _values(State.WRITING, State.UNKNOWN)
#: an earlier run left the case unfinished (the next run takes it up again)
UNFINISHED = _values(State.WRITING, State.UNKNOWN, State.WRITTEN, State.RETRY)
#: what a person is told of and asked to look at
NEEDS_PERSON = _values(State.FAILED, State.UNKNOWN, State.WRITTEN)
#: what `casebot replay` (and the console's button) takes again
REPLAYABLE = _values(State.FAILED, State.RETRY, State.UNKNOWN, State.WRITTEN)
#: the case is linked to a record of the target
LINKED = _values(State.DONE, State.WRITTEN, State.FAILED)
#: a case's outcomes in a run: the state it was left in, or a dry run
OUTCOMES = (*_values(State.DONE, State.FAILED, State.RETRY, State.UNKNOWN, State.WRITTEN), "dry-run")
#: outcomes that the next run takes up again
UNFINISHED_OUTCOMES = _values(State.RETRY, State.UNKNOWN, State.WRITTEN)


def label(state: str) -> str:
    """The clerk's word for ``state`` (the state itself when it has none)."""
    return LABELS.get(state, state)
