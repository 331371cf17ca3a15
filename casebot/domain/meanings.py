"""What each error means: the one table the run, retries, reconcile, doctor, notifications and the console read.

For every class of :mod:`casebot.errors` (and the code tables' :class:`~casebot.domain.codes.CodeMissing`):
the state it leaves the case in, whether the core retries it, what it stops (the case, the route, the
system or the whole run), the exit status it contributes, its word for logs and doctor, and where a
person fixes it with the words they read. An error casebot does not know is a bug (:data:`BUG`).
A test walks the error tree and checks every class has its own row here.
Imports only the error tree, the code tables' error and the exit table.
"""

from __future__ import annotations

from dataclasses import dataclass

from casebot import errors
from casebot.domain import exits
from casebot.domain.codes import CodeMissing

#: what an error stops: only its case, the route it met it on, every route of its system, or the run
CASE, ROUTE, SYSTEM, RUN = "case", "route", "system", "run"


@dataclass(frozen=True)
class Meaning:
    #: the state the case is left in ("failed": a clerk looks; "retry": the next run takes it up again;
    #: None: the ledger keeps what it last had, the run stops)
    outcome: str | None
    #: tried again by the core within the run (:mod:`casebot.run.retry`)
    retried: bool
    #: CASE, ROUTE, SYSTEM or RUN
    stops: str
    #: the exit status it contributes to the run or command it ends (:mod:`casebot.domain.exits`)
    exit: int
    #: its word for logs, JSON and doctor's rows
    kind: str
    #: where a person fixes it
    where: str
    #: what the person does there
    what: str


_FAILED = "failed"
_RETRY = "retry"

_TARGET_SAYS = "按目标系统给出的原因处理（如补全信息、联系目标系统管理员），然后 replay"
_LOGIN = "请运行 casebot login 系统名 手动登录（验证码），或用 casebot secret set 系统名 更新密码，然后再运行"
_PASSWORD = "用 casebot secret set 系统名 更新密码，然后再运行；为免账户被锁定，更新前不再自动尝试"
_TRANSIENT = "暂时性错误，下次运行自动重试；多次仍失败时看截图和追踪"

#: the bug row: an error casebot does not know (not retried, left for the next run, the run exits 8)
BUG = Meaning(_RETRY, False, CASE, exits.EXIT_BUG, "bug", "程序缺陷",
              "意外错误（程序缺陷）：看日志、截图和追踪，报告给维护者")

