"""No raw ID number, full name or password in anything a run leaves behind; private files stay private.

A run over seeded cases with failures (so that screenshots and traces are
kept) is searched, file by file and inside every archive, for the seeded
names, ID numbers, birth dates, addresses and case summaries in every spelling
and every encoding a browser or a server stores them in (percent-encoded,
JSON-escaped, HTML entities), and for the password. The seeded cases include
what adversarial testing found leaking: a read-back mismatch on free text
(案情摘要, which quotes the suspect's name), a Latin-script name, names with
bidi and zero-width characters, form posts (percent-encoded bodies), and the
court's rejection banner quoting a defendant's full name.
"""

from __future__ import annotations

import html
import json
import os
import stat
import unicodedata
import uuid
import zipfile
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from casebot.cli.demo import prosecute_some, sandbox_settings
from casebot.cli.run import execute
from casebot.run import CaseResult, RunSummary, audit
from casebot.run.artifacts import Artifacts
from casebot.run.report import render
from sandbox.client import SandboxProcess


@pytest.fixture(scope="module")
def secret_sandbox():
    password = "Pw-" + uuid.uuid4().hex[:12]
    with SandboxProcess(env={"SANDBOX_PASSWORD": password}) as proc:
        yield proc, password


INVISIBLE = {"\u202e", "\u202d", "\u200b", "\u200d", "\u2066", "\u2069", "\ufeff"}


def encoded(text: str) -> set[str]:
    """``text`` raw and as a trace, a log or a page may hold it."""
    out = {text, quote(text, safe=""), quote_plus(text), json.dumps(text)[1:-1], html.escape(text),
           json.dumps(text, ensure_ascii=False)[1:-1]}
    out |= {e.lower() for e in out if "%" in e or "\\u" in e}
    out.add("".join(f"&#{ord(c)};" if ord(c) > 127 else c for c in text))
    out.add("".join(f"&#x{ord(c):x};" if ord(c) > 127 else c for c in text))
    return out


def spellings(police: list[dict]) -> set[str]:
    out: set[str] = set()
    for case in police:
        values = [case.get("jyaq") or ""]
        for s in case["xyr"]:
            values += [s.get(key) or "" for key in ("xm", "bm", "zjhm", "csrq", "hjdxz", "xzz")]
        for v in values:
            clean = "".join(c for c in v if c not in INVISIBLE)
            for form in (v, clean, clean.strip(), "".join(clean.split()), " ".join(clean.split()),
                         unicodedata.normalize("NFKC", "".join(clean.split())).upper()):
                if len(form) >= 2:
                    out |= encoded(form)
    return out


def hostile_cases(police: list[dict]) -> list[dict]:
    """Copies of seeded cases, renumbered: a Vietnamese passport holder, a name wrapped in bidi and
    zero-width characters."""
    latin = json.loads(json.dumps(police[1]))
    latin["ajbh"] = latin["ajbh"][:-4] + "9932"
    latin["xyr"] = latin["xyr"][:1]
    latin["xyr"][0].update(xm="NGUYEN VAN AN", bm="", zjzl="414", zjhm="C7310925", gj="VNM", mz="", xb="1",
                           csrq="1988-04-12", hjdqh="", hjdxz="越南河内市还剑郡长钱街17号")
    latin["jyaq"] = latin["jyaq"] + "经查，NGUYEN VAN AN持越南护照入境。"
    bidi = json.loads(json.dumps(police[2]))
    bidi["ajbh"] = bidi["ajbh"][:-4] + "9933"
    bidi["xyr"] = bidi["xyr"][:1]
    name = bidi["xyr"][0]["xm"].strip()
    bidi["xyr"][0]["xm"] = "\u202e" + name + "\u200b"
    return [latin, bidi]


def texts(root: Path):
    """(name, text) of every file below root, archives opened; the ledger (the data store) excluded."""
    for path in root.rglob("*"):
        yield str(path.relative_to(root)), str(path.name)
        if not path.is_file() or ".sqlite3" in path.name:
            continue
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    yield f"{path.name}:{name}", z.read(name).decode("utf-8", "replace")
        else:
            yield str(path), path.read_bytes().decode("utf-8", "replace")


