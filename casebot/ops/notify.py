"""Telling a person what needs one: new failed cases, a login to do (exit 3), changed pages (exit 7).

After each run, :func:`after_run` compares what needs a person with what each
channel was already told (``notified.json`` in the log's folder) and sends only
what is new: a failed case is announced once, not every 15 minutes; a login or
changed-page condition once until a run ends without it. Channels: SMTP email,
a generic JSON webhook (schema ``casebot.notification/1``), and the WeCom and
DingTalk group-robot formats. Messages carry case numbers, routes and reasons as
the ledger holds them (names masked, ID-like text scrubbed), never a full name or
an ID number. A channel that fails is logged (``notify.failed``) and tried again
after the next run; it never changes the run's exit status.
"""

from __future__ import annotations

import hashlib
import json
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from casebot import logs
from casebot.config import EmailSettings, Settings, WebhookSettings
from casebot.errors import CasebotError
from casebot.privacy import scrub_text
from casebot.run.outcome import PAGE_CHANGED_BANNER
from casebot.states import LABELS as STATE_LABELS
from casebot.states import NEEDS_PERSON

SCHEMA = "casebot.notification/1"

EXIT_HUMAN_REQUIRED = 3
EXIT_PAGE_CHANGED = 7

log = logs.get("notify")


class DeliveryFailed(CasebotError):
    """A channel did not take the message (refused, unreachable, or answered with an error code)."""


@dataclass(frozen=True)
class Failure:
    id: int
    route: str
    case_key: str
    state: str
    error_type: str | None
    reason: str

    @property
    def key(self) -> str:
        digest = hashlib.sha256(f"{self.error_type}|{self.reason}".encode()).hexdigest()[:12]
        return f"{self.id}:{self.state}:{digest}"


@dataclass
class Alert:
    """One message: ``kind`` is ``new_failures``, ``login_required`` or ``pages_changed``."""

    kind: str
    title: str
    lines: list[str]
    exit_code: int | None = None
    failures: list[Failure] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join([self.title, *self.lines])

    def as_json(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "kind": self.kind, "title": self.title, "exit_code": self.exit_code,
                "lines": self.lines, "failures": [asdict(f) for f in self.failures]}


def failures_from(items: Iterable[Any]) -> list[Failure]:
    """Ledger items needing a person, as what a message may say (reasons scrubbed of ID-like text)."""
    return [Failure(i.id, i.route, i.case_key, i.state, i.error_type, scrub_text(i.error_message or ""))
            for i in items if i.state in NEEDS_PERSON]


def _failure_line(f: Failure) -> str:
    return f"#{f.id} {f.route} {f.case_key} {STATE_LABELS.get(f.state, f.state)}：{f.reason or f.error_type or ''}"


def alerts(*, exit_code: int, system_errors: list[str], failures: list[Failure],
           told: dict[str, Any]) -> list[Alert]:
    """What this channel has not been told yet, given what it was (``told``)."""
    out: list[Alert] = []
    known = set(told.get("failures", []))
    new = [replace(f, reason=scrub_text(f.reason)) for f in failures if f.key not in known]
    if new:
        out.append(Alert("new_failures", f"casebot：{len(new)} 个案件需要人工处理",
                         [_failure_line(f) for f in new] + ["处理后运行 casebot replay ID（详见 casebot failures）"],
                         exit_code, new))
    condition = exit_code if exit_code in (EXIT_HUMAN_REQUIRED, EXIT_PAGE_CHANGED) else None
    if condition is not None and told.get("condition") != condition:
        errors = [scrub_text(e) for e in system_errors]
        if condition == EXIT_HUMAN_REQUIRED:
            out.append(Alert("login_required", "casebot：需要人工登录（退出码 3）",
                             [*errors, "在工作站上运行 casebot login 系统名 完成登录"], condition))
        else:
            out.append(Alert("pages_changed", f"casebot：{PAGE_CHANGED_BANNER}（退出码 7）",
                             [*errors, "运行 casebot doctor 查看变化的页面"], condition))
    return out


def told_after(failures: list[Failure], exit_code: int) -> dict[str, Any]:
    """What a channel knows once told everything: current failures only (a fixed case is forgotten)."""
    condition = exit_code if exit_code in (EXIT_HUMAN_REQUIRED, EXIT_PAGE_CHANGED) else None
    return {"failures": sorted(f.key for f in failures), "condition": condition}


# -- channels -----------------------------------------------------------------
class Channel(Protocol):
    name: str

    def send(self, alert: Alert) -> None: ...


