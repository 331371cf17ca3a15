"""``casebot doctor``'s checks: each system's password (and the schedule's), login, every form a route
writes (opened, never saved), its options against the code tables, the search and read-back pages on the
case written last, and each record kind the routes read or write. The command prints what this finds.

May import: ground modules, domain, kit, mapping, ledger, ops.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from casebot import errors
from casebot.config import Settings, served_regions
from casebot.domain.codes import CodeTables
from casebot.domain.meanings import MEANINGS, SYSTEM, meaning
from casebot.kit.base import Source, Target
from casebot.kit.browser import launched
from casebot.kit.plugins import load_adapter
from casebot.kit.secrets import password_status
from casebot.kit.widgets import FormCheck, absent_line
from casebot.ops.codecheck import lacking
from casebot.ops.notify import failed_channels
from casebot.ops.reading import private_dir
from casebot.ops.schedule import installed_schedule

#: the order in which a problem decides doctor's exit status (the first met)
ORDER = ("password", "page", "login", "down", "unreachable", "codes")


def _last_done(settings: Any, system: str, kind: str | None = None) -> Any | None:
    """The latest case written into ``system`` (records of ``kind``: the system's own when None) and
    verified, to look for and read back (None: none yet). A 审查逮捕 card or a judgment is no 审查起诉 card:
    each kind is looked for by its own pages."""
    from casebot.ops.reading import read

    routes = {r.name for r in settings.routes if r.target == system and r.target_kind == kind}
    return read(settings, lambda ledger: next((i for i in ledger.items(states=("done",), limit=200)
                                               if i.target == system and i.route in routes and i.record_id
                                               and i.card), None), None)


def _kinds(settings: Any, system: str) -> list[tuple[str, str, Any]]:
    """The record kinds the enabled routes read from (``source``) or write into (``target``) ``system``
    beyond its own, each once: (role, kind, the first route naming it)."""
    out: dict[tuple[str, str], Any] = {}
    for r in settings.routes:
        if r.enabled and r.target == system and r.target_kind:
            out.setdefault(("target", r.target_kind), r)
        if r.enabled and r.source == system and r.source_kind:
            out.setdefault(("source", r.source_kind), r)
    return [(role, kind, route) for (role, kind), route in out.items()]


async def _check_kinds(cls: Any, context: Any, settings: Any, system: str, row: dict[str, Any],
                       tables: Any) -> bytes | None:
    """Each kind of record the routes read or write in ``system`` (SPEC 7: a 审查逮捕 card, a decision, a
    judgment), through its own pages as the run finds them: a kind written, its form opened (on the record
    written last, for entries on a page of their own) and its codes checked, the record looked for and read
    back; a kind read, a record listed and read. A screenshot of the page where a field was missed."""
    from casebot.domain.glossary import SOURCE_KIND_WORDS, TARGET_KIND_WORDS

    shot = None
    adapter_name = settings.adapter_name(system)
    row.setdefault("checked", ["登录"])
    for role, kind, route in _kinds(settings, system):
        words = (TARGET_KIND_WORDS if role == "target" else SOURCE_KIND_WORDS).get((adapter_name, kind), kind)
        adapter = cls.of_kind(kind)(context, settings.system_config(system))
        try:
            if role == "target":
                item = _last_done(settings, system, kind)
                if adapter.entries and item is None:
                    row.setdefault("notes", []).append(
                        f"{words}：尚无已写入的记录，录入页、搜索页和回读页在第一次写入后检查")
                    continue
                form = await adapter.check_form(item.card if item else None)
                if form.labels:
                    row["problems"] += [f"{words}{line}" for line in _absent_messages(form)]
                    row["kind"] = "page"
                    shot = shot or form.screenshot
                    continue
                row["checked"].append(f"{words}录入页")
                short = lacking(adapter.fields, form.offered, tables(), served_regions([route])) \
                    if form.offered else []
                if short:
                    row.setdefault("codes", []).extend(
                        {"field": x.field, "label": x.label, "table": x.table, "column": x.column,
                         "missing": list(x.codes)} for x in short)
                    row["problems"] += [f"{words}选项：{x.describe()}" for x in short]
                    row["kind"] = row["kind"] or "codes"
                found: dict[str, Any] = {"problems": [], "checked": [], "kind": None}
                await _check_written(adapter, item, found)
                row["problems"] += [f"{words}{p}" for p in found["problems"]]
                row["checked"] += [f"{words}{c}" for c in found["checked"]]
                row["kind"] = row["kind"] or found["kind"]
                row["notes"] = [*row.get("notes", []), *(f"{words}：{n}" for n in found.get("notes", []))]
                row["drift"] += [f"{words}：字段“{label}”的选择器 {old} 已失效，按标签找到 {new}（请更新表单描述）"
                                 for label, (old, new) in adapter.drift().items()]
            else:
                ref = None
                async for listed in adapter.list_records(**route.filters):
                    ref = listed
                    break
                if ref is None:
                    row.setdefault("notes", []).append(f"{words}：尚无记录，读取页在有记录后检查")
                    continue
                await adapter.read(ref.key)
                row["checked"].append(f"{words}页")
        except errors.PageChanged as exc:
            row["problems"].append(f"{words}：{exc}")
            row["kind"] = "page"
    return shot


async def _check_written(adapter: Target, item: Any | None, row: dict[str, Any]) -> None:
    """The search page finds a written case and the read-back page shows it, as a run's checks need."""
    if item is None:
        row.setdefault("notes", []).append("尚无已写入的案件：搜索页和回读页在第一次写入后检查")
        return
    try:
        found = await adapter.find_existing(item.card)
    except errors.PageChanged as exc:
        row["problems"].append(f"搜索页：{exc}")
        row["kind"] = "page"
        return
    if found is None:
        row["problems"].append(f"搜索页：找不到已写入的案件 {item.case_key}")
        row["kind"] = "page"
        return
    row["checked"].append("搜索页")
    try:
        await adapter.read_back(item.record_id)
    except errors.PageChanged as exc:
        row["problems"].append(f"回读页：{exc}")
        row["kind"] = "page"
        return
    row["checked"].append("回读页")


#: each kind of problem doctor finds, and the exit status it gives: the error table's (domain.meanings)
DOCTOR_EXIT = {"password": MEANINGS[errors.ConfigError].exit, "page": MEANINGS[errors.PageChanged].exit,
               "login": MEANINGS[errors.HumanRequired].exit, "down": MEANINGS[errors.SystemUnreachable].exit,
               "unreachable": MEANINGS[errors.TransientError].exit, "codes": MEANINGS[errors.OptionMissing].exit}


def _doctor_kind(exc: errors.CasebotError) -> str:
    """Doctor's word for what stopped a system's check, as the error table means it: a person must log in,
    the system's configuration (its password), its server down, not reachable now (retried by runs), else
    its pages."""
    row = meaning(exc)
    if isinstance(exc, errors.SystemUnreachable):
        return "down"
    if row.stops == SYSTEM:
        return "login" if row.exit == MEANINGS[errors.HumanRequired].exit else "password"
    return "unreachable" if row.retried else "page"


def _absent_messages(form: FormCheck) -> list[str]:
    """One line per control not found: its label, its selector and the form description that names it."""
    out, said = [], set()
    for source, name, b in form.absent:
        out.append(f"录入页：{absent_line(source, name, b, form.why.get(b.label))}")
        said.add(b.label)
    out += [f"录入页：找不到“{label}”" for label in form.labels if label not in said]
    return out


def _env_file() -> dict[str, str]:
    """The systemd unit's EnvironmentFile (``~/.config/casebot/env``): KEY=VALUE lines."""
    path = Path.home() / ".config" / "casebot" / "env"
    out: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.strip().partition("=")
            if sep and not key.startswith("#"):
                out[key.strip()] = value.strip().strip('"')
    return out


def _scheduled_env_problems(config: Path, here: list[dict[str, object]], kind: str) -> list[str]:
    """Passwords found here that the schedule's bare environment (HOME and a short PATH; for systemd, its
    environment file too) cannot read."""
    if os.name == "nt":
        return []
    found_here = {str(r["system"]) for r in here if r["found"]}
    if not found_here:
        return []
    env = {"HOME": str(Path.home()), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    if kind == "systemd":
        env.update(_env_file())
    for key in ("CASEBOT_KEYRING", "CASEBOT_SECRETS_FILE"):  # what a schedule is told to use, if set
        if key in os.environ:
            env[key] = os.environ[key]
    done = subprocess.run([sys.executable, "-m", "casebot", "secret", "list", "--json", "--config", str(config)],
                          env=env, capture_output=True, text=True, timeout=120)
    try:
        there = {r["system"]: r["found"] for r in json.loads(done.stdout)["systems"]}
    except (ValueError, KeyError, TypeError):
        return [f"无法在定时任务的环境中检查密码：{(done.stderr or done.stdout).strip()[:300]}"]
    return [f"定时任务的环境（cron）读不到 {name} 的密码：当前的密码在环境变量或桌面钥匙串中；"
            f"请用 CASEBOT_KEYRING=file casebot secret set {name} 保存" for name in sorted(found_here)
            if not there.get(name)]


def examine(settings: Settings, config: Path, *, scheduled: bool = False) -> tuple[int, list[dict[str, Any]]]:
    """Every check, one row per system (and per problem found before any page opens): the exit status
    (:data:`DOCTOR_EXIT` of the first problem in :data:`ORDER`) and the rows."""
    out_dir = private_dir(settings.path(settings.artifacts.dir) / "doctor")
    passwords = password_status(settings)
    missing = {str(r["system"]) for r in passwords if not r["found"]}
    pre: list[dict[str, object]] = [
        {"system": name, "ok": False, "kind": "password", "screenshot": None,
         "problems": [f"缺少密码：运行 casebot secret set {name}，或设置环境变量 CASEBOT_{name.upper()}_PASSWORD"]}
        for name in sorted(missing)]
    pre += [{"system": f"(告警 {name})", "ok": False, "kind": "notify", "screenshot": None, "drift": [],
             "problems": [f"上次告警未送达：{failed.get('error', '')}（{failed.get('at', '')}）；"
                          "修正 [notify] 后运行 casebot notify test"]}
            for name, failed in failed_channels(settings).items()]
    kind = installed_schedule() or ("cron" if scheduled else None)
    if kind is not None:
        unread = _scheduled_env_problems(config, passwords, kind)
        if unread:
            pre.append({"system": f"(定时任务 {kind})", "ok": False, "kind": "password", "problems": unread,
                        "screenshot": None})

    @functools.cache
    def tables() -> CodeTables:
        from casebot.mapping.pipeline import Pipeline

        return Pipeline().codes

    async def check() -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        systems = [s for s in settings.systems if s not in missing]
        if not systems:
            return rows
        async with launched(settings.browser.options()) as browser:
            for system in systems:
                row: dict[str, Any] = {"system": system, "ok": True, "kind": None, "problems": [], "drift": [],
                                       "screenshot": None}
                shot: bytes | None = None
                kept = settings.session_file(system)  # a session kept by `casebot login`, as runs use it
                context = await browser.new_context(locale="zh-CN",
                                                    storage_state=str(kept) if kept.is_file() else None)
                try:
                    cls = load_adapter(settings.adapter_name(system))
                    adapter = cls(context, settings.system_config(system))
                    await adapter.page()
                    if isinstance(adapter, Target):
                        form = await adapter.check_form()
                        if form.labels:
                            row["problems"] = _absent_messages(form)
                            row["kind"] = "page"
                            shot = form.screenshot
                        row["checked"] = ["登录", "录入页"]
                        await _check_written(adapter, _last_done(settings, system), row)
                        routes = [r for r in settings.routes if r.target == system]
                        regions = served_regions(routes)
                        if not routes:
                            row.setdefault("notes", []).append("没有路线写入此系统：未核对选项与代码表")
                        short = lacking(cls.fields, form.offered, tables(), regions) \
                            if form.offered and routes else []
                        if short:
                            row["codes"] = [{"field": x.field, "label": x.label, "table": x.table,
                                             "column": x.column, "missing": list(x.codes)} for x in short]
                            row["problems"] += [f"选项：{x.describe()}" for x in short]
                            row["kind"] = row["kind"] or "codes"
                        if routes:
                            row["checked"].append("选项与代码表")
                        row["drift"] = [f"字段“{label}”的选择器 {old} 已失效，按标签找到 {new}（请更新表单描述）"
                                        for label, (old, new) in adapter.drift().items()]
                    elif isinstance(adapter, Source):
                        async for _ref in adapter.list_records():
                            break
                    kind_shot = await _check_kinds(cls, context, settings, system, row, tables)
                    shot = shot or kind_shot
                except errors.CasebotError as exc:
                    row["problems"], row["kind"] = [str(exc)], _doctor_kind(exc)
                if row["problems"]:
                    row["ok"] = False
                    path = out_dir / f"{system}.png"
                    try:
                        if shot is None and context.pages:  # else: the page where a field was missed
                            shot = await context.pages[-1].screenshot(full_page=True)
                        if shot is not None:
                            path.write_bytes(shot)
                            os.chmod(path, 0o600)
                            row["screenshot"] = str(path)
                    except Exception:  # a screenshot is a help, never a reason to fail doctor
                        pass
                await context.close()
                rows.append(row)
        return rows

    rows = pre + asyncio.run(check())
    kinds = {r["kind"] for r in rows if not r["ok"]}
    return next((DOCTOR_EXIT[k] for k in ORDER if k in kinds), 0), rows
