"""Output written to a file (the scheduled log, `casebot demo > demo.txt`) wraps at 80 columns and cuts nothing,
even when the person who started it sits at a wider terminal (issue 21, item 6: "a quiet run's summary table in
it is squeezed to six-character columns"; "tables readable at 80 columns (wrap, do not cut)")."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import termios
from pathlib import Path

import pytest
from rich.cells import cell_len

from casebot.cli.demo import sandbox_settings
from tests.golden import golden
from tests.ops.conftest import CASEBOT, bare_env

pytestmark = pytest.mark.browser


def to_file(args: list[str], out: Path, env: dict[str, str], timeout: float = 600) -> int:
    """`casebot ARGS > out`, typed at a 200-column terminal (stdin and stderr are that terminal)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    try:
        with out.open("w", encoding="utf-8") as f:
            return subprocess.run([CASEBOT, *args], stdin=follower, stdout=f, stderr=subprocess.DEVNULL, env=env,
                                  timeout=timeout).returncode
    finally:
        os.close(follower)
        os.close(leader)


def assert_within_80(text: str) -> None:
    assert text.strip(), "something was written"
    assert "…" not in text, text
    too_wide = [line for line in text.splitlines() if cell_len(line) > 80]
    assert not too_wide, "\n".join(too_wide)


def cells_of(text: str) -> list[list[str]]:
    """Each row of the table as its cells' whole texts (a row's wrapped lines joined, spaces dropped)."""
    rows: list[list[str]] = []
    for line in text.splitlines():
        if not line.startswith("│"):
            continue
        parts = [p.strip() for p in line.strip("│").split("│")]
        if parts[1] or not rows:  # a row's counts are on its first line
            rows.append(parts)
        else:
            rows[-1] = [a + b for a, b in zip(rows[-1], parts, strict=True)]
    return [[re.sub(r"\s", "", c) for c in row] for row in rows]


def test_the_run_summary_in_the_scheduled_log_wraps_at_80_and_cuts_nothing(sandbox, tmp_path, home):
    g = golden()
    bad = next(iter(g.stops))
    good = next(c["ajbh"] for c in g.police if c["ajbh"] not in g.stops)
    sandbox.add_cases(g.only(bad, good).police)
    config = tmp_path / "casebot.toml"
    lines = [f'[systems.{s}]\nurl = "{u}"\nusername = "casebot"' for s, u in sandbox.urls.items()]
    config.write_text("\n".join(lines) + '\n[[routes]]\nname = "police-procuratorate"\nsource = "police"\n'
                      'target = "procuratorate"\nfilters = { status = "已移送起诉" }\n', encoding="utf-8")
    env = bare_env(home, **{f"CASEBOT_{s.upper()}_PASSWORD": "sandbox" for s in sandbox.urls})
    out = tmp_path / "casebot-run.log"
    assert to_file(["run", "--config", str(config)], out, env) == 1
    text = out.read_text(encoding="utf-8")
    assert_within_80(text.replace(str(tmp_path), "/x"))
    settings = sandbox_settings(sandbox.urls, tmp_path)
    hop = settings.routes[0].hop(settings)
    [row] = cells_of(text)
    assert row[0] == "police-procuratorate" + hop.replace(" ", ""), text
    assert text.count("police-procuratorate\n") == 0 and "│ police-procuratorate " in text, "the name on one line"
    assert bad in re.sub(r"\s", "", text), "the failed case's number whole"
    [said] = [line for line in text.splitlines() if line.startswith("报告: ")]
    assert Path(said.removeprefix("报告: ")).is_file(), "the report's path whole on one line"