class EmailChannel:
    def __init__(self, cfg: EmailSettings, password: str | None) -> None:
        self.cfg = cfg
        self.password = password
        self.name = "email"

    def send(self, alert: Alert) -> None:
        msg = EmailMessage()
        msg["Subject"] = alert.title
        msg["From"] = self.cfg.sender
        msg["To"] = ", ".join(self.cfg.to)
        msg["X-Casebot-Kind"] = alert.kind
        msg.set_content(alert.text() + "\n")
        try:
            if self.cfg.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.cfg.host, self.cfg.port, timeout=self.cfg.timeout_s,
                                                      context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(self.cfg.host, self.cfg.port, timeout=self.cfg.timeout_s)
            with smtp:
                if self.cfg.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if self.cfg.username:
                    smtp.login(self.cfg.username, self.password or "")
                smtp.send_message(msg)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"email via {self.cfg.host}:{self.cfg.port}: {type(exc).__name__}: {exc}") from exc


def webhook_body(fmt: str, alert: Alert) -> dict[str, Any]:
    if fmt == "wecom":  # 企业微信群机器人: markdown, content at most 4096 bytes
        content = f"**{alert.title}**\n" + "\n".join(f"> {ln}" for ln in alert.lines)
        return {"msgtype": "markdown", "markdown": {"content": _cut(content, 4000)}}
    if fmt == "dingtalk":  # 钉钉群机器人: markdown with a title
        text = f"#### {alert.title}\n\n" + "\n\n".join(f"- {ln}" for ln in alert.lines)
        return {"msgtype": "markdown", "markdown": {"title": alert.title, "text": _cut(text, 4000)}}
    return alert.as_json()


def _cut(text: str, limit: int) -> str:
    data = text.encode()
    return text if len(data) <= limit else data[: limit - 3].decode(errors="ignore") + "..."


class WebhookChannel:
    def __init__(self, cfg: WebhookSettings, index: int) -> None:
        self.cfg = cfg
        self.name = f"webhook{index}:{cfg.format}"

    def send(self, alert: Alert) -> None:
        body = json.dumps(webhook_body(self.cfg.format, alert), ensure_ascii=False).encode()
        req = urllib.request.Request(self.cfg.url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(req, timeout=self.cfg.timeout_s) as resp:
                answer = resp.read()
        except (urllib.error.URLError, OSError) as exc:
            raise DeliveryFailed(f"{self.name}: {type(exc).__name__}: {exc}") from exc
        if self.cfg.format in ("wecom", "dingtalk"):
            # both robots answer 200 with {"errcode": 0, "errmsg": "ok"}; anything else is a refusal
            try:
                code = json.loads(answer or b"{}").get("errcode")
            except (ValueError, AttributeError) as exc:
                raise DeliveryFailed(f"{self.name}: unreadable answer") from exc
            if code != 0:
                raise DeliveryFailed(f"{self.name}: refused with errcode {code}")


def channels(settings: Settings) -> list[Channel]:
    out: list[Channel] = []
    cfg = settings.notify
    if cfg.email is not None:
        password = None
        if cfg.email.username:
            from casebot.ops.secrets import lookup

            password = lookup(cfg.email.password_secret)[0]
        out.append(EmailChannel(cfg.email, password))
    out.extend(WebhookChannel(w, i) for i, w in enumerate(cfg.webhooks))
    return out


# -- after a run ------------------------------------------------------------------
def state_file(settings: Settings) -> Path:
    from casebot.ops.reading import state_dir

    return state_dir(settings) / "notified.json"


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        log.warning("notify.state_unreadable", file=path.name)
        return {}
    return data if isinstance(data, dict) else {}


def _save(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def notify(chans: list[Channel], path: Path, *, exit_code: int, system_errors: list[str],
           failures: list[Failure]) -> dict[str, int]:
    """Send each channel what it was not told; returns messages sent by channel."""
    state = _load(path)
    sent: dict[str, int] = {}
    for ch in chans:
        told = state.get(ch.name, {})
        pending = alerts(exit_code=exit_code, system_errors=system_errors, failures=failures, told=told)
        sent[ch.name] = 0
        try:
            for alert in pending:
                ch.send(alert)
                sent[ch.name] += 1
                log.info("notify.sent", channel=ch.name, kind=alert.kind, cases=len(alert.failures))
        except DeliveryFailed as exc:
            log.warning("notify.failed", channel=ch.name, error=str(exc))
            continue
        state[ch.name] = told_after(failures, exit_code)
    if chans:
        _save(path, state)
    return sent


def after_run(settings: Settings, *, exit_code: int, system_errors: list[str]) -> dict[str, int]:
    """Notify after a run (or replay): reads what needs a person from the ledger."""
    chans = channels(settings)
    if not chans:
        return {}
    from casebot.ops.reading import read

    items = read(settings, lambda ledger: ledger.items(states=NEEDS_PERSON), [])
    return notify(chans, state_file(settings), exit_code=exit_code, system_errors=system_errors,
                  failures=failures_from(items))
