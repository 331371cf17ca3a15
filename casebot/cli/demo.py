"""``casebot demo``: the whole loop on the sandbox, with nothing configured.

Starts the sandbox, seeds police cases (plus two with bad data, to show how a
case stops), then runs the loop as the chain lives it: the police ask for an
arrest (提请批准逮捕 → the procuratorate's 审查逮捕 card), the prosecutor decides
(the decision flows back to the police's 决定登记), the cases are transferred
(→ 审查起诉 cards), some are prosecuted (→ the court's 收案登记), a judgment is
pronounced (→ the 判决情况 of the procuratorate's card). After each step it
prints what the clerk would see saved. The sandbox's settings live here too:
the core knows nothing of the simulated systems.
"""

from __future__ import annotations

import copy
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from casebot.cli.common import console, exits
from casebot.domain.exits import EXIT_CASES_FAILED, EXIT_OK

if TYPE_CHECKING:
    from casebot.config import Settings

#: region code -> the short form a 起诉书文号 starts with
_QSS_PREFIX = {"350502": "泉鲤", "350503": "泉丰", "350521": "泉惠", "350526": "泉德", "350581": "泉狮",
               "350582": "泉晋", "350583": "泉南"}


#: the loop's further hops (SPEC 7), each a route naming the kinds of record it reads and writes
LOOP_ROUTES: list[dict[str, Any]] = [
    {"name": "police-arrest-review", "source": "police", "source_kind": "arrest_request",
     "target": "procuratorate", "target_kind": "arrest_review", "filters": {"status": "提请批捕"}},
    {"name": "procuratorate-police-decision", "source": "procuratorate", "source_kind": "arrest_decision",
     "target": "police", "target_kind": "arrest_decision", "case_source": "police"},
    {"name": "court-procuratorate-judgment", "source": "court", "source_kind": "judgment",
     "target": "procuratorate", "target_kind": "judgment", "filters": {"zt": "已宣判"}},
]


def sandbox_settings(urls: dict[str, str], base_dir: Path, *, loop: bool = False, **overrides: Any) -> Settings:
    """Settings for the sandbox at ``urls`` (demo, tests, bench), state under ``base_dir``; with ``loop``,
    the routes of the loop's further hops too."""
    from casebot.config import Settings

    data: dict[str, Any] = {
        "systems": {name: {"url": url, "username": "casebot"} for name, url in urls.items()},
        "routes": [
            {"name": "police-procuratorate", "source": "police", "target": "procuratorate",
             "filters": {"status": "已移送起诉"}},
            {"name": "procuratorate-court", "source": "procuratorate", "target": "court",
             "case_source": "police", "filters": {"zt": "已起诉"}},
            *(LOOP_ROUTES if loop else []),
        ],
        # everything straight under base_dir (a demo's or a test's own folder)
        "ledger": {"url": "sqlite:///ledger.sqlite3"},
        "artifacts": {"dir": "artifacts", "reports": "reports"},
        "audit": {"dir": "audit"},
        "logging": {"file": "casebot.jsonl"},
        "base_dir": base_dir,
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    for name in urls:
        os.environ.setdefault(f"CASEBOT_{name.upper()}_PASSWORD", "sandbox")
    return Settings(**data)


def bad_cases(template: dict[str, Any]) -> list[dict[str, Any]]:
    """Two cases a clerk must look at: an ID with a wrong check digit, and an unknown charge code."""
    import copy

    a = copy.deepcopy(template)
    a["ajbh"] = a["ajbh"][:-4] + "9901"
    # a resident ID whose check digit is wrong (the right one is 5)
    a["xyr"][0].update(zjzl="111", zjhm="350502199003072416", xb="", csrq="", gj="CHN", mz="01")
    b = copy.deepcopy(template)
    b["ajbh"] = b["ajbh"][:-4] + "9902"
    b["ay"] = ["039999"]
    return [a, b]


def qsswh_for(ysdw: str, year: str, n: int) -> str:
    """A 起诉书文号 as the procuratorate of ``ysdw`` (e.g. ``Y350502``) numbers it: ``泉鲤检刑诉〔2026〕123号``."""
    return f"{_QSS_PREFIX.get(ysdw[1:7], '泉')}检刑诉〔{year}〕{n}号"


def prosecute_some(client: Any, fraction: float = 0.7, seed: int = 7) -> int:
    """Mark a share of the procuratorate's records 已起诉, as prosecutors would."""
    rng = random.Random(seed)
    n = 0
    cards = [r for r in client.records("procuratorate") if r.get("ajlb") != "审查逮捕"]  # 审查起诉 cards only
    for i, rec in enumerate(sorted(cards, key=lambda r: r["ysajbh"]), 1):
        if rec.get("zt") == "已起诉" or rng.random() > fraction:
            continue
        client.prosecute(rec["ysajbh"], qsswh_for(rec["ysdw"], rec["slrq"][:4], 100 + i),
                         _after(rec["slrq"], 10 + i % 20))
        n += 1
    return n


def _after(date: str, days: int) -> str:
    from datetime import date as d
    from datetime import timedelta

    return (d.fromisoformat(date) + timedelta(days=days)).isoformat()


def run_demo(*, cases: int = 30, seed: int = 42, workdir: Path = Path("var/demo"),
             echo: Callable[[str], None] = print, execute: Callable[..., Any] | None = None,
             concurrency: int = 2) -> dict[str, Any]:
    from casebot.cli.run import execute as run_execute
    from sandbox.client import SandboxProcess

    if execute is None:
        execute = run_execute
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, mode=0o700)
    with SandboxProcess(port=0) as sb:
        client = sb.client
        echo("沙箱已启动: " + ", ".join(f"{k} {v}" for k, v in sb.urls.items()))
        client.seed(cases, seed)
        police = client.police_cases()
        eligible = [c for c in police if c["ajzt"] == "已移送起诉" and c.get("yssj")]
        client.add_cases(bad_cases(eligible[0]))
        echo(f"公安系统：{len(police) + 2} 起案件，其中 {len(eligible) + 2} 起已移送起诉（含 2 起数据有误的案件）")
        settings: Settings = sandbox_settings(sb.urls, workdir, loop=True, browser={"concurrency": concurrency})
        _arrest_and_decision(client, settings, execute, echo, police)
        first = execute(settings, routes=["police-procuratorate"])
        echo(f"检察院：写入并核对 {first.count('done')} 起，需人工处理 {first.count('failed')} 起")
        n = prosecute_some(client)
        echo(f"检察官对 {n} 起案件提起公诉")
        second = execute(settings, routes=["procuratorate-court"])
        echo(f"法院：写入并核对 {second.count('done')} 起，需人工处理 {second.count('failed')} 起")
        for r in [*first.results, *second.results]:
            if r.outcome == "failed":
                echo(f"  ✗ {r.error}")
        _judgment(client, settings, execute, echo)
        proc = client.records("procuratorate")
        court = client.records("court")
        echo(f"检察院现有 {len(proc)} 条记录，法院现有 {len(court)} 条记录")
        echo(f"报告：{second.report_path}")
        third = _life_goes_on(client, settings, execute, echo, police, proc)
        return {"first": first, "second": second, "third": third, "procuratorate": client.records("procuratorate"),
                "court": client.records("court"), "police": police, "eligible": eligible, "prosecuted": n}


