"""Messages and traces: personal values masked in every spelling and encoding; free text never quoted."""

from __future__ import annotations

import html
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import quote, quote_plus

from hypothesis import given, settings
from hypothesis import strategies as st

from casebot.domain.privacy import mask_name, redact
from casebot.domain.verify import differences
from casebot.errors import RejectedError
from casebot.run.artifacts import Artifacts

NAME = "张三丰"
LATIN = "NGUYEN VAN AN"
BIRTH = "1990-03-07"
ADDRESS = "福建省泉州市鲤城区新华路2号"


def test_court_banner_quoting_a_full_name_is_masked_in_the_message() -> None:
    err = RejectedError(f"案件质量校验未通过：被告人“{NAME}”的身份信息与人口信息库比对不一致", case="A1")
    text = redact(str(err), {NAME, LATIN})
    assert NAME not in text and "张**" in text and text.startswith("案件 A1")


def test_latin_names_are_masked_in_every_spelling() -> None:
    for form in (LATIN, "NGUYENVANAN", "nguyen van an".upper(), "NGUYEN%20VAN%20AN", "NGUYEN+VAN+AN"):
        assert "NGUYEN" not in redact(f"姓名：{form}。", {LATIN}), form


def test_invisible_characters_never_reach_a_message() -> None:
    text = redact("被告人\u202e张三丰\u200b的证件已存在", {"\u202e张三丰\u200b"})
    assert "\u202e" not in text and "\u200b" not in text and NAME not in text
    assert mask_name("\u202e张三丰\u200b") == "张**"


def test_read_back_mismatch_never_quotes_free_text() -> None:
    summary = f"2026年9月30日，{NAME}在泉州市鲤城区新华路盗窃电动车一辆。"
    diffs = differences({"ajzy": summary, "xm": NAME, "slrq": "2026-10-01"},
                        {"ajzy": summary[:-1] + "＊", "xm": "张三", "slrq": "2026-10-02"},
                        labels={"ajzy": "案情摘要", "xm": "姓名", "slrq": "受理日期"})
    assert diffs == [("案情摘要", f"{len(summary)} 字的文本", f"{len(summary)} 字的文本"),
                     ("姓名", "张**", "张*"), ("受理日期", "2026-10-01", "2026-10-02")]


def test_a_title_is_never_quoted() -> None:
    """A title names suspects and may name a victim not on the card (issue 26, item 5: the whole title
    reached the log, the report, --json, the console and notifications)."""
    card = {"ajmc": "王大锤故意伤害\n李小龙案", "xyr": [{"xm": "王大锤"}]}
    stored = {"ajmc": "王大锤故意伤害李小龙案", "xyr": [{"xm": "王大锤"}]}
    [(field, want, got)] = differences(card, stored, labels={"ajmc": "案件名称"})
    assert (field, want, got) == ("案件名称", "12 字的案件名称", "11 字的案件名称")
    assert "李小龙" not in want + got and "王" not in want + got


def _trace(path: Path) -> None:
    body = "xm=%E5%BC%A0%E4%B8%89%E4%B8%B0&csrq=1990-03-07&xzz=" + "".join(
        f"%{b:02X}" for b in ADDRESS.encode())
    event = {"type": "resource-snapshot", "snapshot": {
        "request": {"url": "http://p/slaj/save", "method": "POST", "postData": {
            "mimeType": "application/x-www-form-urlencoded", "text": body,
            "params": [{"name": "xm", "value": NAME}], "_file": "resources/0a1b.dat"}},
        "response": {"content": {"_sha1": "ffee.html"}}}}
    snapshot = {"type": "frame-snapshot", "snapshot": {"html": [
        "DIV", {}, f"被告人“{NAME}”", "&#x5f20;&#x4e09;&#x4e30;", "&#24352;&#19977;&#20016;",
        json.dumps(NAME)[1:-1], f"?q={'%e5%bc%a0%e4%b8%89%e4%b8%b0'}", LATIN.replace(" ", "+")]}}
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("trace.network", json.dumps(event, ensure_ascii=False) + "\n")
        z.writestr("trace.trace", json.dumps(snapshot, ensure_ascii=False) + "\n")
        z.writestr("resources/0a1b.dat", body)
        z.writestr("resources/ffee.html", f"<td>{NAME}</td><td>{BIRTH}</td><td>{ADDRESS}</td>")


def test_trace_drops_request_bodies_and_scrubs_every_encoding(tmp_path: Path) -> None:
    path = tmp_path / "t.trace.zip"
    _trace(path)
    Artifacts(tmp_path, "r").scrub_trace(path, {NAME, LATIN, BIRTH, ADDRESS}, passwords={"Pw-secret"})
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        texts = {n: z.read(n).decode("utf-8") for n in names}
    assert "resources/0a1b.dat" not in names, "the request body's resource is dropped"
    network = json.loads(texts["trace.network"])
    assert network["snapshot"]["request"]["postData"]["text"] == ""
    assert network["snapshot"]["request"]["postData"]["params"] == []
    everything = "\n".join(texts.values())
    for needle in (NAME, "%E5%BC%A0%E4%B8%89", "%e5%bc%a0", "&#x5f20;", "&#24352;", "\\u5f20", "NGUYEN",
                   BIRTH, ADDRESS, "%E7%A6%8F%E5%BB%BA"):
        assert needle not in everything, needle
    assert "resources/ffee.html" not in names, "a page's body is dropped (it may list other cases)"
    assert "张**" in texts["trace.trace"], "a DOM snapshot's text outside cells is scrubbed, still readable"


_han = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=2, max_size=4)
_latin = st.lists(st.text(st.characters(min_codepoint=0x41, max_codepoint=0x5A), min_size=2, max_size=7),
                  min_size=2, max_size=3).map(" ".join)
def _lower_hex(t: str) -> str:
    return re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(t, safe=""))


_encode = st.sampled_from([
    lambda t: t, lambda t: quote(t, safe=""), lambda t: quote_plus(t), _lower_hex,
    lambda t: json.dumps(t)[1:-1], lambda t: json.dumps(json.dumps(t)[1:-1])[1:-1], html.escape,
    lambda t: "".join(f"&#{ord(c)};" if ord(c) > 127 else c for c in t),
    lambda t: "".join(f"&#x{ord(c):x};" if ord(c) > 127 else c for c in t),
    lambda t: "".join(t.split()), lambda t: "\u202e" + t + "\u200b"])


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(name=_han | _latin, encode=_encode, before=st.text(max_size=10), after=st.text(max_size=10))
def test_redact_masks_a_name_in_every_encoding(name: str, encode, before: str, after: str) -> None:
    out = redact(before + encode(name) + after, {name})
    assert encode(name) not in out or encode(name) in before + after
    assert not any(c in out for c in "\u202e\u200b")
