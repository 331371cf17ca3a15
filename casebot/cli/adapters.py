"""``casebot adapters list`` and ``casebot adapters new NAME``."""

from __future__ import annotations

import keyword
import re
from pathlib import Path

import typer
from jinja2 import Environment, PackageLoader, StrictUndefined
from rich.table import Table

from casebot.cli.common import JsonOption, console, exits, print_json
from casebot.errors import ConfigError
from casebot.kit import plugins as registry

app = typer.Typer(help="已安装的适配器，以及新适配器的脚手架。")


@app.command("list")
def list_(json_out: bool = JsonOption) -> None:
    """列出已安装的适配器（casebot.adapters 入口点组）。"""
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


SCAFFOLD = {
    "adapter.py.j2": "adapters/{name}/__init__.py",
    "form.yaml.j2": "adapters/{name}/form.yaml",
    "mapping.yaml.j2": "adapters/{name}/mappings/card_to_{name}.yaml",
    "test_adapter.py.j2": "tests/adapters/test_{name}.py",
}


@app.command("new")
@exits
def new(name: str = typer.Argument(..., help="适配器名（入口点名），如 corrections"),
        title: str = typer.Option("", "--title", help="系统自己的名称，如 社区矫正管理系统"),
        root: Path = typer.Option(Path("."), "--root", help="加到这个项目目录"),
        save: str = typer.Option("prg", "--save", help="系统如何保存：prg（表单提交后跳转）或 ajax"
                                 "（页面提交 JSON，应答显示在页面上）")) -> None:
    """生成新适配器的骨架：适配器类、表单描述、映射文件模板和契约测试。"""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or keyword.iskeyword(name):
        raise ConfigError("adapters new: NAME must be a lower-case Python identifier, e.g. corrections")
    if save not in ("prg", "ajax"):
        raise ConfigError("adapters new: --save is prg or ajax")
    env = Environment(loader=PackageLoader("casebot", "templates/scaffold"), undefined=StrictUndefined,
                      keep_trailing_newline=True, autoescape=False, trim_blocks=True, lstrip_blocks=True)
    cls = "".join(part.capitalize() for part in name.split("_")) + "Adapter"
    ctx = {"name": name, "cls": cls, "title": title or name, "save": save}
    written = []
    for target in SCAFFOLD.values():
        path = root / target.format(name=name)
        if path.exists():
            raise ConfigError(f"adapters new: {path} already exists")
    for template, target in SCAFFOLD.items():
        path = root / target.format(name=name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(env.get_template(template).render(**ctx), encoding="utf-8")
        written.append(path)
    for p in written:
        console.print(f"  created {p}", highlight=False)
    console.print(
        "Next: register it in pyproject.toml under [project.entry-points.\"casebot.adapters\"]\n"
        f"  {name} = \"adapters.{name}:{cls}\"\n"
        "then `pip install -e .` (the package's mappings/ and widgets are then found with it), "
        "fill form.yaml and the mapping, and run its contract test "
        "(docs/adding-an-adapter.md).", highlight=False)
