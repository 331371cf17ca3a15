"""An adapter package is a plugin: its entry point brings the adapter, its form, its widgets and its mappings.

The test installs a throwaway package (a distribution on ``sys.path`` with its
``casebot.adapters`` entry point, as pip leaves one) and checks that the core
finds all four, and that what the project's own suite checks of the installed
adapters (``mappings check``, ``adapters list``) stays green with it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import casebot.kit.widgets as kit
from casebot.cli.main import app
from casebot.kit import bundles as plugins
from casebot.kit import plugins as registry
from casebot.kit.widgets import Form, widget
from casebot.mapping.checks import check_directory
from casebot.mapping.pipeline import Pipeline
from mappings import MAPPINGS_DIR

ADAPTER = '''
from pathlib import Path
from casebot.kit.base import FieldSpec, Target
from casebot.kit.widgets import Form

class ThrowawayAdapter(Target):
    name = "throwaway"
    title = "临时测试系统"
    key_field = "ajbh"
    fields = (FieldSpec("ajbh", "案件编号", required=True), FieldSpec("ajmc", "案件名称", required=True))

    def __init__(self, context, config):
        super().__init__(context, config)
        self.form = Form.from_yaml(Path(__file__).with_name("form.yaml"), "card", system=self.name)

    async def login(self, page): ...
    async def is_login_page(self, page): return False
    async def find_existing(self, card): return None
    async def write(self, card): return "1"
    async def read_back(self, record_id): return {}
'''

WIDGETS = '''
from casebot.kit.widgets import Widget, register

@register
class Stamp(Widget):
    """A seal the clerk clicks: its text is the value."""
    kind = "throwaway_stamp"
    async def fill(self, scope, binding, value): await scope.locator(binding.selector).click()
    async def read(self, scope, binding): return await scope.locator(binding.selector).inner_text()
'''

FORM = '''
forms:
  card:
    - {field: ajbh, label: 案件编号, widget: text}
    - {field: ajmc, label: 案件名称, widget: throwaway_stamp, selector: "#stamp"}
'''

MAPPING = '''
version: 1
name: card_to_throwaway
sources:
  card: case_card
target: throwaway
case: card.ajbh
fields:
  ajbh: {label: 案件编号, path: card.ajbh, required: true}
  ajmc: {label: 案件名称, path: card.ajmc, required: true}
'''


def _clear() -> None:
    registry._entry_points.cache_clear()
    plugins.packages.cache_clear()
    kit.WIDGETS.pop("throwaway_stamp", None)
    kit._loaded = False


@pytest.fixture
def throwaway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    site = tmp_path / "site"
    pkg = site / "throwaway_casebot"
    (pkg / "mappings").mkdir(parents=True)
    (pkg / "__init__.py").write_text(textwrap.dedent(ADAPTER), encoding="utf-8")
    (pkg / "widgets.py").write_text(textwrap.dedent(WIDGETS), encoding="utf-8")
    (pkg / "form.yaml").write_text(FORM, encoding="utf-8")
    (pkg / "mappings" / "card_to_throwaway.yaml").write_text(MAPPING, encoding="utf-8")
    info = site / "throwaway_casebot-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: throwaway-casebot\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[casebot.adapters]\nthrowaway = throwaway_casebot:ThrowawayAdapter\n")
    monkeypatch.syspath_prepend(str(site))
    _clear()
    yield pkg
    monkeypatch.delitem(__import__("sys").modules, "throwaway_casebot", raising=False)
    monkeypatch.delitem(__import__("sys").modules, "throwaway_casebot.widgets", raising=False)
    _clear()


def test_the_core_finds_adapter_form_widgets_and_mappings(throwaway: Path) -> None:
    assert "throwaway" in registry.names()
    cls = registry.load_adapter("throwaway")
    assert cls.title == "临时测试系统"
    assert widget("throwaway_stamp").kind == "throwaway_stamp", "the package's widget, not imported by hand"
    form = Form.from_yaml(throwaway / "form.yaml", "card")
    assert [b.widget for b in form.bindings] == ["text", "throwaway_stamp"]
    pipeline = Pipeline()
    assert "throwaway" in pipeline.targets
    assert pipeline.mapping("throwaway").file == throwaway / "mappings" / "card_to_throwaway.yaml"


def test_the_projects_checks_stay_green_with_it(throwaway: Path) -> None:
    problems = check_directory(MAPPINGS_DIR)
    assert problems == [], problems
    listed = CliRunner().invoke(app, ["adapters", "list", "--json"])
    assert listed.exit_code == 0 and '"throwaway"' in listed.output
    checked = CliRunner().invoke(app, ["mappings", "check"])
    assert checked.exit_code == 0 and "warning" not in checked.output, checked.output
