"""`casebot adapters new` makes a package that imports, a form that loads and a mapping that compiles."""

from __future__ import annotations

import importlib.util
import shutil
import sys

from typer.testing import CliRunner

from casebot.cli.main import app
from casebot.kit.base import Target
from casebot.kit.pageflow import FormTarget
from casebot.kit.widgets import Form
from casebot.mapping import load_mappings
from mappings import MAPPINGS_DIR


def test_scaffold_creates_a_working_start(tmp_path):
    result = CliRunner().invoke(app, ["adapters", "new", "corrections", "--title", "社区矫正管理系统",
                                      "--root", str(tmp_path), "--in-tree"])
    assert result.exit_code == 0, result.output
    pkg = tmp_path / "adapters" / "corrections"
    for path in (pkg / "__init__.py", pkg / "form.yaml", pkg / "mappings" / "card_to_corrections.yaml",
                 tmp_path / "tests" / "adapters" / "test_corrections.py"):
        assert path.exists(), path

    spec = importlib.util.spec_from_file_location("scaffolded_corrections", pkg / "__init__.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    cls = module.CorrectionsAdapter
    assert issubclass(cls, Target) and cls.name == "corrections" and cls.title == "社区矫正管理系统"
    assert issubclass(cls, FormTarget) and [f.name for f in cls.fields] == ["ajbh", "ajmc", "ryxx"]
    assert "def login" not in (pkg / "__init__.py").read_text(), "the kit logs in from form.yaml's login"
    assert cls.form_file == pkg / "form.yaml"
    assert "post_form" in (pkg / "__init__.py").read_text(), "a post/redirect/get save by default"
    for form in ("card", "view"):
        assert Form.from_yaml(pkg / "form.yaml", form).bindings

    # the mapping stub (in the package) compiles beside the shipped ones, with the shipped code tables
    mdir = tmp_path / "mappings"
    mdir.mkdir()
    shutil.copy(pkg / "mappings" / "card_to_corrections.yaml", mdir)
    for f in MAPPINGS_DIR.glob("*.yaml"):
        shutil.copy(f, mdir)
    shutil.copytree(MAPPINGS_DIR / "codes", mdir / "codes")
    mset = load_mappings(mdir, plugins=False)
    assert mset.for_target("corrections")

    compile((tmp_path / "tests" / "adapters" / "test_corrections.py").read_text(), "t", "exec")

    again = CliRunner().invoke(app, ["adapters", "new", "corrections", "--root", str(tmp_path), "--in-tree"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_scaffold_ajax_save(tmp_path):
    result = CliRunner().invoke(app, ["adapters", "new", "registry2", "--save", "ajax", "--root", str(tmp_path),
                                      "--in-tree"])
    assert result.exit_code == 0, result.output
    source = (tmp_path / "adapters" / "registry2" / "__init__.py").read_text()
    assert "expect_response" in source and "post_form" not in source
    compile(source, "registry2", "exec")
    assert Form.from_yaml(tmp_path / "adapters" / "registry2" / "form.yaml", "card").bindings


def test_scaffold_refuses_bad_names(tmp_path):
    result = CliRunner().invoke(app, ["adapters", "new", "Bad-Name", "--root", str(tmp_path), "--in-tree"])
    assert result.exit_code != 0
