"""casebot's exceptions, in one tree.

Every error casebot raises is a :class:`CasebotError`. Lower-layer errors
(Playwright, SQLite, YAML, pydantic) are translated where they are met and
chained with ``raise ... from exc``, so callers only ever handle these::

    CasebotError
    ├── ConfigError              a setting is missing or wrong; with ``system``: that system's (its password)
    │   ├── SecretError          a password cannot be read or stored (keyring)
    │   └── UsageError           a command was given arguments it cannot use (an unknown ID...)
    ├── MappingError             a mapping file is invalid (file, line, hint)
    ├── LedgerError              the ledger cannot be used
    │   ├── LedgerCorrupt        ledger file damaged or missing where one is expected
    │   ├── LedgerUnavailable    the shared ledger's server cannot be reached: the run stops
    │   └── LeaseLost            another worker reserved the case since (its fencing token moved on)
    ├── RunLocked                another run holds the workstation lock
    ├── HumanRequired            a person must act (captcha, login): stop the system
    │   └── LoginBlocked         the password was refused before: not tried until a person acts
    ├── PageChanged              the page no longer looks as the adapter expects
    ├── BusinessError            this case stops; never retried; goes to a clerk
    │   ├── DataError            source data breaks a clerk's rule (ID, code, date)
    │   ├── RejectedError        the target system refused the card, with its message
    │   ├── OptionMissing        the target does not offer a value (picker, select, autocomplete)
    │   ├── AlreadyExists        the target says the record exists (duplicate key)
    │   ├── ProbableMatch        the target may hold the case typed by hand under another number
    │   ├── EditConflict         a police change would overwrite what a person changed in the target
    │   └── VerificationError    the read-back differs from the card written
    │       └── AdoptedDiffers   a record typed by hand was adopted and differs from the card
    └── TransientError           retried by the core with backoff
        ├── ServerError          the system answered 5xx or an error page
        ├── SessionExpired       the session ended; log in again and retry
        ├── PageTimeout          the page did not show what was awaited in time
        ├── OutcomeUnknown       a save was sent but its result is unknown
        └── SystemUnreachable    the system's server cannot be reached (refused, no route, no name): its
                                 routes stop for the run, which exits 11

Business errors carry ``case``, ``suspect``, ``field`` and ``reason`` so that a
clerk can read ``str(err)`` as is; ``suspect`` is the subject as a clerk names it
(``嫌疑人1 张*``, ``被告人2 李*``). Messages never carry raw ID numbers or full
names: callers pass masked values (see :mod:`casebot.domain.privacy`).
"""

from __future__ import annotations


class CasebotError(Exception):
    """Base of every casebot error."""


class ConfigError(CasebotError):
    """A setting is missing or invalid; raised before the browser starts.

    ``system``: the system whose configuration it is (a missing or unreadable password):
    that system's routes stop for the run, the others go on, and the run exits 4.
    """

    def __init__(self, message: str = "", *, system: str | None = None) -> None:
        self.system = system
        super().__init__(message)


class SecretError(ConfigError):
    """A password cannot be read or stored: no usable keyring, or the store refused."""


class UsageError(ConfigError):
    """A command was given arguments it cannot use (an ID that does not exist, nothing to act on)."""


class MappingError(CasebotError):
    """A mapping file is invalid. Carries the file, line and a hint."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 hint: str | None = None) -> None:
        self.file = file
        self.line = line
        self.hint = hint
        where = file or "<mapping>"
        if line is not None:
            where = f"{where}:{line}"
        text = f"{where}: {message}"
        if hint:
            text += f" (hint: {hint})"
        super().__init__(text)


class LedgerError(CasebotError):
    """The ledger cannot be opened, migrated or written."""


class LedgerCorrupt(LedgerError):
    """The ledger is damaged, or missing where an earlier run left one."""


class LedgerUnavailable(LedgerError):
    """The shared ledger's database cannot be reached (down, network, refused): the run stops cleanly."""


class LeaseLost(LedgerError):
    """The case was reserved by another owner since this one reserved it: stop, write nothing more.

    Raised by the ledger when an item's fencing token no longer matches its row.
    """


class RunLocked(CasebotError):
    """Another casebot run holds this workstation's lock."""


class HumanRequired(CasebotError):
    """A person must act before the robot can go on (captcha, interactive login).

    Not retried: the whole system is skipped for this run, with a message
    telling the clerk what to do.
    """

    def __init__(self, system: str, reason: str) -> None:
        self.system = system
        self.reason = reason
        super().__init__(f"{system}: {reason}. 请运行 `casebot login {system}` 手动登录后再试。")


class PasswordRefused(HumanRequired):
    """The system refused the configured account (a wrong or expired password): a credential to renew."""

    def __init__(self, system: str, reason: str) -> None:
        super().__init__(system, reason)
        self.args = (f"{system}: 系统拒绝了配置的账号或密码（{reason}）。请用 `casebot secret set {system}` "
                     "更新密码；为免账户被锁定，更新前不再自动尝试。",)


class LoginBlocked(HumanRequired):
    """The system refused these credentials before; trying again could lock the account."""

    def __init__(self, system: str, reason: str) -> None:
        super().__init__(system, reason)
        if "验证码" in reason:  # refused with a captcha: a person logs in by hand
            todo = f"请运行 `casebot login {system}` 手动登录（输入验证码）"
        else:
            todo = f"请用 `casebot secret set {system}` 更新密码"
        self.args = (f"{system}: 上次登录被拒绝（{reason}），为免账户被锁定，不再自动尝试。{todo}。",)


