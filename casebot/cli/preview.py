"""``casebot preview FILE``: show the cards each target would receive; write nothing.

FILE holds a police case record (SPEC section 1) or a list of them, as JSON.
Personal data is shown as is (a clerk's own screen) unless ``--mask``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from casebot.cli.common import Table, console, err_console, exits, load_settings, print_json
from casebot.domain.privacy import mask_mapping, mask_name
from casebot.errors import BusinessError
from casebot.mapping.pipeline import Pipeline
from casebot.mapping.shapes import SOURCE_KINDS

#: card keys masked by ``--mask`` beyond the names and ID numbers privacy masks
_EXTRA_PERSONAL = {"csrq", "hjdxz", "xzz", "zz"}


@exits
def preview(
    source: Annotated[Path, typer.Argument(help="公安案件记录（JSON 文件：一条记录或一个列表）",
                                           exists=True, dir_okay=False, readable=True)],
    qsswh: Annotated[str | None, typer.Option("--qsswh", help="起诉书文号：同时显示法院的案卡")] = None,
    qsrq: Annotated[str | None, typer.Option("--qsrq", help="起诉日期（YYYY-MM-DD）：同时显示法院的案卡")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="输出 JSON 而不是表格")] = False,
    mask: Annotated[bool, typer.Option("--mask", help="遮盖姓名、证件号码、出生日期和住址")] = False,
    mappings_dir: Annotated[Path | None, typer.Option("--mappings", help="使用这个映射目录",
                                                      file_okay=False)] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", "-c", help="按这个 casebot.toml 的每条路线显示案卡（并使用其中的映射）",
        dir_okay=False)] = None,
) -> None:
    """逐字段显示公安记录对应的、各目标系统将收到的案卡；不写入任何东西。"""
    if (qsswh is None) != (qsrq is None):
        raise typer.BadParameter("give both --qsswh and --qsrq to see the court card")
    records = _read_records(source)
    settings = load_settings(config) if config is not None else None
    if mappings_dir is None and settings is not None:
        mappings_dir = settings.mappings_dir()
    pipeline = Pipeline(mappings_dir)
    targets = _targets(pipeline, settings)
    results = [_cards(pipeline, targets, r, qsswh, qsrq) for r in records]
    if mask:
        results = [_masked(r) for r in results]
    if json_output:
        print_json(results)
    else:
        for result in results:
            _show(pipeline, result)
    if any(r["error"] for r in results):
        raise typer.Exit(1)


def _read_records(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise typer.BadParameter(f"{path}: not a JSON file ({type(exc).__name__})") from None
    records = data if isinstance(data, list) else [data]
    if not records or not all(isinstance(r, dict) for r in records):
        raise typer.BadParameter(f"{path}: expected a police record (a JSON object) or a list of them")
    return records


#: what preview shows: (title, adapter, what the mapping reads besides the case card)
Shown = tuple[str, str, frozenset[str]]


def _targets(pipeline: Pipeline, settings: Any) -> list[Shown]:
    """Every configured route (by name), else every adapter target of the mappings."""
    def reads(adapter: str) -> frozenset[str]:
        mapping = pipeline.mapping(adapter)
        return frozenset(kind for kind, model in SOURCE_KINDS.items() if model in mapping.sources.values()
                         and kind != "case_card")

    if settings is None:
        return [(t, t, reads(t)) for t in pipeline.targets]
    return [(r.name, r.mapping_target(settings.adapter_name(r.target)),
             reads(r.mapping_target(settings.adapter_name(r.target))))
            for r in settings.routes if r.enabled]


def _cards(pipeline: Pipeline, targets: list[Shown], record: dict[str, Any], qsswh: str | None,
           qsrq: str | None) -> dict[str, Any]:
    """The cards of one police record, each made as the run makes it (``Pipeline.card_for``); a target that
    reads the procuratorate's record is shown with ``--qsswh``/``--qsrq`` (a record made of the
    procuratorate card and those facts)."""
    result: dict[str, Any] = {"ajbh": record.get("ajbh"), "cards": {}, "targets": {}, "error": None}
    try:
        card = pipeline.case_card(record)
        given: dict[str, Any] = {}
        for title, adapter, kinds in targets:
            if not kinds:
                result["cards"][title] = pipeline.card_for(adapter, card, given)
                result["targets"][title] = adapter
        if qsswh is not None and "procuratorate" in pipeline.targets:
            base = pipeline.procuratorate_card(card)
            given["procuratorate_record"] = {**base, "qsswh": qsswh, "qsrq": qsrq, "zt": "已起诉"}
        for title, adapter, kinds in targets:
            if kinds and kinds <= given.keys():
                result["cards"][title] = pipeline.card_for(adapter, card, given)
                result["targets"][title] = adapter
    except BusinessError as exc:
        result["error"] = str(exc)
    return result


def _names(data: Any) -> set[str]:
    if isinstance(data, dict):
        found = {v for k, v in data.items() if k in ("xm", "bm") and isinstance(v, str) and len(v) > 1}
        return found.union(*(_names(v) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(_names(v) for v in data))
    return set()


def _masked(result: dict[str, Any]) -> dict[str, Any]:
    """Mask personal fields, and the suspects' names wherever they appear in free text."""
    names = sorted(_names(result["cards"]), key=len, reverse=True)

    def walk(data: Any) -> Any:
        if isinstance(data, dict):
            return {k: ("***" if k in _EXTRA_PERSONAL and v else walk(v)) for k, v in data.items()}
        if isinstance(data, list):
            return [walk(v) for v in data]
        if isinstance(data, str):
            for name in names:
                data = data.replace(name, mask_name(name))
        return data

    return {**result, "cards": mask_mapping(walk(result["cards"]))}


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _code_names(pipeline: Pipeline, adapter: str) -> dict[str, Any]:
    """Field key -> its code table and column (``table.column``, nested for rows), from the adapter's field
    specs; none when the adapter cannot be loaded (a preview of mappings alone)."""
    try:
        from casebot.kit.plugins import load_adapter

        specs = load_adapter(adapter).fields
    except Exception:  # an adapter not installed (or failing to load): codes are shown bare
        return {}

    def walk(fields: Any) -> dict[str, Any]:
        return {f.name: (walk(f.children) if f.children else f.code_table) for f in fields
                if f.children or f.code_table}

    return walk(specs)


