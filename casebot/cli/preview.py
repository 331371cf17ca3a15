"""``casebot preview FILE``: show the cards each target would receive; write nothing.

FILE holds records as the source systems give them, as JSON (one or a list): a police case (SPEC
section 1; its 提请批准逮捕 requests shown on the routes reading them, one 审查逮捕 card each), a
prosecutor's decision on a 审查逮捕 person card (``{ysajbh, tqpbsh, index, person: {xm, zjlx, zjhm,
pbjd}}``, shown with the police case of the same file), a court record once pronounced (``{ah, qsswh,
bgr: [{xm, sfzh, pj}]}``). Personal data is shown as is (a clerk's own screen) unless ``--mask``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from casebot.cli.common import Table, console, err_console, exits, load_settings, print_json
from casebot.domain.roles import Roles, known
from casebot.errors import BusinessError, ConfigError

if TYPE_CHECKING:
    from casebot.mapping.pipeline import Pipeline


@exits
def preview(
    source: Annotated[Path, typer.Argument(help="来源记录（JSON 文件，一条或一个列表）：公安案件、批捕决定、宣判",
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
    """逐字段显示来源记录对应的、各目标系统将收到的案卡；不写入任何东西。

    公安案件显示审查起诉案卡和每份提请批准逮捕书的审查逮捕案卡；批捕决定显示公安的决定登记
    （同一文件中须有该案的公安案件）；法院宣判记录显示检察院的判决情况。
    """
    from casebot.mapping.pipeline import Pipeline

    if (qsswh is None) != (qsrq is None):
        raise typer.BadParameter("give both --qsswh and --qsrq to see the court card")
    records = _read_records(source)
    settings = load_settings(config) if config is not None else None
    if mappings_dir is None and settings is not None:
        mappings_dir = settings.mappings_dir()
    pipeline = Pipeline(mappings_dir)
    targets = _targets(pipeline, settings)
    police = {str(r.get("ajbh")): r for r in records if _kind(r) == "police_case"}
    results = [_cards(pipeline, targets, r, police, qsswh, qsrq) for r in records]
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


#: what preview shows: (title, mapping target, what the mapping reads besides the case card, the route's
#: filters, the hop in a clerk's words)
Shown = tuple[str, str, frozenset[str], dict[str, str], str]


def _targets(pipeline: Pipeline, settings: Any) -> list[Shown]:
    """Every configured route (by name), else every target of the mappings (``procuratorate.arrest_review``)."""
    from casebot.mapping.shapes import SOURCE_KINDS

    def reads(target: str) -> frozenset[str]:
        mapping = pipeline.mapping(target)
        return frozenset(kind for kind, model in SOURCE_KINDS.items() if model in mapping.sources.values()
                         and kind != "case_card")

    if settings is None:
        return [(t, t, reads(t), {}, "") for t in pipeline.targets]
    shown = []
    for r in settings.routes:
        if r.enabled:
            target = r.mapping_target(settings.adapter_name(r.target))
            shown.append((r.name, target, reads(target), dict(r.filters), r.hop(settings)))
    return shown


def _kind(record: dict[str, Any]) -> str:
    """The kind of a source record in FILE: a court record once pronounced, a decision, else a police case."""
    if "bgr" in record:
        return "court_judgment"
    if "person" in record and "tqpbsh" in record:
        return "arrest_decision"
    return "police_case"


def _key(record: dict[str, Any]) -> str | None:
    kind = _kind(record)
    if kind == "court_judgment":
        return record.get("qsswh")
    if kind == "arrest_decision":
        return f"{record.get('ysajbh')}#{record.get('tqpbsh')}#{record.get('index')}"
    return record.get("ajbh")


def _listed(filters: dict[str, str], record: dict[str, Any]) -> bool:
    """Whether the route's source lists this police case: its 案件状态 the route's ``status`` filter."""
    want = filters.get("status")
    return not want or not record.get("ajzt") or record["ajzt"] == want


def _cards(pipeline: Pipeline, targets: list[Shown], record: dict[str, Any], police: dict[str, dict[str, Any]],
           qsswh: str | None, qsrq: str | None) -> dict[str, Any]:
    """The cards of one source record, each made as the run makes it (``Pipeline.card_for``), on each route
    reading that kind of record: a police case on the routes reading it (a target reading the procuratorate's
    record shown with ``--qsswh``/``--qsrq``) and on those reading its requests (one card per request); a
    decision with the police case of its 移送案件编号; a judgment alone."""
    kind = _kind(record)
    result: dict[str, Any] = {"ajbh": record.get("ajbh") or record.get("ysajbh"), "key": _key(record),
                              "kind": kind, "cards": {}, "targets": {}, "hops": {}, "error": None}

    def show(title: str, target: str, hop: str, card: Any, given: dict[str, Any]) -> None:
        result["cards"][title] = pipeline.card_for(target, card, given)
        result["targets"][title] = target
        result["hops"][title] = hop

    try:
        if kind == "court_judgment":
            for title, target, kinds, _, hop in targets:
                if "court_judgment" in kinds:
                    show(title, target, hop, None, {"court_judgment": record})
        elif kind == "arrest_decision":
            for title, target, kinds, _, hop in targets:
                if "arrest_decision" in kinds:
                    case = police.get(str(record.get("ysajbh")))
                    if case is None and pipeline.reads_case_card(target):
                        raise BusinessError(f"文件中没有移送案件编号为 {record.get('ysajbh')} 的公安案件："
                                            "决定登记要按它对应犯罪嫌疑人")
                    card = pipeline.case_card(case) if case is not None else None
                    show(title, target, hop, card, {"arrest_decision": record})
        else:
            _police_cards(pipeline, targets, record, qsswh, qsrq, show)
    except BusinessError as exc:
        result["error"] = str(exc)
    return result


def _police_cards(pipeline: Pipeline, targets: list[Shown], record: dict[str, Any], qsswh: str | None,
                  qsrq: str | None, show: Any) -> None:
    from casebot.domain.model import as_requested

    case_routes = [t for t in targets if not t[2] and _listed(t[3], record)]
    card = pipeline.case_card(record) if case_routes or (qsswh is not None and any(
        t[2] == {"procuratorate_record"} for t in targets)) else None
    given: dict[str, Any] = {}
    for title, target, _, _, hop in case_routes:
        show(title, target, hop, card, given)
    if card is not None and qsswh is not None and "procuratorate" in pipeline.targets:
        base = pipeline.procuratorate_card(card)
        given["procuratorate_record"] = {**base, "qsswh": qsswh, "qsrq": qsrq, "zt": "已起诉"}
        for title, target, kinds, _, hop in targets:
            if kinds and kinds <= given.keys():
                show(title, target, hop, card, given)
    for title, target, kinds, filters, hop in targets:
        if "arrest_request" in kinds and _listed(filters, record):
            for request in record.get("tqpb") or []:
                requested = as_requested(record, str(request.get("wsh") or ""))
                if requested is not None:
                    show(f"{title} {str(request.get('wsh')).strip()}", target, hop,
                         pipeline.case_card(requested) if pipeline.reads_case_card(target) else None,
                         {"arrest_request": requested})


def _roles(adapters: Any) -> Roles:
    """What the fields of these targets' cards are (:mod:`casebot.domain.roles`); the domain's roles for a
    target whose adapter cannot be loaded (a preview of mappings alone)."""
    from casebot.kit.plugins import load_adapter

    roles = known()
    for adapter in adapters:
        try:
            roles = roles | load_adapter(adapter).field_roles()
        except ConfigError:  # an adapter not installed (or failing to load): the domain's roles
            continue
    return roles


def _masked(result: dict[str, Any]) -> dict[str, Any]:
    """Mask personal fields (by their roles), and the persons' names wherever they appear in free text."""
    from casebot.domain.privacy import mask_mapping, mask_name, names_in

    roles = _roles(set(result["targets"].values()))
    names = sorted((n for n in names_in(result["cards"], roles=roles) if len(n) > 1), key=len, reverse=True)

    def walk(data: Any) -> Any:
        if isinstance(data, dict):
            return {k: walk(v) for k, v in data.items()}
        if isinstance(data, list):
            return [walk(v) for v in data]
        if isinstance(data, str):
            for name in names:
                data = data.replace(name, mask_name(name))
        return data

    return {**result, "cards": mask_mapping(walk(result["cards"]), roles)}


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _code_names(pipeline: Pipeline, target: str) -> dict[str, Any]:
    """Field key -> its code table and column (``table.column``, nested for rows), from the field specs of
    the adapter (``procuratorate``) or of its kind (``procuratorate.judgment``); none when the adapter cannot
    be loaded (a preview of mappings alone)."""
    adapter, _, kind = target.partition(".")
    try:
        from casebot.kit.plugins import load_adapter

        specs = load_adapter(adapter).of_kind(kind or None).fields
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

    if isinstance(value, list) and isinstance(ref, str):  # several codes (移送案由, 判决罪名): each named
        return "、".join(_named(pipeline, ref, v) for v in value)
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


#: what a record of FILE is, as the heading of its cards says it
_WHAT = {"police_case": "案件", "arrest_decision": "批捕决定", "court_judgment": "宣判"}


def _show(pipeline: Pipeline, result: dict[str, Any]) -> None:
    console.rule(f"{_WHAT[result.get('kind', 'police_case')]} {result.get('key') or result['ajbh'] or '(无编号)'}")
    if result["error"]:
        err_console.print(f"[red]案件停止[/red] {result['error']}", highlight=False)
        return
    for title, card in result["cards"].items():
        mapping = pipeline.mapping(result["targets"][title])
        refs = _code_names(pipeline, result["targets"][title])
        table, nested = _table(f"{title}（{mapping.name}）", card, mapping.labels(), {**refs, "__pipeline__": pipeline})
        if result.get("hops", {}).get(title):
            table.caption, table.caption_justify = result["hops"][title], "left"
        console.print(table)
        for title, (item, children, inner) in nested:
            sub, _ = _table(f"  {title}", item, children, {**(inner or {}), "__pipeline__": pipeline})
            console.print(sub)