@pytest.mark.timeout(600)
def test_run_leaves_no_personal_data_or_secret(secret_sandbox, tmp_path, monkeypatch):
    proc, password = secret_sandbox
    client = proc.client
    client.reset()
    for name in client.urls:
        monkeypatch.setenv(f"CASEBOT_{name.upper()}_PASSWORD", password)
    client.seed(3, seed=31)
    police = client.police_cases()
    bad = dict(police[0], ajbh=police[0]["ajbh"][:-4] + "9931", ay=["039999"])
    client.add_cases([bad, *hostile_cases(police)])
    police = client.police_cases()
    # refused saves, and saves whose 案情摘要 the system stores altered (a read-back mismatch on free text)
    client.set_faults("procuratorate", reject_rate=0.3, alter_text_rate=0.4, seed=4)
    # every case traced (not only retried ones), so that every failure keeps a trace to search
    settings = sandbox_settings(client.urls, tmp_path, run={"backoff_initial_s": 0.05, "backoff_max_s": 0.2},
                                artifacts={"trace": "on-failure"})
    first = execute(settings, routes=["police-procuratorate"], progress=False)
    assert first.count("failed") >= 2, "failures leave screenshots and traces to search"
    injected = client.faults("procuratorate")["injected"]
    assert injected.get("alter_text", 0) >= 1 and injected.get("reject", 0) >= 1, injected
    client.set_faults("procuratorate")
    prosecute_some(client, fraction=1.0)
    # the court's rejection banner quotes the first defendant's full name
    client.set_faults("court", reject_rate=1.0, seed=5)
    execute(settings, routes=["procuratorate-court"], progress=False)
    assert client.faults("court")["injected"].get("reject", 0) >= 1
    reports = sorted((tmp_path / "reports").glob("report-*.html"))
    assert len(reports) >= 2, "the runs wrote their reports"
    assert "案情摘要 应为“" in reports[0].read_text(encoding="utf-8"), "the free-text mismatch was met"
    assert "人口信息库比对不一致" in reports[-1].read_text(encoding="utf-8"), "and the court's banner"
    assert (tmp_path / "casebot.jsonl").stat().st_size > 0, "and its log"
    artifacts = list((tmp_path / "artifacts").rglob("*.zip"))
    assert artifacts, "traces were kept for the failures"
    checked, problems = audit.verify(tmp_path / "audit")
    written = {r["ysajbh"] for r in client.records("procuratorate")}
    assert problems == [] and checked >= len(written) >= 1, "every write has its audit line, the chain intact"
    needles = spellings(police) | encoded(password)
    checked = 0
    for where, text in texts(tmp_path):
        checked += 1
        hits = [n for n in needles if n in text]
        assert not hits, f"{where} holds personal data or a secret ({len(hits)} forms)"
        if where.endswith((".html", ".jsonl", ".trace", ".network")):
            assert not INVISIBLE & set(text), f"{where} holds a bidi or zero-width character"
    assert checked > 5

    art = tmp_path / "artifacts"
    assert stat.S_IMODE(os.stat(art).st_mode) == 0o700
    for f in art.rglob("*"):
        mode = stat.S_IMODE(os.stat(f).st_mode)
        assert mode == (0o700 if f.is_dir() else 0o600), f
    assert stat.S_IMODE(os.stat(tmp_path / "casebot.jsonl").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "ledger.sqlite3").st_mode) == 0o600


def test_report_escapes_page_text():
    summary = RunSummary(run_id="r1", started=0, finished=1)
    summary.results.append(CaseResult("r", "A1", "failed", error="<script>alert(1)</script>{{ 7*7 }}"))
    html = render(summary, manual_minutes=6)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html and "{{ 7*7 }}" in html


def test_report_never_renders_invisible_characters_raw():
    summary = RunSummary(run_id="r1", started=0, finished=1)
    summary.results.append(CaseResult("r", "A1", "failed", error="被告人\u202e张*\u200b：拒绝"))
    html = render(summary, manual_minutes=6)
    assert "\u202e" not in html and "\u200b" not in html
    assert "&lt;U+202E&gt;张*&lt;U+200B&gt;" in html


BANNER_PAGE = """<html><body style="font-size:16px">
<div class="el-message el-message--error">案件质量校验未通过：被告人“{name}”的身份信息与人口信息库比对不一致</div>
<ul class="codes"><li>01 汉族</li><li>{code}</li></ul>
<p class="hint">{hint}</p>
</body></html>"""


async def test_screenshot_masks_every_text_holding_a_personal_value(page, tmp_path):
    """The target's own banner quoting a full name is masked; code lists and messages without a
    personal value stay readable (real Chromium, the Artifacts helper the runner uses)."""
    artifacts = Artifacts(tmp_path, "r")

    async def shot(stem: str, name: str, code: str = "02 蒙古族", hint: str = "保存失败，请重试") -> bytes:
        await page.set_content(BANNER_PAGE.format(name=name, code=code, hint=hint))
        path = await artifacts.screenshot(page, stem, personal={name})
        assert path is not None
        return Path(path).read_bytes()

    first = await shot("a", "张三丰")
    assert await shot("b", "李四光") == first, "the banner is masked: another name leaves the same image"
    assert await shot("c", "NGUYEN VAN AN") == first, "a Latin-script name too"
    assert await shot("d", "张三丰", code="03 回族") != first, "a code list is not masked"
    assert await shot("e", "张三丰", hint="网络异常，请稍后重试") != first, "nor a message without a personal value"
