"""A conflict or a reconcile finding names each place by the target's labels with both values, personal
values masked and a title only by its length (issue 21, item 6: "ajmc", "xyr[350502********0118].qzcs")."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from casebot import errors
from casebot.domain.changes import Conflict, code_namer, field_labels, place_text, plan_update
from casebot.domain.verify import verify

ID = "350502199001010118"


@dataclass(frozen=True)
class Spec:
    name: str
    label: str
    children: tuple = ()
    code_table: str | None = None


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


CODED = (Spec("ajmc", "案件名称"), Spec("ysay", "移送案由", code_table="charges"),
         Spec("xyr", "犯罪嫌疑人", (Spec("qzcs", "强制措施", code_table="measures"), Spec("xm", "姓名"))))


def test_codes_are_shown_with_their_names_in_conflicts_and_findings(pipeline):
    """Both values of a coded place with their names: 强制措施：系统中为“2（取保候审）”..., not a bare 2 and 6."""
    name = code_namer(CODED, pipeline.codes, system="procuratorate")
    labels = field_labels(CODED)
    written = {"ysay": ["0206"], "xyr": [{"zjhm": ID, "xm": "张三", "qzcs": "6"}]}
    found = {"ysay": ["0207"], "xyr": [{"zjhm": ID, "xm": "张三", "qzcs": "2"}]}
    [conflict] = plan_update(written, found, {**written, "xyr": [{**written["xyr"][0], "qzcs": "4"}]},
                             namer=name).conflicts
    shown = conflict.describe(labels)
    assert "强制措施：系统中为“2（取保候审）”" in shown and "本系统写入“6（逮捕）”" in shown, shown
    assert "现应为“4（" in shown and ID not in shown, shown
    charge = place_text("ysay", written, found, labels, before="本系统写入", after="系统中为", namer=name)
    assert charge == "移送案由：本系统写入“0206（交通肇事罪）”，系统中为“0207（危险驾驶罪）”", charge
    person = place_text(f"xyr[id:{ID}].xm", written, {"xyr": [{"zjhm": ID, "xm": "张三丰"}]}, labels,
                        before="本系统写入", after="系统中为", namer=name)
    assert "张三" not in person, "a personal value is masked, never named"


def test_a_read_back_mismatch_names_its_codes(pipeline):
    """A read-back that differs says 强制措施 应为“6（逮捕）”，系统中为“2（取保候审）”, not 6 and 2."""
    name = code_namer(CODED, pipeline.codes, system="procuratorate")
    card = {"ajmc": "张三故意伤害案", "xyr": [{"zjhm": ID, "xm": "张三", "qzcs": "6"}]}
    back = {"ajmc": "张三故意伤害案", "xyr": [{"zjhm": ID, "xm": "张三", "qzcs": "2"}]}
    with pytest.raises(errors.VerificationError) as info:
        verify(card, back, labels={"xyr": "犯罪嫌疑人", "qzcs": "强制措施"}, namer=name)
    assert "强制措施 应为“6（逮捕）”，系统中为“2（取保候审）”" in str(info.value), str(info.value)