def _today() -> str:
    from datetime import date

    return date.today().isoformat()


def _arrest_and_decision(client: Any, settings: Settings, execute: Callable[..., Any], echo: Callable[[str], None],
                         police: list[dict[str, Any]]) -> None:
    """提请批准逮捕 → 审查逮捕案卡; the prosecutor decides; the decision → the police's 决定登记."""
    waiting = [c for c in police if c["ajzt"] == "侦查中" and c["xyr"][0].get("rybh")]
    if not waiting:
        return
    case = waiting[0]
    suspect = case["xyr"][0]
    tqrq = min(_after(case["lasj"], 3), _today())
    wsh = f"{_QSS_PREFIX.get(case['zbdw'][:6], '泉')}公提捕〔{tqrq[:4]}〕{int(case['ajbh'][-4:])}号"
    client.call("police", "POST", "/_sandbox/request",
                {"ajbh": case["ajbh"], "wsh": wsh, "tqrq": tqrq, "rybh": [suspect["rybh"]]})
    echo(f"公安对 {case['ajbh']} 的 1 名犯罪嫌疑人提请批准逮捕（{wsh}）")
    run = execute(settings, routes=["police-arrest-review"])
    [card] = [r for r in client.records("procuratorate") if r.get("tqpbsh") == wsh] or [None]
    if card is None:
        echo(f"检察院：审查逮捕案卡未写入（{run.results[0].error if run.results else '未列出'}）")
        return
    echo(f"检察院：审查逮捕案卡 {card['bmsah']}，案件类别 {card['ajlb']}，受理日期 {card['slrq']}，"
         f"人卡 {len(card['xyr'])} 张（只含提请逮捕的嫌疑人）")
    jdswh = f"{wsh.split('公')[0]}检捕〔{tqrq[:4]}〕{int(case['ajbh'][-4:])}号"
    client.call("procuratorate", "POST", "/_sandbox/decide", {"ysajbh": case["ajbh"], "tqpbsh": wsh, "index": 1,
                                                              "jd": "1", "jdrq": _today(), "jdswh": jdswh})
    echo(f"检察官作出批准逮捕决定（{jdswh}）")
    execute(settings, routes=["procuratorate-police-decision"])
    held = next(c for c in client.police_cases() if c["ajbh"] == case["ajbh"])
    decision = next((p.get("pbjd") for p in held["xyr"] if p.get("rybh") == suspect["rybh"]), None)
    echo(f"公安：决定登记 {decision['jd']}，{decision['jdrq']}，{decision['jdswh']}" if decision
         else "公安：决定未登记")