#: every error's meaning, by its class; a subclass without a row of its own takes its nearest parent's
MEANINGS: dict[type[BaseException], Meaning] = {
    errors.CasebotError: BUG,
    # configuration: nothing of the system (or the run) goes on until it is fixed
    errors.ConfigError: Meaning(_RETRY, False, SYSTEM, exits.EXIT_CONFIG, "config", "配置文件",
                                "按提示改正 casebot 的配置文件（casebot doctor 检查），然后再运行"),
    errors.SecretError: Meaning(_RETRY, False, SYSTEM, exits.EXIT_CONFIG, "password", "密码",
                                "用 casebot secret set 系统名 保存该系统的密码（或检查密钥环），然后再运行"),
    errors.UsageError: Meaning(None, False, RUN, exits.EXIT_CONFIG, "usage", "命令参数",
                               "按 casebot 命令名 --help 改正所给的参数"),
    errors.MappingError: Meaning(None, False, RUN, exits.EXIT_CONFIG, "mapping", "映射文件",
                                 "按提示改正 mappings/ 中的映射文件（casebot mappings check），然后 replay --fresh"),
    # the ledger
    errors.LedgerError: Meaning(None, False, RUN, exits.EXIT_LEDGER, "ledger", "台账",
                                "台账无法使用：运行 casebot ledger check 查看原因，必要时从备份恢复"),
    errors.LedgerCorrupt: Meaning(None, False, RUN, exits.EXIT_LEDGER, "ledger", "台账",
                                  "台账文件损坏或缺失：运行 casebot ledger check 查看原因，从备份恢复后再运行"),
    errors.LedgerUnavailable: Meaning(None, False, RUN, exits.EXIT_LEDGER_UNAVAILABLE, "ledger_unavailable",
                                      "共享台账数据库", "数据库无法连接：恢复数据库或网络后再运行（未丢失任何数据）"),
    errors.LeaseLost: Meaning(_RETRY, False, CASE, exits.EXIT_LEDGER, "lease_lost", "无需处理",
                              "另一工作站已接手此案，由它完成"),
    errors.RunLocked: Meaning(None, False, RUN, exits.EXIT_LOCKED, "locked", "无需处理",
                              "另一次运行正在进行：等它结束后再运行"),
    # a person must log in: the system waits for them
    errors.HumanRequired: Meaning(_RETRY, False, SYSTEM, exits.EXIT_HUMAN_REQUIRED, "login", "登录", _LOGIN),
    errors.PasswordRefused: Meaning(_RETRY, False, SYSTEM, exits.EXIT_HUMAN_REQUIRED, "login", "密码", _PASSWORD),
    errors.LoginBlocked: Meaning(_RETRY, False, SYSTEM, exits.EXIT_HUMAN_REQUIRED, "login", "登录", _LOGIN),
    # the target's pages changed: every next case of the route would wait out the same timeout
    errors.PageChanged: Meaning(_RETRY, False, ROUTE, exits.EXIT_PAGE_CHANGED, "page", "目标系统的页面",
                                "页面已变化，本案未能保存（原因中写明哪个系统、哪个页面、哪个字段）："
                                "请适配器维护人员更新适配器或映射后 replay（casebot doctor 也会列出）；"
                                "若状态为待确认，replay 会先查目标系统，不会重复写入"),
    # bad data or a target's refusal: this case goes to a clerk
    errors.BusinessError: Meaning(_FAILED, False, CASE, exits.EXIT_CASES_FAILED, "business", "目标系统",
                                  _TARGET_SAYS),
    errors.DataError: Meaning(_FAILED, False, CASE, exits.EXIT_CASES_FAILED, "data", "公安系统的数据",
                              "在公安系统中改正所说的字段，然后 replay --fresh（重新读取）"),
    CodeMissing: Meaning(_FAILED, False, CASE, exits.EXIT_CASES_FAILED, "code_missing", "代码表文件",
                         "在 mappings/codes/ 的代码表 CSV 中补上这个代码（或在公安系统改正代码），然后 replay --fresh"),
    errors.RejectedError: Meaning(_FAILED, False, CASE, exits.EXIT_CASES_FAILED, "rejected", "目标系统",
                                  _TARGET_SAYS),
    errors.OptionMissing: Meaning(_FAILED, False, CASE, exits.EXIT_CASES_FAILED, "option_missing", "目标系统",
                                  "目标系统的下拉选项中没有这个代码：请目标系统管理员添加（casebot doctor 列出所有缺少"
                                  "的代码），或在 mappings/codes/ 中改正代码表，然后 replay --fresh"),
    errors.AlreadyExists: Meaning(_FAILED, False, CASE, exits.EXIT_CASES_FAILED, "already_exists", "目标系统",
                                  "目标系统已有同号记录：核对是否为同一案件；是则无需再写"),
    errors.ProbableMatch: Meaning(_FAILED, False, CASE, exits.EXIT_CASES_FAILED, "probable_match", "目标系统",
                                  "目标系统中可能已有人工录入的同一案件：核对所列记录，是同一案件就把它的编号改成本案的"
                                  "编号后 replay（会采用它，不会新建），不是则 replay"),
    errors.EditConflict: Meaning(_FAILED, False, CASE, exits.EXIT_CASES_FAILED, "edit_conflict", "目标系统",
                                 "公安的变更会覆盖目标系统中有人改过的地方：在目标系统中核对这些字段，按应有的内容改好"
                                 "后 replay --fresh；或在路线设置 on_conflict = \"skip-field\""),
    errors.VerificationError: Meaning(_FAILED, False, CASE, exits.EXIT_CASES_FAILED, "verification", "映射文件",
                                      "回读的内容与写入的不同：检查 mappings/ 中该字段的映射或目标系统的自动改写，"
                                      "改正后 replay --fresh"),
    errors.AdoptedDiffers: Meaning(_FAILED, False, CASE, exits.EXIT_CASES_FAILED, "adopted_differs", "目标系统",
                                   "已采用目标系统中人工录入的记录（未覆盖），它与案卡不一致：在目标系统中核对所列字段，"
                                   "需要时改正，然后 replay"),
    # transient: the core retries; what outlasts the attempts is the next run's
    errors.TransientError: Meaning(_RETRY, True, CASE, exits.EXIT_RETRY_LATER, "unreachable", "无需处理", _TRANSIENT),
    errors.ServerError: Meaning(_RETRY, True, CASE, exits.EXIT_RETRY_LATER, "unreachable", "无需处理", _TRANSIENT),
    errors.SessionExpired: Meaning(_RETRY, True, CASE, exits.EXIT_RETRY_LATER, "unreachable", "无需处理",
                                   _TRANSIENT),
    errors.PageTimeout: Meaning(_RETRY, True, CASE, exits.EXIT_RETRY_LATER, "unreachable", "无需处理", _TRANSIENT),
    # the system's server cannot be reached: every next case of it would wait out the same attempts
    errors.SystemUnreachable: Meaning(_RETRY, True, SYSTEM, exits.EXIT_UNREACHABLE, "system_unreachable",
                                      "该系统的服务器或网络",
                                      "系统无法连接（原因中写明哪个系统）：请该系统的管理员或网络管理员恢复服务"
                                      "（casebot doctor 检查连接），恢复后下次运行自动续办，无需 replay"),
    errors.OutcomeUnknown: Meaning("unknown", True, CASE, exits.EXIT_RETRY_LATER, "unreachable", "目标系统",
                                   "已提交但未核对：到目标系统查看这件案件是否已保存，然后 replay（不会重复写入）"),
}

#: the rows by the class's name: what the ledger keeps of a failure is its error type's name
BY_NAME: dict[str, Meaning] = {cls.__name__: m for cls, m in MEANINGS.items()}


def meaning(error: BaseException | type[BaseException]) -> Meaning:
    """The meaning of an error (or error class): its own row, else its nearest parent's; :data:`BUG` for
    anything outside casebot's tree."""
    cls = error if isinstance(error, type) else type(error)
    for base in cls.__mro__:
        row = MEANINGS.get(base)
        if row is not None:
            return row
    return BUG


def meaning_named(error_type: str | None) -> Meaning | None:
    """The meaning of an error kept by its class's name (the ledger's ``error_type``); None when unknown."""
    return BY_NAME.get(error_type or "")


def retried(error: BaseException) -> bool:
    """Whether the core tries again after ``error`` (the one retry decision)."""
    return meaning(error).retried
