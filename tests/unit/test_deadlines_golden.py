"""Golden deadlines: cards as the ledger holds them (SPEC field names), the deadlines written by hand, compared by ==.

Each expected row was counted on a calendar, not by the code: start (not counted), the period, the holiday
shift (2026's official schedule: 1-7 October off, 15-23 February off, 10 October worked), custody.
"""

from __future__ import annotations

from datetime import date

from casebot.deadlines.calendar import Calendar
from casebot.deadlines.compute import compute, gather

D = date.fromisoformat
TODAY = D("2026-12-03")


def person(xm, zjhm, qzcs="", qzcsrq="", **more):
    return {"xm": xm, "zjhm": zjhm, "qzcs": qzcs, "qzcsrq": qzcsrq, "jycs": "KSS350500" if qzcs in ("5", "6") else "",
            **more}


def review(ysajbh, slrq, xyr, **more):
    return {"ysajbh": ysajbh, "ajmc": "案件", "ajlb": "审查起诉", "ysdw": "Y350502", "ysay": ["0502"],
            "slrq": slrq, "ajzy": "", "xyr": xyr, **more}


def court(sarq, qsswh, bgr):
    return {"ay": "盗窃罪", "gsjg": "泉州市鲤城区人民检察院", "qsswh": qsswh, "sarq": sarq, "bgr": bgr}


def defendant(xm, sfzh, jyzt):
    return {"xm": xm, "sfzh": sfzh, "jyzt": jyzt, "qzcs": "逮捕" if jyzt == "在押" else "取保候审"}


A, B, C, D_, E, F, G = (f"A35050200000020260{n}0001" for n in range(1, 8))
ENTRIES = [
    # A: accepted 1 September; one arrested suspect, one on bail; no 起诉 yet (as of 5 October)
    ("police-procuratorate", A, review(A, "2026-09-01", [
        person("张三", "350502199003072415", "6", "2026-08-10"),
        person("李四", "350502199104050023", "2", "2026-08-01")]), []),
    # B: accepted 3 August, returned once, re-transferred 20 October; court accepted 18 November
    ("police-procuratorate", B, review(B, "2026-10-20", [person("王五", "350502198801010016", "6", "2026-06-01")]),
     [review(B, "2026-08-03", [person("王五", "350502198801010016", "6", "2026-06-01")])]),
    ("procuratorate-court", B, court("2026-11-18", "泉鲤检刑诉〔2026〕2号",
                                     [defendant("王五", "350502198801010016", "在押")]), []),
    # C: a 审查逮捕 request (SPEC section 7): two suspects held under 刑事拘留, one decided
    ("police-procuratorate-arrest", C, {
        "ysajbh": C, "tqpbsh": "泉鲤公提捕字〔2026〕5号", "ajlb": "审查逮捕", "ysdw": "Y350502", "slrq": "2026-11-27",
        "xyr": [person("赵六", "350502199202020027", "5", "2026-11-20", pbjd={}),
                person("钱七", "350502199303030031", "5", "2026-11-21",
                       pbjd={"jd": "1", "jdrq": "2026-12-02", "jdswh": "泉鲤检捕〔2026〕12号"})]}, []),
    # D: 受理日期 missing: shown, not skipped
    ("police-procuratorate", D_, review(D_, "", [person("周九", "350502199404040045", "2", "2026-11-01")]), []),
    # E: accepted in 2027, a year chinesecalendar 1.11 does not know
    ("police-procuratorate", E, review(E, "2027-01-04", [person("吴十", "350502199505050052", "2", "2026-12-20")]),
     []),
    # F: court accepted 15 September, judged 16 November (hop 5's card, joined by 起诉书文号)
    ("procuratorate-court", F, court("2026-09-15", "泉鲤检刑诉〔2026〕9号",
                                     [defendant("孙八", "350502199606060068", "未羁押")]), []),
    ("court-procuratorate", "泉鲤检刑诉〔2026〕9号", {
        "qsswh": "泉鲤检刑诉〔2026〕9号", "zt": "已判决",
        "xyr": [{"xm": "孙八", "zjhm": "350502199606060068",
                 "pjqk": {"pjrq": "2026-11-16", "pjzm": ["0502"], "zx": "1", "xq": 6, "hx": "", "fj": 2000}}]}, []),
    # G: the procuratorate read back three returns (thcs): one more than the law allows
    ("police-procuratorate", G, review(G, "2026-11-25", [], thcs=3), []),
]


