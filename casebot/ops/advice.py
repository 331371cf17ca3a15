"""Where a person fixes what stopped a case: the police data, a code table file, the target system, a mapping.

Read from what the ledger keeps of a failure (its error type and message);
anything not recognised says so rather than guessing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Advice:
    where: str
    what: str


RETRY = Advice("无需处理", "暂时性错误，下次运行自动重试；多次仍失败时看截图和追踪")
#: states that ask nothing of a person: what each means instead
SETTLED = {
    "done": Advice("无需处理", "已写入目标系统并核对一致"),
    "pending": Advice("无需处理", "等待下次运行写入"),
    "writing": Advice("无需处理", "正在写入；运行中断时下次运行先查目标系统，不会重复写入"),
}


def advise(state: str, error_type: str | None, message: str | None) -> Advice:
    text = message or ""
    if error_type == "PageChanged":
        # the page changed before anything was saved (or while reading back): nothing to check on the target
        # until the adapter follows the page; the message names the system, the page and the field
        return Advice("目标系统的页面", "页面已变化，本案未能保存（原因中写明哪个系统、哪个页面、哪个字段）："
                                        "请适配器维护人员更新适配器或映射后 replay；"
                                        "若状态为待确认，replay 会先查目标系统，不会重复写入")
    if state in SETTLED and not error_type:
        return SETTLED[state]
    if state == "retry":
        return RETRY
    if state in ("written", "unknown"):
        return Advice("目标系统", "已提交但未核对：到目标系统查看这件案件是否已保存，然后 replay（不会重复写入）")
    if error_type == "CodeMissing" or "代码表" in text:
        return Advice("代码表文件", "在 mappings/codes/ 的代码表 CSV 中补上这个代码"
                                    "（或在公安系统改正代码），然后 replay --fresh")
    if error_type == "DataError":
        if "找不到该案件" in text:
            return Advice("公安系统的数据", "公安系统中已没有这件案件：核实后在台账中忽略它")
        return Advice("公安系统的数据", "在公安系统中改正所说的字段，然后 replay --fresh（重新读取）")
    if error_type == "RejectedError":
        return Advice("目标系统", "按目标系统给出的原因处理（如补全信息、联系目标系统管理员），然后 replay")
    if error_type == "AlreadyExists":
        return Advice("目标系统", "目标系统已有同号记录：核对是否为同一案件；是则无需再写")
    if error_type == "EditConflict":
        return Advice("目标系统", "公安的变更会覆盖目标系统中有人改过的地方：在目标系统中核对这些字段，"
                                  "按应有的内容改好后 replay --fresh；或在路线设置 on_conflict = \"skip-field\"")
    if error_type == "ProbableMatch":
        return Advice("目标系统", "目标系统中可能已有人工录入的同一案件：核对所列记录，是同一案件就把它的编号"
                                  "改成本案的编号后 replay（会采用它，不会新建），不是则 replay")
    if error_type == "AdoptedDiffers":
        return Advice("目标系统", "已采用目标系统中人工录入的记录（未覆盖），它与案卡不一致：在目标系统中核对所列字段，"
                                  "需要时改正，然后 replay")
    if error_type == "OptionMissing":
        return Advice("目标系统", "目标系统的下拉选项中没有这个代码：请目标系统管理员添加"
                                  "（casebot doctor 列出所有缺少的代码），或在 mappings/codes/ 中改正代码表，"
                                  "然后 replay --fresh")
    if error_type == "VerificationError":
        return Advice("映射文件", "回读的内容与写入的不同：检查 mappings/ 中该字段的映射或目标系统的自动改写，"
                                  "改正后 replay --fresh")
    if error_type == "MappingError":
        return Advice("映射文件", "按提示改正 mappings/ 中的映射文件（casebot mappings check），然后 replay --fresh")
    return Advice("未识别", f"未识别的错误类型 {error_type or '（无）'}：看截图、追踪和 casebot failures show")
