"""``casebot adapters list`` and ``casebot adapters new NAME``."""

from __future__ import annotations

import keyword
import re
from pathlib import Path

import typer
from jinja2 import Environment, PackageLoader, StrictUndefined

from casebot.cli.common import JsonOption, Table, console, exits, print_json
from casebot.errors import ConfigError

app = typer.Typer(help="已安装的适配器，以及新适配器的脚手架。")


@app.command("list")
def list_(json_out: bool = JsonOption) -> None:
    """列出已安装的适配器（casebot.adapters 入口点组）。"""
    from casebot.kit import plugins as registry

    rows = registry.describe()
    if json_out:
        print_json(rows)
        return
    table = Table(title="casebot adapters")
    for col in ("name", "title", "roles", "object"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["name"], r["title"] or f"[red]{r['error']}[/red]", r["roles"], r["object"])
    console.print(table)


#: what an adapter package holds: template -> path ({pkg}: the package's folder)
PACKAGE = {
    "pyproject.toml.j2": "pyproject.toml",
    "adapter.py.j2": "{pkg}/__init__.py",
    "form.yaml.j2": "{pkg}/form.yaml",
    "mapping.yaml.j2": "{pkg}/mappings/card_to_{name}.yaml",
    "test_adapter.py.j2": "tests/test_{name}_contract.py",
}
#: the same, added to casebot's own tree (``--in-tree``)
IN_TREE = {
    "adapter.py.j2": "adapters/{name}/__init__.py",
    "form.yaml.j2": "adapters/{name}/form.yaml",
    "mapping.yaml.j2": "adapters/{name}/mappings/card_to_{name}.yaml",
    "test_adapter.py.j2": "tests/adapters/test_{name}.py",
}
SAVES = ("prg", "ajax", "spa")


@app.command("new")
@exits
def new(name: str = typer.Argument(..., help="适配器名（入口点名），如 corrections"),
        title: str = typer.Option("", "--title", help="系统自己的名称，如 社区矫正管理系统"),
        root: Path = typer.Option(Path("."), "--root", help="在这个目录下生成软件包（casebot-NAME/）"),
        save: str = typer.Option("prg", "--save", help="系统如何保存：prg（表单提交后跳转）、ajax"
                                 "（页面提交 JSON，应答显示在页面上）或 spa"
                                 "（单页应用：登录、保存和列表都经它的 JSON 请求）"),
        in_tree: bool = typer.Option(False, "--in-tree", help="加到 casebot 自己的源码树（adapters/NAME），"
                                     "而不是单独的软件包")) -> None:
    """生成新适配器软件包：带入口点的 pyproject.toml、适配器类、表单描述、映射模板和契约测试；
    用 `pip install -e` 安装后在其中运行 pytest。"""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or keyword.iskeyword(name):
        raise ConfigError("adapters new: NAME must be a lower-case Python identifier, e.g. corrections")
    if save not in SAVES:
        raise ConfigError(f"adapters new: --save is one of {', '.join(SAVES)}")
    env = Environment(loader=PackageLoader("casebot", "templates/scaffold"), undefined=StrictUndefined,
                      keep_trailing_newline=True, autoescape=False, trim_blocks=True, lstrip_blocks=True)
    cls = "".join(part.capitalize() for part in name.split("_")) + "Adapter"
    package = f"adapters.{name}" if in_tree else f"casebot_{name}"
    base = root if in_tree else root / f"casebot-{name.replace('_', '-')}"
    ctx = {"name": name, "cls": cls, "title": title or name, "save": save, "package": package,
           "key": "ajbh", "save_path": "/api/cases" if save == "spa" else "/cases"}
    layout = {t: p.format(name=name, pkg=f"src/{package}") for t, p in (IN_TREE if in_tree else PACKAGE).items()}
    if save == "spa":
        layout = {{"adapter.py.j2": "adapter_spa.py.j2", "form.yaml.j2": "form_spa.yaml.j2"}.get(t, t): p
                  for t, p in layout.items()}
    for target in layout.values():
        if (base / target).exists():
            raise ConfigError(f"adapters new: {base / target} already exists")
    for template, target in layout.items():
        path = base / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(env.get_template(template).render(**ctx), encoding="utf-8")
        console.print(f"  created {path}", highlight=False)
    if in_tree:
        console.print(
            "Next: register it in pyproject.toml under [project.entry-points.\"casebot.adapters\"]\n"
            f"  {name} = \"adapters.{name}:{cls}\"\n"
            "then `pip install -e .`, fill form.yaml and the mapping, and run its contract test "
            "(docs/adding-an-adapter.md).", highlight=False)
    else:
        console.print(
            f"Next: pip install -e {base}   (its entry point makes casebot find the adapter, its form.yaml, "
            "mappings and widgets)\n"
            f"then fill the TODOs of form.yaml, the mapping and the test, and in {base}: pytest "
            f"({name.upper()}_URL names the system to test against; docs/adding-an-adapter.md).", highlight=False)
