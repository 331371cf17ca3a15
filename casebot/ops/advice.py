"""Where a person fixes what stopped a case: the police data, a code table file, the target system, a mapping.

Read from what the ledger keeps of a failure (its error type and message) and the one table of what
each error means (:mod:`casebot.domain.meanings`); anything not recognised says so rather than guessing.
"""

from __future__ import annotations

from dataclasses import dataclass

from casebot import errors
from casebot.domain.codes import CodeMissing
from casebot.domain.meanings import BUG, MEANINGS, meaning_named


@dataclass(frozen=True)
class Advice:
    where: str
    what: str


RETRY = Advice(MEANINGS[errors.TransientError].where, MEANINGS[errors.TransientError].what)
#: states that ask nothing of a person: what each means instead
SETTLED = {
    "done": Advice("无需处理", "已写入目标系统并核对一致"),
    "pending": Advice("无需处理", "等待下次运行写入"),
    "writing": Advice("无需处理", "正在写入；运行中断时下次运行先查目标系统，不会重复写入"),
}


def advise(state: str, error_type: str | None, message: str | None) -> Advice:
    text = message or ""
    if error_type == "PageChanged":
        # before the state: the page changed before anything was saved (or while reading back), whatever
        # state the case was left in; the message names the system, the page and the field
        row = MEANINGS[errors.PageChanged]
        return Advice(row.where, row.what)
    if error_type == "SystemUnreachable":  # its server was down: its administrator acts, not a clerk
        row = MEANINGS[errors.SystemUnreachable]
        return Advice(row.where, row.what)
    if state in SETTLED and not error_type:
        return SETTLED[state]
    if state == "retry":
        return RETRY
    if state in ("written", "unknown"):
        return Advice(MEANINGS[errors.OutcomeUnknown].where, MEANINGS[errors.OutcomeUnknown].what)
    if "代码表" in text:  # a code table's word, whatever type carried it
        return Advice(MEANINGS[CodeMissing].where, MEANINGS[CodeMissing].what)
    if error_type == "DataError" and "找不到该案件" in text:
        return Advice("公安系统的数据", "公安系统中已没有这件案件：核实后在台账中忽略它")
    row = meaning_named(error_type)
    if row is not None and row is not BUG:
        return Advice(row.where, row.what)
    return Advice("未识别", f"未识别的错误类型 {error_type or '（无）'}：看截图、追踪和 casebot failures show")