class PageChanged(CasebotError):
    """An element the adapter relies on is missing: the system was probably upgraded."""

    def __init__(self, system: str, what: str, *, label: str | None = None) -> None:
        self.system = system
        self.what = what
        self.label = label
        text = f"{system}: 页面结构已变化，找不到 {what}"
        if label:
            text += f"（字段“{label}”）"
        super().__init__(text)


class BusinessError(CasebotError):
    """This case cannot go on; a clerk must look. Never retried."""


    def __init__(self, reason: str, *, case: str | None = None, suspect: str | None = None,
                 field: str | None = None) -> None:
        self.reason = reason
        self.case = case
        self.suspect = suspect
        self.field = field
        super().__init__(self._text())

    def _text(self) -> str:
        parts = []
        if self.case:
            parts.append(f"案件 {self.case}")
        if self.suspect:
            parts.append(self.suspect)
        if self.field:
            parts.append(f"字段“{self.field}”")
        head = "，".join(parts)
        return f"{head}：{self.reason}" if head else self.reason

    def with_context(self, *, case: str | None = None, suspect: str | None = None,
                     field: str | None = None) -> BusinessError:
        """Fill in what the raiser did not know (the case number, usually)."""
        self.case = self.case or case
        self.suspect = self.suspect or suspect
        self.field = self.field or field
        self.args = (self._text(),)
        return self


class DataError(BusinessError):
    """The source data breaks one of the clerk's rules."""



class RejectedError(BusinessError):
    """The target system refused the card; ``reason`` is the system's own message."""



class OptionMissing(BusinessError):
    """A field of the target does not offer the card's value: "检察院系统'移送案由'中没有选项 0636".

    Typically a code added to a code table but not (yet) to the target system:
    retrying cannot help, a clerk (or the target's administrator) must act.
    Widgets raise it knowing the field; the adapter boundary adds the system.
    """

    def __init__(self, label: str, value: str, *, system: str | None = None, case: str | None = None,
                 suspect: str | None = None) -> None:
        self.label = label
        self.value = value
        self.system = system
        super().__init__(self._reason(), case=case, suspect=suspect, field=label)

    def _reason(self) -> str:
        return f"{self.system or ''}'{self.label}'中没有选项 {self.value}"

    def _text(self) -> str:
        self.reason = self._reason()
        head = "，".join(p for p in (f"案件 {self.case}" if self.case else "", self.suspect or "") if p)
        return f"{head}：{self.reason}" if head else self.reason

    def in_system(self, system: str) -> OptionMissing:
        """Name the system (done once, at the adapter's boundary)."""
        self.system = self.system or system
        self.args = (self._text(),)
        return self


class AlreadyExists(BusinessError):
    """The target already holds a record with this key."""



class VerificationError(BusinessError):
    """The record read back differs from the card written."""


    def __init__(self, differences: list[tuple[str, str, str]], *, case: str | None = None) -> None:
        self.differences = differences
        names = "、".join(d[0] for d in differences)
        detail = "；".join(f"{f} 应为“{want}”，系统中为“{got}”" for f, want, got in differences[:5])
        more = f" 等 {len(differences)} 处" if len(differences) > 5 else ""
        super().__init__(f"保存后回读核对不一致：{detail}{more}", case=case, field=names)


class TransientError(CasebotError):
    """Worth retrying: the core retries it with backoff after reopening the page."""


class ServerError(TransientError):
    """The system answered with a server error page (5xx)."""


class SessionExpired(TransientError):
    """The session ended (redirected to the login page)."""


class PageTimeout(TransientError):
    """What the adapter waited for did not appear in time."""


class SystemUnreachable(TransientError):
    """The system's server cannot be reached at all (connection refused, address or name unknown, connect
    timed out): retried by the core, then the system's routes stop for this run. ``system`` is its configured
    name, ``title`` its own name, ``code`` the network error (``ERR_CONNECTION_REFUSED``)."""

    def __init__(self, system: str, title: str, code: str, why: str) -> None:
        self.system = system
        self.title = title
        self.code = code
        super().__init__(f"{system}: {title}无法连接：{why}（{code}）。请检查该系统的服务器和网络，"
                         "恢复后下次运行自动续办")


class OutcomeUnknown(TransientError):
    """A save was sent and its outcome cannot be known from the answer.

    The runner must resolve it with ``find_existing`` before writing again.
    """


class ProbableMatch(BusinessError):
    """The target may already hold this case, typed by hand under another number: a clerk decides."""

    kind = "probable_match"

    def __init__(self, system: str, records: str, *, case: str | None = None) -> None:
        self.system = system
        self.records = records
        super().__init__(f"目标系统中可能已有此案：{system}中的 {records}；请核对后处理，本案未写入", case=case)


class AdoptedDiffers(VerificationError):
    """A record the target already held (typed by hand) was adopted; it differs from the card. Not overwritten."""

    kind = "adopted_differs"

    def __init__(self, record_id: str, differences: list[tuple[str, str, str]], *, case: str | None = None) -> None:
        super().__init__(differences, case=case)
        self.record_id = record_id
        detail = self.reason.split("：", 1)[1]
        self.reason = f"已采用目标系统中已有的记录 {record_id}（未覆盖），与本案案卡不一致：{detail}"
        self.args = (self._text(),)


class EditConflict(BusinessError):
    """A change from the police would overwrite what a person changed in the target: not applied, a clerk decides."""

    kind = "edit_conflict"

    def __init__(self, system: str, record_id: str, conflicts: list[str], *, case: str | None = None) -> None:
        self.record_id = record_id
        self.conflicts = conflicts
        super().__init__(f"{system}中的记录 {record_id} 已被人修改，公安系统的变更未覆盖：" + "；".join(conflicts),
                         case=case)
