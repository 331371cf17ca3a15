"""Traces hold nothing personal by construction: not this case's data, not any other case's.

Found by adversarial testing: with ``trace = "on-retry"`` the scrubber replaced only the values met in
the run, but a trace captures the police case list (titles name suspects: "陈阿宝、林美丽抢劫案") and
the target's search page (other cases' suspects): 17 to 219 other people's names were found in traces;
a case stopped by a changed police page kept its own name and ID number unmasked (never read, so never
known to the scrubber).

A run over a corpus of many cases, of which only one or two are processed, is scanned file by file and
inside every archive for every case's names and ID numbers, in every encoding.
"""

from __future__ import annotations

import zipfile

import pytest

from casebot.cli.demo import sandbox_settings
from casebot.cli.run import execute
from tests.security.test_privacy import spellings, texts


def needles(police: list[dict]) -> set[str]:
    """Names and ID numbers (and case titles, which name suspects) of every case, in every encoding."""
    out = spellings([{"xyr": [{k: s.get(k) for k in ("xm", "bm", "zjhm")} for s in c["xyr"]]} for c in police])
    return out | spellings([{"jyaq": c["ajmc"], "xyr": []} for c in police if c.get("ajmc")])


@pytest.mark.timeout(300)
def test_traces_of_a_run_over_many_cases_hold_no_ones_data(sandbox, tmp_path):
    sandbox.seed(30, seed=61)
    police = sandbox.police_cases()
    assert len(police) == 30
    sandbox.set_faults("procuratorate", reject_rate=1.0)
    settings = sandbox_settings(sandbox.urls, tmp_path, run={"backoff_initial_s": 0.05, "backoff_max_s": 0.2},
                                artifacts={"trace": "on-failure"}, browser={"concurrency": 1})
    # two cases read and refused by the target (their traces pass the list pages of the others)
    refused = execute(settings, routes=["police-procuratorate"], progress=False, limit=2)
    assert refused.count("failed") == 2
    # every detail page changed: the next case is stopped before it is read (its values never known)
    for case in police:
        sandbox.call("police", "POST", "/_sandbox/defects", {"ajbh": case["ajbh"], "kind": "missing_label"})
    changed = execute(settings, routes=["police-procuratorate"], progress=False, limit=1)
    assert changed.exit_code == 7, changed.exit_code
    traces = list((tmp_path / "artifacts").rglob("*.trace.zip"))
    assert len(traces) >= 3, "the failures kept their traces"
    with zipfile.ZipFile(traces[0]) as z:
        assert any(n.endswith(".trace") for n in z.namelist()), "a real trace, with its events"
    found = needles(police)
    assert len(found) > 200
    scanned = 0
    for where, text in texts(tmp_path):
        scanned += 1
        hits = sorted(n for n in found if n in text)
        assert not hits, f"{where} holds personal data ({len(hits)} forms, e.g. {hits[0][:2]}…)"
    assert scanned > 5
