"""No raw ID number, full name or password in anything a run leaves behind; private files stay private.

A run over seeded cases with failures (so that screenshots and traces are
kept) is searched, file by file and inside every archive, for the seeded
names and ID numbers in every spelling, and for the password.
"""

from __future__ import annotations

import os
import stat
import unicodedata
import uuid
import zipfile
from pathlib import Path

import pytest

from casebot.commands.demo import prosecute_some, sandbox_settings
from casebot.commands.run import execute
from casebot.report import render
from casebot.run import CaseResult, RunSummary
from sandbox.client import SandboxProcess


@pytest.fixture(scope="module")
def secret_sandbox():
    password = "Pw-" + uuid.uuid4().hex[:12]
    with SandboxProcess(env={"SANDBOX_PASSWORD": password}) as proc:
        yield proc, password


def spellings(police: list[dict]) -> set[str]:
    out: set[str] = set()
    for case in police:
        for s in case["xyr"]:
            for key in ("xm", "bm", "zjhm"):
                v = s.get(key) or ""
                for form in (v, "".join(v.split()), unicodedata.normalize("NFKC", "".join(v.split())).upper()):
                    if len(form) >= 2:
                        out.add(form)
    return out


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


def test_run_leaves_no_personal_data_or_secret(secret_sandbox, tmp_path, monkeypatch):
    proc, password = secret_sandbox
    client = proc.client
    client.reset()
    for name in client.urls:
        monkeypatch.setenv(f"CASEBOT_{name.upper()}_PASSWORD", password)
    client.seed(5, seed=31)
    police = client.police_cases()
    bad = dict(police[0], ajbh=police[0]["ajbh"][:-4] + "9931", ay=["039999"])
    client.add_cases([bad])
    client.set_faults("procuratorate", reject_rate=0.5, seed=4)
    # every case traced (not only retried ones), so that every failure keeps a trace to search
    settings = sandbox_settings(client.urls, tmp_path, run={"backoff_initial_s": 0.05, "backoff_max_s": 0.2},
                                artifacts={"trace": "on-failure"})
    first = execute(settings, routes=["police-procuratorate"], progress=False)
    assert first.count("failed") >= 2, "failures leave screenshots and traces to search"
    client.set_faults("procuratorate")
    prosecute_some(client, fraction=1.0)
    client.set_faults("court", reject_rate=0.5, seed=5)
    execute(settings, routes=["procuratorate-court"], progress=False)
    assert list((tmp_path / "reports").glob("report-*.html")), "the run wrote its report"
    assert (tmp_path / "casebot.jsonl").stat().st_size > 0, "and its log"
    artifacts = list((tmp_path / "artifacts").rglob("*.zip"))
    assert artifacts, "traces were kept for the failures"
    needles = spellings(police) | {password}
    checked = 0
    for where, text in texts(tmp_path):
        checked += 1
        hits = [n for n in needles if n in text]
        assert not hits, f"{where} holds personal data or a secret"
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