def rows(today: date):
    found = compute(gather(ENTRIES), today=today, cal=Calendar.load())
    return [(d.case, d.rule, d.person, d.start, d.due, d.state, d.days_left, d.verified) for d in found]


def test_golden_deadlines_on_5_october():
    got = [r for r in rows(D("2026-10-05")) if r[0] == A]
    assert got == [
        # arrested 10 August + 2 months = 10 October; transferred 1 September: met
        (A, "investigation_custody", "张*", D("2026-08-10"), D("2026-10-10"), "met", None, True),
        # 1 September + 1 month = 1 October, a holiday; in custody: not extended (art. 105)
        (A, "prosecution_review", "张*", D("2026-09-01"), D("2026-10-01"), "overdue", -4, True),
        # on bail: the holiday week extends it to 8 October, the first working day after it
        (A, "prosecution_review", "李*", D("2026-09-01"), D("2026-10-08"), "due_soon", 3, True),
    ]


def test_golden_deadlines_on_3_december():
    got = [r for r in rows(TODAY) if r[0] != A]
    assert got == [
        # arrested 1 June + 2 months = 1 August (a Saturday; in custody, not extended); transferred 3 August: late
        (B, "investigation_custody", "王*", D("2026-06-01"), D("2026-08-01"), "late", None, True),
        # re-transferred 20 October: counted anew (art. 175), + 1 month = 20 November; 起诉 18 November
        (B, "prosecution_review", "王*", D("2026-10-20"), D("2026-11-20"), "met", None, True),
        (B, "supplementary_investigation", "", None, None, "met", None, True),
        # 18 November + 2 months = 18 January 2027; in custody, so no calendar is needed: verified
        (B, "first_instance", "王*", D("2026-11-18"), D("2027-01-18"), "running", 46, True),
        # requested 27 November + 7 days = 4 December
        (C, "arrest_review", "赵*", D("2026-11-27"), D("2026-12-04"), "due_soon", 1, True),
        (C, "arrest_review", "钱*", D("2026-11-27"), D("2026-12-04"), "met", None, True),
        # approved 2 December: + 2 months = 2 February 2027
        (C, "investigation_custody", "钱*", D("2026-12-02"), D("2027-02-02"), "running", 61, True),
        (D_, "prosecution_review", "周*", None, None, "unknown", None, True),
        # 4 January 2027 + 1 month = 4 February 2027, a Thursday by weekends only: unverified
        (E, "prosecution_review", "吴*", D("2027-01-04"), D("2027-02-04"), "running", 63, False),
        # 15 September + 2 months = 15 November, a Sunday; on bail: 16 November; judged that day: met
        (F, "first_instance", "孙*", D("2026-09-15"), D("2026-11-16"), "met", None, True),
        # 25 November + 1 month = 25 December
        (G, "prosecution_review", "", D("2026-11-25"), D("2026-12-25"), "running", 22, True),
        # a third return: more than twice (art. 175)
        (G, "supplementary_investigation", "", None, None, "overdue", None, True),
    ]


def test_derivations_name_start_rule_article_extensions_and_the_holiday_shift():
    found = {(d.case, d.rule, d.person): d for d in compute(gather(ENTRIES), today=D("2026-10-05"),
                                                               cal=Calendar.load())}
    held = found[(A, "prosecution_review", "张*")].derivation
    assert held[0] == "起算：受理日期 2026-09-01（当日不计）"
    assert "刑事诉讼法第一百七十二条第一款" in held[1]
    assert any("在押期间不因节假日延长" in ln for ln in held)
    assert any(ln.startswith("可延长：重大、复杂的案件，经检察长批准延长15日，至 2026-10-16") for ln in held)
    bail = found[(A, "prosecution_review", "李*")].derivation
    assert "届满日 2026-10-01 为节假日，顺延至其后第一个工作日 2026-10-08（刑事诉讼法第一百零五条）" in bail
    later = {(d.case, d.rule, d.person): d for d in compute(gather(ENTRIES), today=TODAY, cal=Calendar.load())}
    assert later[(B, "prosecution_review", "王*")].derivation[0].startswith("第1次重新移送审查起诉 2026-10-20")
    assert later[(D_, "prosecution_review", "周*")].missing == "受理日期缺失"
    assert later[(B, "first_instance", "王*")].limit == D("2027-02-18"), "至迟不超过三个月"
    assert later[(C, "investigation_custody", "钱*")].derivation[0].startswith("以批准逮捕决定日期为逮捕日期")
    assert any("未核实" in ln for ln in later[(E, "prosecution_review", "吴*")].derivation)


