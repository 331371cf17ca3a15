"""Case numbers and ID numbers typed in full width, lower case or with spaces still find their record
(SPEC rule 9), in every hop: the target's search, and the lookup of the police case across hops.

Found by adversarial testing: a court record typed by hand with its 起诉书文号 and 身份证号 in full width
(``泉鲤检刑诉（２０２６）９１０３号``) was found by neither search and a second record was written; a
procuratorate record adopted with its key in lower case, full width or with spaces never reached the court
("公安系统中找不到该案件").
"""

from __future__ import annotations

import copy

from casebot.run import Runner
from tests.e2e.test_hand_typed import prosecuted_example, stored
from tests.golden import EXAMPLE, golden

FULL = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def full_width(text: str) -> str:
    return text.translate(FULL)


async def test_court_record_typed_in_full_width_is_found_not_doubled(sandbox, settings):
    p, court = prosecuted_example(sandbox)
    bgr = copy.deepcopy(court["bgr"])
    for d in bgr:
        d["sfzh"] = full_width(d["sfzh"])
    typed = {**{k: copy.deepcopy(court[k]) for k in ("ay", "gsjg", "sarq")}, "bgr": bgr,
             "qsswh": full_width(p["qsswh"].replace("〔", "(").replace("〕", ")"))}
    [ah] = sandbox.call("court", "POST", "/_sandbox/records", [typed])["ah"]

    summary = await Runner(settings, routes=["procuratorate-court"]).run()
    [result] = summary.results
    assert result.record_id == ah, (result.outcome, result.error)
    assert [r["ah"] for r in sandbox.records("court")] == [ah], "no second record"


async def test_procuratorate_record_adopted_with_a_loose_key_reaches_the_court(sandbox, settings):
    g = golden().only(EXAMPLE)
    sandbox.add_cases(g.police)
    loose = " " + full_width(EXAMPLE[:8]) + EXAMPLE[8:].lower() + "\u3000"
    sandbox.call("procuratorate", "POST", "/_sandbox/records", [stored(g.procuratorate[EXAMPLE], ysajbh=loose)])
    first = await Runner(settings, routes=["police-procuratorate"]).run()
    assert [r.outcome for r in first.results] == ["done"], [r.error for r in first.results]
    [p] = g.prosecutions
    sandbox.prosecute(loose, p["qsswh"], p["qsrq"])
    summary = await Runner(settings, routes=["procuratorate-court"]).run()
    [result] = summary.results
    assert result.outcome == "done", result.error
    assert "公安系统中找不到" not in (result.error or "")
    assert len(sandbox.records("court")) == 1
