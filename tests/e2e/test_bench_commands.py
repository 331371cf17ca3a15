"""Every command docs/performance.md shows is checked: its options are the script's own, and the quick
ones are run (the breakdown on one card, with a real Chromium against its own sandbox)."""

from __future__ import annotations

import importlib
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "performance.md"


def quick(script: str, args: list[str]) -> bool:
    """Commands a test runs for real (the others take minutes to hours: their options are checked)."""
    return script == "bench/markdown.py" or (script in ("bench/breakdown.py", "bench/calls.py")
                                             and args[:2] == ["--cards", "1"])


def doc_commands() -> list[list[str]]:
    """The commands of the page's code blocks and its text, as argument lists (comments dropped)."""
    blocks = re.findall(r"```[a-z]*\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    out = []
    for block in blocks:
        for line in block.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line.startswith(("python bench/", "bash scripts/dev.sh bench")):
                out.append(shlex.split(line))
    text = re.sub(r"```.*?```", "", DOC.read_text(encoding="utf-8"), flags=re.S)
    out += [shlex.split(c) for c in re.findall(r"`(python bench/[^`]*)`", text)]
    return out


def script_and_args(argv: list[str]) -> tuple[str, list[str]]:
    if argv[0] == "bash":  # scripts/dev.sh bench ARGS runs bench/run.py ARGS
        return "bench/run.py", argv[3:]
    return argv[1], argv[2:]


def test_every_command_of_the_performance_page_is_a_real_one(tmp_path):
    commands = doc_commands()
    scripts = {script_and_args(c)[0] for c in commands}
    assert {"bench/run.py", "bench/breakdown.py", "bench/calls.py", "bench/living.py", "bench/markdown.py"} <= scripts
    assert any(quick(*script_and_args(c)) and "breakdown" in c[1] for c in commands), "a breakdown is run"
    assert any(quick(*script_and_args(c)) and "calls" in c[1] for c in commands), "a count of calls is run"
    for argv in commands:
        script, args = script_and_args(argv)
        assert (ROOT / script).is_file(), script
        module = importlib.import_module(script[:-3].replace("/", "."))
        if hasattr(module, "parse"):
            module.parse(args)  # argparse exits (SystemExit) on an option the script does not have
        if quick(script, args):
            done = subprocess.run([sys.executable, script, *args], cwd=ROOT, capture_output=True, text=True,
                                  timeout=600)
            assert done.returncode == 0, done.stderr[-2000:]
            assert "|" in done.stdout or "┃" in done.stdout, done.stdout[-2000:]
            if script == "bench/breakdown.py":
                assert "look before write" in done.stdout and "write" in done.stdout
            if script == "bench/calls.py":
                assert "Playwright calls per card" in done.stdout and "1/1" in done.stdout


def test_the_suite_time_commands_of_the_testing_page_run_as_shown(tmp_path):
    """docs/testing.md's two commands, typed as shown (from the project's folder), measure a file and sum it;
    their figures go to a folder of their own (this suite may itself be measured)."""
    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    section = text.split("## The suite's time", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```\n(.*?)```", section, re.S)[0]
    commands = [shlex.split(line.split("   #", 1)[0]) for line in block.splitlines() if line.strip()]
    assert [c[:2] for c in commands] == [[".venv/bin/python", "-m"], [".venv/bin/python", "bench/suite_cpu.py"]]
    # as a person types them: not inside this suite's worker (its PYTEST_XDIST_* variables left out)
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("PYTEST_XDIST")}
    env["CASEBOT_SUITE_CPU_DIR"] = str(tmp_path)
    outs = []
    for argv in commands:
        done = subprocess.run([sys.executable, *argv[1:]], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        outs.append(done.stdout)
    assert sorted(p.name for p in tmp_path.glob("suite-cpu-*")) == ["suite-cpu-gw0.jsonl", "suite-cpu-gw1.jsonl",
                                                                     "suite-cpu-session.json"]
    assert "tests 10," in outs[1] and "session:" in outs[1] and "tests/unit/test_keys.py" in outs[1]
