"""The loop's rules that need no page (SPEC 7): a request's view of its case, who a decision or a
judgment is about, and terms only for penalties that have one."""

from __future__ import annotations

import pytest

from casebot.errors import DataError
from casebot.mapping.filters import f_same_person, f_term
from casebot.matching import match_person
from casebot.model import as_requested, case_number, request_key, split_request_key

CASE = {
    "ajbh": "A3505830000002026100005",
    "xyr": [{"rybh": "R1", "xm": "周敏", "qzcs": [{"cslx": "04", "zxrq": "2026-10-12"}]},
            {"rybh": "R2", "xm": "杨峰", "qzcs": [{"cslx": "05", "zxrq": "2026-09-28"},
                                                   {"cslx": "06", "zxrq": "2026-10-08"}]}],
    "tqpb": [{"wsh": "南公提捕〔2026〕31号", "tqrq": "2026-10-01", "rybh": ["R2"]}],
}


def test_a_request_sees_its_suspects_only_with_the_measures_taken_by_its_date():
    seen = as_requested(CASE, "南公提捕[2026]31号")  # a document number in another bracket spelling
    assert seen is not None
    assert [p["rybh"] for p in seen["xyr"]] == ["R2"]
    assert seen["xyr"][0]["qzcs"] == [{"cslx": "05", "zxrq": "2026-09-28"}]
    assert seen["tqpb"] == CASE["tqpb"]
    assert as_requested(CASE, "南公提捕〔2026〕99号") is None


def test_record_keys_of_kinds_start_with_their_case_number():
    key = request_key("A3505830000002026100005", " 南公提捕〔2026〕31号 ")
    assert key == "A3505830000002026100005#南公提捕〔2026〕31号"
    assert split_request_key(key) == ("A3505830000002026100005", "南公提捕〔2026〕31号")
    assert case_number(key + "#2") == case_number(key) == "A3505830000002026100005"
    with pytest.raises(ValueError):
        split_request_key("A3505830000002026100005")


def test_a_person_is_matched_by_id_number_else_by_name():
    people = [("350583198802140000", "周敏"), ("35052619791111001X", "杨峰"), ("", "NGUYEN VAN AN")]
    assert match_person(people, "35052619791111001x", "别名") == 1  # the ID decides, whatever the name
    assert match_person(people, "350583198802140001", "周敏") is None  # an ID no one has: no guess by name
    assert match_person([("", "NGUYEN VAN AN")], "", "nguyen van an") == 0
    assert match_person([("", "张三"), ("", "张三")], "", "张三") is None  # two of that name: no one


def test_same_person_gives_the_suspects_number_or_stops_the_case():
    class S:
        def __init__(self, rybh, id_number, name):
            self.rybh, self.id_number, self.name = rybh, id_number, name

    suspects = [S("R1", "350583198802140000", "周敏"), S("R2", "35052619791111001X", "杨峰")]
    assert f_same_person(suspects, "35052619791111001X", "杨峰") == "R2"
    with pytest.raises(DataError):
        f_same_person(suspects, "350502199003072415", "张三")


def test_a_term_only_for_a_penalty_that_has_one():
    assert f_term("18", "yes") == "18"
    assert f_term("", "no") == ""
    with pytest.raises(DataError) as info:
        f_term("6", "no")
    assert "刑期" in str(info.value)


def test_status_run_and_report_name_each_hop_and_count_per_hop(tmp_path):
    from casebot.commands.demo import sandbox_settings
    from casebot.report import render
    from casebot.run.outcome import CaseResult, RunSummary

    settings = sandbox_settings({"police": "http://a", "procuratorate": "http://b", "court": "http://c"},
                                tmp_path, loop=True)
    hops = {r.name: r.hop(settings) for r in settings.routes}
    assert hops == {
        "police-procuratorate": "公安移送起诉 → 检察院审查起诉案卡",
        "procuratorate-court": "检察院起诉 → 法院收案登记",
        "police-arrest-review": "公安提请批准逮捕 → 检察院审查逮捕案卡",
        "procuratorate-police-decision": "检察院批捕决定 → 公安决定登记",
        "court-procuratorate-judgment": "法院宣判 → 检察院判决情况",
    }
    summary = RunSummary(run_id="r1", started=0.0)
    summary.results += [CaseResult("police-arrest-review", "A#1", "done"),
                        CaseResult("police-arrest-review", "A#2", "done"),
                        CaseResult("court-procuratorate-judgment", "Q1", "failed", error="主刑")]
    html = render(summary, manual_minutes=6.0, hops=hops)
    assert "公安提请批准逮捕 → 检察院审查逮捕案卡</td>\n <td>已完成 2</td>" in html
    assert "法院宣判 → 检察院判决情况</td>\n <td>需人工处理 1</td>" in html