def _named(pipeline: Pipeline, ref: Any, value: Any) -> str:
    """A code with its name, ``6（逮捕）``; the value as it is when its table does not name it. ``ref``:
    ``table.column``, or a table alone (:func:`casebot.domain.codes.code_name`)."""
    from casebot.domain.codes import code_name

    named = code_name(pipeline.codes, ref, value)
    return f"{_value(value)}（{named}）" if named else _value(value)


def _table(title: str, card: dict[str, Any], labels: dict[str, Any],
           named: Any = None) -> tuple[Table, list[tuple[str, Any]]]:
    table = Table(title=title, title_justify="left", show_header=True)
    table.add_column("字段", style="dim")
    table.add_column("名称")
    table.add_column("值", overflow="fold")
    nested: list[tuple[str, Any]] = []
    for key, value in card.items():
        label = labels.get(key, key)
        if isinstance(label, tuple):
            label, children = label
            table.add_row(key, label, f"见下（{len(value)} 项）" if isinstance(value, list) else "见下")
            items = value if isinstance(value, list) else [value]
            inner = named.get(key) if isinstance(named, dict) and isinstance(named.get(key), dict) else None
            nested += [(f"{label} {i}", (item, children, inner)) for i, item in enumerate(items, start=1)]
        else:
            ref = named.get(key) if isinstance(named, dict) else None
            table.add_row(key, str(label), _named(named["__pipeline__"], ref, value) if ref else _value(value))
    return table, nested


def _show(pipeline: Pipeline, result: dict[str, Any]) -> None:
    console.rule(f"案件 {result['ajbh'] or '(无案件编号)'}")
    if result["error"]:
        err_console.print(f"[red]案件停止[/red] {result['error']}", highlight=False)
        return
    for title, card in result["cards"].items():
        mapping = pipeline.mapping(result["targets"][title])
        refs = _code_names(pipeline, result["targets"][title])
        table, nested = _table(f"{title}（{mapping.name}）", card, mapping.labels(), {**refs, "__pipeline__": pipeline})
        console.print(table)
        for title, (item, children, inner) in nested:
            sub, _ = _table(f"  {title}", item, children, {**(inner or {}), "__pipeline__": pipeline})
            console.print(sub)
