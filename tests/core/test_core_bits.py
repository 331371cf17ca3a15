import pytest

from casebot.domain.privacy import mask_id, mask_mapping, mask_name, scrub_text
from casebot.domain.verify import differences, verify
from casebot.errors import RunLocked, VerificationError
from casebot.run.lock import RunLock


def test_masks():
    assert mask_id("350502199003072415") == "350502********2415"
    assert mask_name("张三") == "张*"
    assert mask_name("阮·文雄") == "阮***"
    assert "199003072415" not in scrub_text("证件号码 350502199003072415 有误")
    masked = mask_mapping({"xm": "王小明", "zjhm": "350502199003072415", "note": "ok", "password": "s"})
    assert masked == {"xm": "王**", "zjhm": "350502********2415", "note": "ok", "password": "***"}


def test_verify_normalises_formats_and_names_fields():
    card = {"sarq": "2026-12-01", "bgr": [{"xm": "张三", "csrq": "1990-03-07"}], "ay": ["0502"]}
    same = {"sarq": "2026/12/01", "bgr": [{"xm": " 张三 ", "csrq": "1990/3/7"}], "ay": ["0502"], "ah": "x"}
    verify(card, same)
    other = {"sarq": "2026-12-02", "bgr": [{"xm": "张四", "csrq": "1990-03-07"}], "ay": ["0502"]}
    diffs = differences(card, other, labels={"sarq": "收案日期", "xm": "姓名"})
    assert [d[0] for d in diffs] == ["收案日期", "bgr[1].姓名"]
    with pytest.raises(VerificationError) as info:
        verify(card, other, case="A1", labels={"sarq": "收案日期", "xm": "姓名"})
    text = str(info.value)
    assert "张三" not in text and "张*" in text and "收案日期 应为“2026-12-01”" in text


def test_run_lock_excludes_a_second_run(tmp_path):
    with RunLock(tmp_path / "run.lock"), pytest.raises(RunLocked):
        RunLock(tmp_path / "run.lock").acquire()
    with RunLock(tmp_path / "run.lock"):
        pass
