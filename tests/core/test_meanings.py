"""The one table of what each error means (casebot.domain.meanings): every error has its row, and the places
that used to decide for themselves (the retry policy, the console's advice, the exit table) now agree."""

from __future__ import annotations

import inspect

import pytest

from casebot import errors
from casebot.config import RunSettings
from casebot.domain import exits, meanings
from casebot.domain.codes import CodeMissing
from casebot.domain.meanings import BUG, MEANINGS, meaning
from casebot.ops.advice import RETRY, Advice, advise
from casebot.run.retry import retrying

FAST = RunSettings(max_attempts=3, backoff_initial_s=0, backoff_max_s=0)


def _tree(cls: type) -> list[type]:
    out = [cls]
    for sub in cls.__subclasses__():
        out += _tree(sub)
    return out


#: every error class of casebot.errors, and the domain's own (a code missing from its table)
TREE = sorted({c for c in _tree(errors.CasebotError)
               if c.__module__ == "casebot.errors" or c.__module__.startswith("casebot.domain")},
              key=lambda c: c.__name__)


def test_the_tree_is_walked_whole():
    names = {c.__name__ for c in TREE}
    assert {"CasebotError", "ProbableMatch", "AdoptedDiffers", "EditConflict", "LoginBlocked", "OutcomeUnknown",
            "CodeMissing", "LeaseLost"} <= names
    assert names == {n for n, c in inspect.getmembers(errors, inspect.isclass)
                     if issubclass(c, errors.CasebotError)} | {"CodeMissing"}


@pytest.mark.parametrize("cls", TREE, ids=lambda c: c.__name__)
def test_every_error_class_has_its_own_row(cls):
    row = MEANINGS.get(cls)
    assert row is not None, f"{cls.__name__} has no row in casebot.domain.meanings"
    assert row.stops in (meanings.CASE, meanings.ROUTE, meanings.SYSTEM, meanings.RUN)
    assert row.exit in exits.EXITS
    assert row.where and row.what and row.kind
    assert row.outcome in (None, "failed", "retry", "unknown")


def test_what_is_not_casebots_is_a_bug():
    assert meaning(KeyError("x")) is BUG and BUG.exit == exits.EXIT_BUG and not BUG.retried
    assert meaning(errors.CasebotError("?")) is BUG


def test_business_errors_go_to_a_clerk_and_transient_ones_are_retried():
    for cls in TREE:
        row = MEANINGS[cls]
        if issubclass(cls, errors.BusinessError):
            assert (row.outcome, row.retried, row.stops, row.exit) == ("failed", False, "case", 1), cls
        if issubclass(cls, errors.TransientError):
            # a system whose server is down stops that system and has its own status (issue 21, item 3)
            down = issubclass(cls, errors.SystemUnreachable)
            assert row.retried and row.exit == (exits.EXIT_UNREACHABLE if down else exits.EXIT_RETRY_LATER), cls
            assert row.stops == ("system" if down else "case"), cls
        if not issubclass(cls, errors.TransientError):
            assert not row.retried, cls
    # a system's missing or refused secret is that system's configuration problem, never a bug
    assert MEANINGS[errors.SecretError].stops == MEANINGS[errors.ConfigError].stops == "system"
    assert MEANINGS[errors.ConfigError].exit == exits.EXIT_CONFIG
    assert MEANINGS[errors.PageChanged].stops == "route"


def _bare(cls: type[BaseException]) -> BaseException:
    """An instance without its constructor's arguments (the table looks at the class only)."""
    return cls.__new__(cls)


@pytest.mark.parametrize("cls", TREE, ids=lambda c: c.__name__)
async def test_the_retry_policy_and_the_console_advice_agree(cls):
    """The former copies: run.retry retried TransientError by its own test, the console's advice had its
    own chain of names. Both read the table now: what the core retries, the console says needs no one."""
    calls = 0

    async def fn() -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise _bare(cls)
        return "ok"

    async def fresh() -> None:
        return None

    row = MEANINGS[cls]
    if row.retried:
        assert await retrying(FAST, fn, fresh) == "ok" and calls == 2
        assert advise(row.outcome or "failed", cls.__name__, "") in (RETRY, advise("unknown", None, None),
                                                                     Advice(row.where, row.what))
    else:
        with pytest.raises(cls):
            await retrying(FAST, fn, fresh)
        assert calls == 1
        advice = advise("failed", cls.__name__, "")
        assert "自动重试" not in advice.what
        assert (advice.where, advice.what) == ((row.where, row.what) if row is not BUG else (advice.where,
                                                                                               advice.what))


@pytest.mark.parametrize("cls", TREE, ids=lambda c: c.__name__)
def test_the_exit_table_and_the_meanings_agree(cls):
    """What ends a command (domain.exits.ERROR_EXITS) ends it with the status the meanings give."""
    code = exits.error_exit(_bare(cls))
    assert code is None or code == MEANINGS[cls].exit, cls.__name__


def test_a_code_missing_is_fixed_in_the_code_table_file():
    assert advise("failed", CodeMissing.__name__, "").where == "代码表文件" == MEANINGS[CodeMissing].where


@pytest.mark.parametrize("cls", TREE, ids=lambda c: c.__name__)
def test_doctor_gives_the_status_the_table_gives(cls):
    """doctor's kinds and their exit statuses (a fifth copy once) are the table's: a system doctor could not
    check ends doctor with the status the same error gives a run."""
    from casebot.ops.doctor import DOCTOR_EXIT, _doctor_kind

    kind = _doctor_kind(_bare(cls))
    row = MEANINGS[cls]
    if row.stops == "system" or row.retried or issubclass(cls, errors.PageChanged):
        assert DOCTOR_EXIT[kind] == row.exit, (cls.__name__, kind)
    else:
        assert kind == "page"


def test_notifications_alert_on_the_tables_statuses():
    from casebot.ops import notify

    assert notify.EXIT_HUMAN_REQUIRED == MEANINGS[errors.LoginBlocked].exit == exits.EXIT_HUMAN_REQUIRED
    assert notify.EXIT_PAGE_CHANGED == MEANINGS[errors.PageChanged].exit == exits.EXIT_PAGE_CHANGED
