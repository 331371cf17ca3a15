"""A conflict or a reconcile finding names each place by the target's labels with both values, personal
values masked and a title only by its length (issue 21, item 6: "ajmc", "xyr[350502********0118].qzcs")."""

from __future__ import annotations

from dataclasses import dataclass

from casebot.domain.changes import Conflict, field_labels, place_text

ID = "350502199001010118"


@dataclass(frozen=True)
class Spec:
    name: str
    label: str
    children: tuple = ()


FIELDS = (Spec("ajmc", "案件名称"), Spec("xyr", "犯罪嫌疑人", (Spec("qzcs", "强制措施"), Spec("xm", "姓名"))))


def test_a_conflict_names_its_field_by_label_with_both_values():
    labels = field_labels(FIELDS)
    shown = Conflict(f"xyr[id:{ID}].qzcs", "6", "7", "6").describe(labels)
    assert "犯罪嫌疑人" in shown and "强制措施" in shown, shown
    assert "qzcs" not in shown and "xyr" not in shown, shown
    assert ID not in shown and "0118" in shown, "the ID number masked"
    assert "“7”" in shown and "“6”" in shown, "both values"


def test_a_finding_names_its_place_with_both_values_masked():
    labels = field_labels(FIELDS)
    written = {"ajmc": "张三故意伤害案", "xyr": [{"zjhm": ID, "xm": "张三", "qzcs": "6"}]}
    found = {"ajmc": "张三故意伤害一案", "xyr": [{"zjhm": ID, "xm": "张三丰", "qzcs": "6"}]}
    title = place_text("ajmc", written, found, labels, before="本系统写入", after="系统中为")
    assert title.startswith("案件名称：") and "张三" not in title and "7 字的案件名称" in title, title
    name = place_text(f"xyr[id:{ID}].xm", written, found, labels, before="本系统写入", after="系统中为")
    assert "犯罪嫌疑人" in name and "姓名" in name and "张三" not in name and ID not in name, name
