"""``casebot adapters new`` outside the tree: a package installed with ``pip install -e`` alone, its
contract test run by pytest in the package (casebot's pytest plugin gives the browser and the loop)."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser

FILLED = '''

def new_card(n):  # filled in: a card of 智慧审判平台
    return {"ay": "盗窃罪", "gsjg": "惠安县人民检察院", "qsswh": f"惠检刑诉〔2026〕P{n}号", "sarq": "2026-12-01",
            "bgr": [{"xm": "王五", "xb": "男", "csrq": "1990-03-07", "sfzh": "", "mz": "回族", "jyzt": "在押"}]}


def refused_card(n):
    card = new_card(n)
    card["bgr"][0]["csrq"] = "2027-01-01"
    return card, "出生日期不能晚于收案日期"
'''


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})
    assert proc.returncode == 0, f"{args}: {proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def test_a_package_outside_the_tree_installs_and_passes_its_contract_test(
        tmp_path: Path, urls: dict[str, str]) -> None:
    casebot = Path(sys.executable).with_name("casebot")
    run(casebot, "adapters", "new", "hall", "--title", "智慧审判平台", "--save", "spa", cwd=tmp_path)
    pkg = tmp_path / "casebot-hall"
    src = pkg / "src" / "casebot_hall"
    assert (pkg / "pyproject.toml").is_file() and not (tmp_path / "adapters").exists()
    assert "from casebot_hall import HallAdapter" in (pkg / "tests" / "test_hall_contract.py").read_text()

    # the developer's part: the form description, the key, the mapping, the test's cards
    shutil.copy(ROOT / "adapters" / "smartcourt" / "form.yaml", src / "form.yaml")
    adapter = src / "__init__.py"
    adapter.write_text(adapter.read_text().replace('key_field = "ajbh"', 'key_field = "qsswh"'))
    (src / "mappings" / "card_to_hall.yaml").write_text(
        "extends: card_to_smartcourt\nname: card_to_hall\ntarget: hall\n", encoding="utf-8")
    test = pkg / "tests" / "test_hall_contract.py"
    test.write_text(test.read_text() + FILLED, encoding="utf-8")

    # a throw-away environment that sees casebot's (as a developer's venv with casebot installed would)
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    py = venv / "bin" / "python"
    own = Path(run(py, "-c", "import site; print(site.getsitepackages()[0])", cwd=tmp_path).strip())
    (own / "casebot-parent.pth").write_text(f"import site; site.addsitedir({site.getsitepackages()[0]!r})\n")
    run(py, "-m", "pip", "install", "-q", "--no-build-isolation", "-e", pkg, cwd=tmp_path)
    listed = run(py, "-c", "from casebot.kit import plugins; print(plugins.load_adapter('hall').title)", cwd=tmp_path)
    assert listed.strip() == "智慧审判平台"
    run(py, "-m", "casebot", "mappings", "check", cwd=tmp_path)

    out = run(py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "write_read_back or declares", cwd=pkg,
              env={"HALL_URL": urls["smartcourt"]})
    assert "2 passed" in out, out
