"""Field-level differences between cards, and what an update may change without overwriting a person."""

from __future__ import annotations

import copy
from typing import Any

from casebot.domain.changes import diff, plan_update, restrict

ZHANG = {"xm": "张三", "zjhm": "350502199003072415", "qzcs": "2", "qzcsrq": "2026-10-02", "zy": "无业"}
LI = {"xm": "李四", "zjhm": "350502199105060012", "qzcs": "", "qzcsrq": "", "zy": "司机"}
WANG = {"xm": "王五", "zjhm": "", "qzcs": "", "qzcsrq": "", "zy": ""}
CARD: dict[str, Any] = {"ysajbh": "A3505020000002026110001", "ajmc": "张三盗窃案", "slrq": "2026-11-20",
                        "ysay": ["0502"], "xyr": [ZHANG, LI]}


def card(**over: Any) -> dict[str, Any]:
    out = copy.deepcopy(CARD)
    out.update(copy.deepcopy(over))
    return out


def test_no_change_and_format_only_differences_are_empty() -> None:
    assert diff(CARD, card()).empty
    assert diff(CARD, card(slrq="2026/11/20", ajmc=" 张三盗窃案")).empty


def test_case_fields_and_rows_added_removed_edited() -> None:
    arrested = {**ZHANG, "qzcs": "6", "qzcsrq": "2026-11-02"}
    d = diff(CARD, card(ajmc="张三等盗窃案", ysay=["0502", "0206"], xyr=[WANG, arrested]))
    assert d.fields == {"ajmc": ("张三盗窃案", "张三等盗窃案"), "ysay": (["0502"], ["0502", "0206"])}
    kinds = [(c.kind, c.who, c.old_index, c.new_index) for c in d.rows["xyr"]]
    assert kinds == [("removed", "id:350502199105060012", 1, None), ("added", "name:王五", None, 0),
                     ("edited", "id:350502199003072415", 0, 1)]
    assert d.rows["xyr"][2].fields == {"qzcs": ("2", "6"), "qzcsrq": ("2026-10-02", "2026-11-02")}
    assert "xyr[id:350502199003072415].qzcs" in d.paths() and "xyr[name:王五]" in d.paths()


def test_an_update_never_overwrites_a_persons_edit() -> None:
    found = card(ajmc="张三盗窃案（经审查更正）")
    found["xyr"][0]["zy"] = "厨师"
    wanted = card(ajmc="张三等盗窃案")
    wanted["xyr"][0]["qzcs"] = "6"
    plan = plan_update(CARD, found, wanted)
    assert [c.path for c in plan.conflicts] == ["ajmc"]
    shown = plan.conflicts[0].describe()
    # a title may name a victim the card does not know: shown by its length, never quoted (docs/security.md)
    assert "系统中为“12 字的案件名称”" in shown and "现应为“6 字的案件名称”" in shown, shown
    assert "张三" not in shown
    assert plan.edited_by_person == {"xyr[id:350502199003072415].zy"}, "left alone, not a conflict"
    skip = plan_update(CARD, found, wanted, on_conflict="skip-field")
    assert skip.conflicts == [] and "ajmc" not in skip.changes.fields and skip.skipped == {"ajmc"}
    assert skip.changes.rows["xyr"][0].fields == {"qzcs": ("2", "6")}


def test_conflict_values_are_masked_where_personal() -> None:
    found = card()
    found["xyr"][1]["xm"] = "李四四"
    wanted = card()
    wanted["xyr"][1]["xm"] = "李小四"
    [conflict] = plan_update(CARD, found, wanted).conflicts
    assert conflict.path == "xyr[id:350502199105060012].xm"
    text = conflict.describe()
    assert "李小四" not in text and "李四四" not in text and "350502199105060012" not in text


def test_conflict_policy_per_field() -> None:
    found = card(ajmc="改过", slrq="2026-11-21")
    wanted = card(ajmc="新名", slrq="2026-12-10")
    plan = plan_update(CARD, found, wanted, on_conflict="skip-field", field_conflict={"slrq": "hold"})
    assert [c.path for c in plan.conflicts] == ["slrq"] and plan.skipped == {"ajmc"}


def test_restrict_keeps_the_places_named() -> None:
    wanted = card(ajmc="新名", xyr=[{**ZHANG, "qzcs": "6"}, LI, WANG])
    d = diff(CARD, wanted)
    only = restrict(d, {"xyr[name:王五]", "xyr[id:350502199003072415].qzcs"})
    assert only.fields == {} and [c.kind for c in only.rows["xyr"]] == ["edited", "added"]


def test_frozen_fields_are_never_updated() -> None:
    plan = plan_update(CARD, card(), card(ajmc="新名", slrq="2026-12-10"), frozen={"ajmc"})
    assert plan.changes.fields == {"slrq": ("2026-11-20", "2026-12-10")} and plan.skipped == {"ajmc"}


def test_a_change_the_target_already_holds_is_no_conflict() -> None:
    """After an update cut short (or a person making the same fix), what is there already is not a person's edit."""
    wanted = card(ajmc="新名", slrq="2026-12-10")
    half = card(ajmc="新名")
    plan = plan_update(CARD, half, wanted)
    assert plan.conflicts == [] and "slrq" in plan.changes.fields
