"""update() on both targets: a change at the police applied through the target's 修改 pages, changed places only."""

from __future__ import annotations

import copy
from typing import Any

from adapters.court import CourtAdapter
from adapters.procuratorate import ProcuratorateAdapter
from casebot.domain.changes import diff
from casebot.domain.verify import differences
from casebot.kit.base import Credentials, SystemConfig
from sandbox.client import SandboxClient
from tests.adapters.test_court import CARD as COURT_CARD
from tests.adapters.test_find_match import person_id
from tests.adapters.test_procuratorate import CARD as PROC_CARD

CREDS = Credentials("casebot", "sandbox")


async def test_procuratorate_update_changes_fields_and_person_cards(context: Any, urls: dict[str, str],
                                                                   sandbox: SandboxClient) -> None:
    written = copy.deepcopy(PROC_CARD)
    [bmsah] = sandbox.call("procuratorate", "POST", "/_sandbox/records", [written])["bmsah"]
    sandbox.call("procuratorate", "POST", "/_sandbox/edit", {"ysajbh": written["ysajbh"],
                                                           "xyr": {"0": {"hjdxz": "一名检察官改过的地址"}}})
    wanted = copy.deepcopy(written)
    wanted["slrq"] = "2026-12-10"                                    # transferred again after 补充侦查
    wanted["xyr"][0].update(qzcs="6", qzcsrq="2026-11-30")            # 逮捕
    del wanted["xyr"][1]                                              # a suspect removed
    wanted["xyr"].append(dict(written["xyr"][0], xm="李四", zjhm=person_id(41), bm="", qzcs="", qzcsrq="",
                              jycs=""))                              # an accomplice added
    changes = diff(written, wanted)
    adapter = ProcuratorateAdapter(context, SystemConfig("procuratorate", urls["procuratorate"], CREDS))
    assert await adapter.update(bmsah, wanted, changes) == bmsah
    [rec] = sandbox.records("procuratorate")
    assert rec["bmsah"] == bmsah and rec["slrq"] == "2026-12-10"
    assert [p["xm"] for p in rec["xyr"]] == ["张三", "李四"]
    assert rec["xyr"][0]["hjdxz"] == "一名检察官改过的地址", "a place the update does not touch is left alone"
    wanted["xyr"][0]["hjdxz"] = "一名检察官改过的地址"
    assert differences(wanted, await adapter.read_back(bmsah)) == []


async def test_court_update_changes_fields_and_defendant_rows(context: Any, urls: dict[str, str],
                                                             sandbox: SandboxClient) -> None:
    written = copy.deepcopy(COURT_CARD)
    [ah] = sandbox.call("court", "POST", "/_sandbox/records", [written])["ah"]
    wanted = copy.deepcopy(written)
    wanted["sarq"] = "2026-12-05"
    wanted["bgr"][0].update(jyzt="未羁押", qzcs="取保候审", jycs="", jyrq="")   # released on bail
    wanted["bgr"][1]["zy"] = "厨师"
    wanted["bgr"].append({"xm": "王芳", "xb": "女", "csrq": "1992-01-01", "sfzh": "", "mz": "汉族", "whcd": "初中",
                          "zy": "", "zz": "", "jyzt": "未羁押", "qzcs": "", "jycs": "", "jyrq": ""})
    adapter = CourtAdapter(context, SystemConfig("court", urls["court"], CREDS))
    assert await adapter.update(ah, wanted, diff(written, wanted)) == ah
    [rec] = sandbox.records("court")
    assert rec["ah"] == ah and rec["sarq"] == "2026-12-05" and len(rec["bgr"]) == 3
    assert differences(wanted, await adapter.read_back(ah)) == []
