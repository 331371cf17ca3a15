"""Documented commands as a person types them on a headless workstation: none dies with a traceback."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import threading
import time
from pathlib import Path

from casebot.kit.browser import BrowserOptions
from tests.ops.conftest import CASEBOT, bare_env, casebot
from tests.ops.test_doctor import write_config


def read_until(proc: subprocess.Popen[str], marker: str, timeout: float = 60) -> str:
    """What ``proc`` printed until a line holding ``marker`` (or it ended); a thread reads, so nothing waits in a
    buffer select cannot see."""
    lines: queue.Queue[str] = getattr(proc, "_lines", None) or queue.Queue()
    if not hasattr(proc, "_lines"):
        proc._lines = lines  # type: ignore[attr-defined]

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(line)
            lines.put("")

        threading.Thread(target=pump, daemon=True).start()
    seen, deadline = "", time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        if not line:
            break
        seen += line
    return seen


def test_sandbox_command_announces_all_five_systems(tmp_path):
    """`casebot sandbox` as the README gives it died with KeyError: 'county'."""
    proc = subprocess.Popen([CASEBOT, "sandbox", "--port", "0", "--data-dir", str(tmp_path / "data")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "100"})
    try:
        out = read_until(proc, "Ctrl-C")
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        for title in ("公安", "检察", "审判", "县"):
            assert title in out, out
        assert out.count("http://127.0.0.1:") == 5, out
    finally:
        proc.terminate()
        proc.wait(15)


def test_doctor_text_without_a_password_prints_its_table(home, tmp_path):
    """`casebot doctor` (text) died with KeyError: 'drift' when a password could not be read."""
    config = write_config(tmp_path)
    result = casebot("doctor", "--config", str(config), env={**bare_env(home), "COLUMNS": "80"})
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr and "KeyError" not in result.stderr
    assert "casebotsecretsetpolice" in re.sub(r"[\s│┃]", "", result.stdout), result.stdout


def test_login_headless_shows_the_captcha_and_takes_the_answer_typed(sandbox, config_file, tmp_path):
    """`casebot login` with no display: the captcha is saved as an image, the answer typed at the terminal, the
    session kept for runs (it was a 200-line traceback ending 'Missing X server or $DISPLAY')."""
    sandbox.set_faults("court", captcha=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(PYTHONUNBUFFERED="1", COLUMNS="200", CASEBOT_COURT_PASSWORD="sandbox")
    proc = subprocess.Popen([CASEBOT, "login", "court", "--config", str(config_file)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        shown = read_until(proc, "按回车")
        assert proc.poll() is None, shown + (proc.stderr.read() if proc.stderr else "")
        images = [Path(w) for w in re.findall(r"/\S+?\.png", shown)]
        assert images and all(p.is_file() and p.read_bytes()[:4] == b"\x89PNG" for p in images), shown
        assert all(p.stat().st_mode & 0o077 == 0 for p in images)  # the login page: this user's eyes only
        [answer] = sandbox.call("court", "GET", "/_sandbox/captchas")["answers"]
        assert proc.stdin is not None
        proc.stdin.write(answer.lower() + "\n")
        proc.stdin.flush()
        proc.stdin.close()
        proc.wait(timeout=120)
        out = read_until(proc, "\0", timeout=10)  # the rest, to its end
        err = proc.stderr.read() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, shown + out + err
    assert "Traceback" not in err and "DISPLAY" not in err
    session = tmp_path / "var" / "sessions" / "court.json"
    assert session.is_file() and session.stat().st_mode & 0o077 == 0
    assert json.loads(session.read_text())["cookies"], "the logged-in session is kept"
    # a run's browser, given the kept session, is let in although the login page still asks for a captcha
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(**BrowserOptions().launch_kwargs())
        page = browser.new_context(storage_state=str(session)).new_page()
        page.goto(sandbox.urls["court"])
        assert page.locator("#captcha").count() == 0 and page.locator("input[type=password]").count() == 0
        browser.close()


def test_login_headless_wrong_answer_says_so_and_keeps_no_session(sandbox, config_file, tmp_path):
    sandbox.set_faults("court", captcha=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(PYTHONUNBUFFERED="1", CASEBOT_COURT_PASSWORD="sandbox")
    result = subprocess.run([CASEBOT, "login", "court", "--config", str(config_file)], input="ZZZZ\n",
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "验证码" in result.stdout + result.stderr
    assert not (tmp_path / "var" / "sessions" / "court.json").exists()
