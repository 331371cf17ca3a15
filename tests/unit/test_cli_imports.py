"""The casebot command starts without loading what only some of its commands need.

`casebot status`, `casebot failures` or `casebot --help` start in a cron job or at a clerk's terminal many
times a day: they must not pay for importing the runner, the adapters' page machinery, Playwright or the
mapping engine. Checked on what a fresh interpreter holds after importing the command (no timing).
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("casebot.run.runner", "casebot.kit.base", "casebot.kit.pageflow", "casebot.mapping.engine",
         "casebot.mapping.pipeline", "casebot.ops.doctor", "casebot.ops.console", "playwright", "psycopg")


def _loaded_after(statement: str) -> list[str]:
    code = (f"import sys, json\n{statement}\n"
            f"print(json.dumps(sorted(m for m in sys.modules if m.startswith({HEAVY!r}))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_importing_the_command_loads_none_of_the_heavy_parts() -> None:
    assert _loaded_after("import casebot.cli.main") == []


def test_one_module_of_the_run_package_does_not_load_the_runner() -> None:
    assert _loaded_after("import casebot.run.lock, casebot.run.outcome") == []


def test_the_package_still_offers_its_names() -> None:
    loaded = _loaded_after("from casebot.run import Runner, RunSummary\nfrom casebot.mapping import load_mappings")
    assert "casebot.run.runner" in loaded and "casebot.mapping.engine" in loaded