def _judgment(client: Any, settings: Settings, execute: Callable[..., Any], echo: Callable[[str], None]) -> None:
    """宣判 → the 判决情况 of the procuratorate's 审查起诉 card."""
    today = _today()
    court = [r for r in client.records("court") if r["sarq"] <= today]
    if not court:
        return
    record = court[0]
    for i, _ in enumerate(record["bgr"], 1):
        client.call("court", "POST", "/_sandbox/judge", {
            "qsswh": record["qsswh"], "index": i, "xprq": today, "pjzm": [record["ay"]], "zx": "有期徒刑",
            "xq": "12", "hx": "", "fj": "5000"})
    echo(f"法院对 {record['ah']} 宣判：{len(record['bgr'])} 名被告人，{record['ay']}，有期徒刑十二个月，罚金五千元")
    run = execute(settings, routes=["court-procuratorate-judgment"])
    held = next((r for r in client.records("procuratorate") if r.get("qsswh") == record["qsswh"]), None)
    if held is None or held.get("zt") != "已判决":
        echo(f"检察院：判决情况未写入（{run.results[0].error if run.results else '未列出'}）")
        return
    pj = held["xyr"][0]["pjqk"]
    echo(f"检察院：{held['bmsah']} 状态 {held['zt']}，判决情况：判决日期 {pj['pjrq']}，"
         f"罪名代码 {'、'.join(pj['pjzm'])}，主刑代码 {pj['zx']}，刑期 {pj['xq']} 个月，罚金 {pj['fj']} 元")


def _life_goes_on(client: Any, settings: Settings, execute: Callable[..., Any], echo: Callable[[str], None],
                  police: list[dict[str, Any]], proc: list[dict[str, Any]]) -> Any:
    """A case changes at the police after transfer (取保候审); a prosecutor renames another by hand."""
    by_key = {c["ajbh"]: c for c in police}
    proc = [r for r in proc if r.get("ajlb") != "审查逮捕"]
    prosecuted = [r["ysajbh"] for r in proc if r.get("zt") == "已起诉" and r["ysajbh"] in by_key]
    others = [r["ysajbh"] for r in proc if r["ysajbh"] in by_key and r["ysajbh"] != (prosecuted or [""])[0]]
    if not prosecuted or not others:
        return None
    changed = copy.deepcopy(by_key[prosecuted[0]])
    suspect = changed["xyr"][0]
    latest = max(suspect["qzcs"], key=lambda m: m["zxrq"], default={"cslx": ""})
    if latest["cslx"] in ("05", "06"):
        suspect["qzcs"].append({"cslx": "02", "zxrq": changed["yssj"]})  # released on bail
        what = "取保候审"
    else:
        suspect["qzcs"].append({"cslx": "06", "zxrq": changed["yssj"]})  # arrested
        suspect["jycs"] = suspect.get("jycs") or "泉州市看守所"
        what = "逮捕"
    renamed = copy.deepcopy(by_key[others[0]])
    renamed["ajmc"] = renamed["ajmc"] + "（更正）"
    client.add_cases([changed, renamed])
    client.call("procuratorate", "POST", "/_sandbox/edit",
                {"ysajbh": renamed["ajbh"], "set": {"ajmc": "检察官改定的案件名称"}})
    echo(f"公安变更 {changed['ajbh']}（犯罪嫌疑人改为{what}）；检察官手工修改了 {renamed['ajbh']} 的案件名称，"
         "公安随后也更正了该案名称")
    third = execute(settings)
    new_failures = [r for r in third.news if r.outcome == "failed"]
    echo(f"再次运行：更新 {third.counters.get('updates', 0)} 处目标记录（检察院、法院），"
         f"新的需人工处理 {len(new_failures)} 起，此前已报告、仍待处理 {len(third.waiting)} 起")
    for r in new_failures:
        echo(f"  ✗ {r.error}")
    return third


def echo_to(out: Any) -> Callable[[str], None]:
    """How the demo says a line on the console ``out``: wrapped at its width (80 columns into a file), but
    the report's path, never wrapped (it is copied whole)."""
    return lambda s: out.print(s, highlight=False, soft_wrap=s.startswith("报告："))


@exits
def demo(cases: int = typer.Option(30, "--cases", help="生成多少件公安案件"),
         seed: int = typer.Option(42, "--seed"),
         workdir: Path = typer.Option(Path("var/demo"), "--workdir", help="台账、日志和报告放在这里"),
         concurrency: int = typer.Option(2, "--concurrency")) -> None:
    """在模拟系统上演示闭环全流程：提请批捕 → 审查逮捕 → 批捕决定回公安 → 移送起诉 → 起诉 → 法院 → 判决回检察院。"""
    result = run_demo(cases=cases, seed=seed, workdir=workdir, concurrency=concurrency, echo=echo_to(console))
    ok = result["first"].count("done") > 0 and result["second"].count("done") > 0
    raise typer.Exit(EXIT_OK if ok else EXIT_CASES_FAILED)