def test_a_decision_written_back_to_the_police_ends_the_review_and_starts_custody():
    """Hop 3 writes the 审查逮捕 card without a decision; hop 4 writes the decision (police label) to the police."""
    h = "A3505020000002026080001"
    entries = [
        ("police-procuratorate-arrest", h, {
            "ysajbh": h, "tqpbsh": "泉鲤公提捕字〔2026〕8号", "ajlb": "审查逮捕", "ysdw": "Y350502",
            "slrq": "2026-09-28", "xyr": [person("郑一", "350502199707070074", "5", "2026-09-25"),
                                          person("冯二", "350502199808080085", "5", "2026-09-25")]}, []),
        ("procuratorate-police", f"{h}/R1", {"ajbh": h, "xm": "郑一", "zjhm": "350502199707070074",
                                              "pbjd": {"jd": "批准逮捕", "jdrq": "2026-10-04",
                                                       "jdswh": "泉鲤检捕〔2026〕20号"}}, []),
    ]
    found = compute(gather(entries), today=D("2026-10-06"), cal=Calendar.load())
    got = [(d.rule, d.person, d.start, d.due, d.ended, d.state, d.days_left) for d in found]
    assert got == [
        # 28 September + 7 days = 5 October, a holiday; held under 刑事拘留: not extended; decided 4 October
        ("arrest_review", "郑*", D("2026-09-28"), D("2026-10-05"), D("2026-10-04"), "met", None),
        # no decision yet on 6 October: one day past 5 October
        ("arrest_review", "冯*", D("2026-09-28"), D("2026-10-05"), None, "overdue", -1),
        # approved 4 October + 2 months = 4 December
        ("investigation_custody", "郑*", D("2026-10-04"), D("2026-12-04"), None, "running", 59),
    ]


def test_the_text_groups_by_state_or_by_unit_and_fits_80_columns():
    from rich.cells import cell_len

    from casebot.deadlines.report import Report, text

    report = Report(TODAY, "2026.1", "chinesecalendar", compute(gather(ENTRIES), today=TODAY, cal=Calendar.load()))
    by_state = text(report)
    assert by_state.index("【已超期】") < by_state.index("【即将到期】") < by_state.index("【期限内】")
    by_unit = text(report, by="unit", derivations=False)
    heads = [ln for ln in by_unit.splitlines() if ln.startswith("【")]
    assert heads == ["【泉州市公安局鲤城分局】", "【泉州市鲤城区人民检察院】", "【泉州市鲤城区人民法院】"]
    assert "期满2026-12-04即将到期：还有1日" in "".join(by_unit.split()), "the state said on each line"
    assert "按期完成：已完成" not in "".join(by_unit.split()), "not said twice"
    assert all(cell_len(ln) <= 80 for out in (by_state, by_unit) for ln in out.splitlines())


def test_a_case_read_back_as_returned_waits_at_the_police_and_is_not_overdue():
    k = "A3505020000002026090001"
    returned_card = {**review(k, "2026-11-02", [person("陈三", "350502199909090096", "2", "2026-10-01")]),
                     "thcs": "1次", "zt": "退回补充侦查"}
    [review_period, returned] = compute(gather([("police-procuratorate", k, returned_card, [])]), today=TODAY,
                                        cal=Calendar.load())
    # the 审查起诉 period stopped on the return (a day no card holds): never "overdue" while at the police
    assert (review_period.rule, review_period.due, review_period.state) == (
        "prosecution_review", D("2026-12-02"), "unknown")
    assert (returned.rule, returned.state, returned.missing) == (
        "supplementary_investigation", "unknown", "退回补充侦查日期不在案卡中")
    # once re-transferred (a later 受理日期, no longer 退回补充侦查), both count again
    later = {**review(k, "2026-11-30", returned_card["xyr"]), "thcs": "1次"}
    found = compute(gather([("police-procuratorate", k, later, [returned_card])]), today=TODAY, cal=Calendar.load())
    assert [(d.rule, d.start, d.due, d.state) for d in found] == [
        # 30 November is November's last day: one month runs to 31 December, December's last
        ("prosecution_review", D("2026-11-30"), D("2026-12-31"), "running"),
        ("supplementary_investigation", None, None, "met")]
