"""Telling a person what needs one: new failed cases, a login to do (exit 3), changed pages (exit 7), a system
that cannot be reached (exit 11, told whatever else the run met).

After each run, :func:`after_run` compares what needs a person with what each
channel was already told (``notified.json`` in the log's folder) and sends only
what is new: a failed case is announced once, not every 15 minutes; a login or
changed-page condition once until a run ends without it. Channels: SMTP email,
a generic JSON webhook (schema ``casebot.notification/1``), and the WeCom and
DingTalk group-robot formats. Messages carry case numbers, routes and reasons as
the ledger holds them (names masked, ID-like text scrubbed), never a full name or
an ID number. Every message names the workstation it comes from and, when
``[notify] console_url`` is set, links to its console. When a login or
changed-page condition ends, that is said once (``resolved``). A channel that
fails is logged (``notify.failed``), kept in ``notified.json`` for ``doctor`` and
the run's summary, and tried again after the next run; it never changes the
run's exit status. ``casebot notify test`` sends a test message through each.
"""

from __future__ import annotations

import hashlib
import json
import re
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Protocol

from casebot import logs
from casebot.config import EmailSettings, Settings, WebhookSettings
from casebot.domain.exits import EXIT_UNREACHABLE, PAGE_CHANGED_BANNER
from casebot.domain.meanings import MEANINGS
from casebot.domain.privacy import scrub_text
from casebot.domain.states import LABELS as STATE_LABELS
from casebot.domain.states import NEEDS_PERSON
from casebot.errors import CasebotError, HumanRequired, PageChanged
from casebot.ops.reading import write_state

SCHEMA = "casebot.notification/1"

#: the conditions a person is told of once (and told again when they are gone): the exit statuses of a
#: system that waits for a login and of a route whose pages changed, as the error table gives them
EXIT_HUMAN_REQUIRED = MEANINGS[HumanRequired].exit
EXIT_PAGE_CHANGED = MEANINGS[PageChanged].exit

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
    #: the route's hop in a clerk's words (``法院宣判 → 检察院判决情况``); "" when not known
    hop: str = ""

    @property
    def key(self) -> str:
        digest = hashlib.sha256(f"{self.error_type}|{self.reason}".encode()).hexdigest()[:12]
        return f"{self.id}:{self.state}:{digest}"


@dataclass
class Alert:
    """One message: ``kind`` is ``new_failures``, ``login_required``, ``pages_changed``, ``unreachable``,
    ``resolved`` or ``test``."""

    kind: str
    title: str
    lines: list[str]
    exit_code: int | None = None
    failures: list[Failure] = field(default_factory=list)
    #: the workstation it comes from and its console's address, added by :func:`signed`
    workstation: str | None = None
    console_url: str | None = None

    def text(self) -> str:
        return "\n".join([self.title, *self.lines, *self.footer()])

    def footer(self) -> list[str]:
        out = [f"工作站：{self.workstation}"] if self.workstation else []
        return out + ([f"控制台：{self.console_url}"] if self.console_url else [])

    def as_json(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "kind": self.kind, "title": self.title, "exit_code": self.exit_code,
                "lines": self.lines, "failures": [asdict(f) for f in self.failures],
                "workstation": self.workstation, "console_url": self.console_url}


def signed(alert: Alert, settings: Settings | None) -> Alert:
    """``alert`` naming this workstation and linking to its console (when configured)."""
    if settings is None:
        return alert
    return replace(alert, workstation=settings.workstation(), console_url=settings.notify.console_url)


def failures_from(items: Iterable[Any], hops: dict[str, str] | None = None) -> list[Failure]:
    """Ledger items needing a person, as what a message may say (reasons scrubbed of ID-like text); ``hops``:
    each route's hop in a clerk's words."""
    return [Failure(i.id, i.route, i.case_key, i.state, i.error_type, scrub_text(i.error_message or ""),
                    (hops or {}).get(i.route, "")) for i in items if i.state in NEEDS_PERSON]


def _failure_line(f: Failure) -> str:
    route = f"{f.route}（{f.hop}）" if f.hop else f.route
    return f"#{f.id} {route} {f.case_key} {STATE_LABELS.get(f.state, f.state)}：{f.reason or f.error_type or ''}"


def alerts(*, exit_code: int, system_errors: list[str], failures: list[Failure],
           told: dict[str, Any], down: dict[str, str] | None = None,
           reached: set[str] | None = None) -> list[Alert]:
    """What this channel has not been told yet, given what it was (``told``).

    ``down``: the systems the run could not reach (system -> its own name); ``reached``: those it reached.
    None (a replay, a run that ended early): nothing is said of systems up or down."""
    out: list[Alert] = []
    known = set(told.get("failures", []))
    changed = exit_code == EXIT_PAGE_CHANGED
    # the cases a changed page stopped are the one incident's, told once in its own alert below
    new = [replace(f, reason=scrub_text(f.reason)) for f in failures
           if f.key not in known and not (changed and f.error_type == "PageChanged")]
    if new:
        out.append(Alert("new_failures", f"casebot：{len(new)} 个案件需要人工处理",
                         [_failure_line(f) for f in new] + ["处理后运行 casebot replay ID（详见 casebot failures）"],
                         exit_code, new))
    condition = exit_code if exit_code in (EXIT_HUMAN_REQUIRED, EXIT_PAGE_CHANGED) else None
    if condition is not None and told.get("condition") != condition:
        errors = [scrub_text(e) for e in system_errors]
        if condition == EXIT_HUMAN_REQUIRED:
            passwords = [e for e in errors if "secret set" in e]
            if passwords and len(passwords) == len(errors):  # a credential to renew, not a login by hand
                out.append(Alert("login_required", "casebot：系统拒绝了密码（退出码 3）",
                                 [*errors, "在工作站上运行 casebot secret set 系统名 更新密码"], condition))
            else:
                out.append(Alert("login_required", "casebot：需要人工登录（退出码 3）",
                                 [*errors, "在工作站上运行 casebot login 系统名 完成登录（输入验证码）"
                                  + ("；密码被拒的系统运行 casebot secret set 系统名" if passwords else "")],
                                 condition))
        else:
            places = _changed_places(failures)
            out.append(Alert("pages_changed", f"casebot：{PAGE_CHANGED_BANNER}（退出码 7）",
                             [*dict.fromkeys([*errors, *places]),
                              f"受影响的案件 {sum(f.error_type == 'PageChanged' for f in failures)} 件，"
                              "适配器更新后自动续办；运行 casebot doctor 逐页核对"], condition))
    was = told.get("condition")
    if was in (EXIT_HUMAN_REQUIRED, EXIT_PAGE_CHANGED) and condition is None:
        what = "登录问题" if was == EXIT_HUMAN_REQUIRED else "页面变化"
        out.append(Alert("resolved", f"casebot：{what}已解决（退出码 {exit_code}）",
                         [f"此前报告的{what}（退出码 {was}）已不再出现，定时运行恢复正常。"], exit_code))
    out += _systems_down(exit_code, system_errors, told.get("unreachable") or {}, down, reached)
    return out


def _systems_down(exit_code: int, system_errors: list[str], was: dict[str, str], down: dict[str, str] | None,
                  reached: set[str] | None) -> list[Alert]:
    """A system unreachable, told once per incident whatever else the run met; told again once it is back
    (reached by a later run)."""
    if down is None:
        return []
    out = []
    code = f"（退出码 {EXIT_UNREACHABLE}）" if exit_code == EXIT_UNREACHABLE else ""
    for system, title in sorted(down.items()):
        if system in was:
            continue
        said = [scrub_text(e) for e in system_errors if e.startswith(f"{system}:")]
        out.append(Alert("unreachable", f"casebot：{title}（{system}）无法连接{code}",
                         [*said, f"{title}的案件在等待，恢复后下次运行自动续办，无需 replay；"
                          "请该系统的管理员或网络管理员恢复服务（casebot doctor 检查连接）"], exit_code))
    for system, title in sorted(was.items()):
        if system not in down and reached is not None and system in reached:
            out.append(Alert("resolved", f"casebot：{title}（{system}）已恢复连接",
                             [f"此前报告无法连接的{title}已能连上，等待的案件已由本次运行续办。"], exit_code))
    return out


def _still_down(was: dict[str, str], down: dict[str, str] | None, reached: set[str] | None) -> dict[str, str]:
    """The systems a channel knows as down after this run: those down now, and those not reached since."""
    if down is None:
        return dict(was)
    return {**{s: t for s, t in was.items() if reached is None or s not in reached}, **down}


def _changed_places(failures: list[Failure]) -> list[str]:
    """Each changed place once, by system, page and field: ``检察院系统：页面结构已变化，找不到 …（字段“案件名称”）``
    (from the reasons of the cases it stopped, the case number left out)."""
    from casebot.domain.glossary import SYSTEM_WORDS

    out: list[str] = []
    for f in failures:
        if f.error_type != "PageChanged":
            continue
        text = scrub_text(f.reason).split("：", 1)[1] if f.reason.startswith("案件 ") else scrub_text(f.reason)
        system, sep, rest = text.partition(": ")
        if sep and system in SYSTEM_WORDS:
            text = f"{SYSTEM_WORDS[system]}系统（{system}）：{rest}"
        out.append(text)
    return list(dict.fromkeys(out))


def told_after(failures: list[Failure], exit_code: int, *, told: dict[str, Any] | None = None,
               down: dict[str, str] | None = None, reached: set[str] | None = None) -> dict[str, Any]:
    """What a channel knows once told everything: current failures only (a fixed case is forgotten), the
    condition, the systems down (``told``: what it knew before)."""
    condition = exit_code if exit_code in (EXIT_HUMAN_REQUIRED, EXIT_PAGE_CHANGED) else None
    out: dict[str, Any] = {"failures": sorted(f.key for f in failures), "condition": condition}
    systems = _still_down((told or {}).get("unreachable") or {}, down, reached)
    if systems:
        out["unreachable"] = systems
    return out


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
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = make_msgid(domain=_domain(self.cfg.sender))
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
                if self.cfg.username and self.password:  # authenticate only when an account is configured
                    smtp.ehlo_or_helo_if_needed()
                    if not smtp.has_extn("auth"):
                        raise DeliveryFailed(f"邮件服务器 {self.cfg.host}:{self.cfg.port} 不支持登录（AUTH）："
                                             "请删去 [notify.email] 的 username，或改用需要登录的端口")
                    smtp.login(self.cfg.username, self.password)
                smtp.send_message(msg)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryFailed(f"邮件服务器 {self.cfg.host}:{self.cfg.port} 拒绝了账号 {self.cfg.username}："
                                 f"请运行 casebot secret set {self.cfg.password_secret} 更新密码") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"邮件经 {self.cfg.host}:{self.cfg.port} 发送失败：{type(exc).__name__}: {exc}") \
                from exc


def _domain(sender: str) -> str:
    return sender.rpartition("@")[2].strip(" >") or "casebot.local"


#: the marks that make markup inside a line (each line starts with the format's own ``> `` or ``- ``)
_MARKDOWN = re.compile(r"([\\`*_\[\]~|])")


def markdown_text(text: str) -> str:
    """Text shown as itself in the robots' markdown: HTML's ``< > &`` as entities (both render HTML tags,
    ``<font>`` and more), markdown's marks escaped, one line (a newline would start a heading or a list)."""
    one_line = " ".join(str(text).split())
    html_safe = one_line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\1", html_safe)


def webhook_body(fmt: str, alert: Alert) -> dict[str, Any]:
    title = markdown_text(alert.title)
    lines = [markdown_text(ln) for ln in [*alert.lines, *alert.footer()]]  # workstation, console link last
    if fmt == "wecom":  # 企业微信群机器人: markdown, content at most 4096 bytes
        content = f"**{title}**\n" + "\n".join(f"> {ln}" for ln in lines)
        return {"msgtype": "markdown", "markdown": {"content": _cut(content, 4000)}}
    if fmt == "dingtalk":  # 钉钉群机器人: markdown with a title
        text = f"#### {title}\n\n" + "\n\n".join(f"- {ln}" for ln in lines)
        return {"msgtype": "markdown", "markdown": {"title": " ".join(alert.title.split()), "text": _cut(text, 4000)}}
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
            raise DeliveryFailed(f"{self.name}：无法送达（{type(exc).__name__}: {exc}）") from exc
        if self.cfg.format in ("wecom", "dingtalk"):
            # both robots answer 200 with {"errcode": 0, "errmsg": "ok"}; anything else is a refusal
            try:
                code = json.loads(answer or b"{}").get("errcode")
            except (ValueError, AttributeError) as exc:
                raise DeliveryFailed(f"{self.name}：应答无法读取") from exc
            if code != 0:
                raise DeliveryFailed(f"{self.name}：机器人拒收（errcode {code}）")


def channels(settings: Settings) -> list[Channel]:
    out: list[Channel] = []
    cfg = settings.notify
    if cfg.email is not None:
        password = None
        if cfg.email.username:
            from casebot.kit.secrets import lookup

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


def notify(chans: list[Channel], path: Path, *, exit_code: int, system_errors: list[str],
           failures: list[Failure], settings: Settings | None = None, replay: bool = False,
           down: dict[str, str] | None = None, reached: set[str] | None = None) -> dict[str, int]:
    """Send each channel what it was not told; returns messages sent by channel. A channel that fails keeps
    what it was told before (tried again next time) and its error (``failed``), for doctor and the summary."""
    state = _load(path)
    sent: dict[str, int] = {}
    for ch in chans:
        told = state.get(ch.name, {})
        if replay:  # a replay says nothing of logins, pages or systems: the scheduled run's condition stands
            exit_code = told.get("condition") or (1 if failures else 0)
            down = reached = None
        pending = alerts(exit_code=exit_code, system_errors=system_errors, failures=failures, told=told,
                         down=down, reached=reached)
        sent[ch.name] = 0
        try:
            for alert in pending:
                ch.send(signed(alert, settings))
                sent[ch.name] += 1
                log.info("notify.sent", channel=ch.name, kind=alert.kind, cases=len(alert.failures))
        except DeliveryFailed as exc:
            log.warning("notify.failed", channel=ch.name, error=str(exc))
            state[ch.name] = {**told, "failed": {"error": str(exc)[:500], "at": _now()}}
            continue
        state[ch.name] = told_after(failures, exit_code, told=told, down=down, reached=reached)
    if chans:
        write_state(path, state)
    return sent


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def failed_channels(settings: Settings) -> dict[str, dict[str, str]]:
    """The channels whose last message did not go out: name -> {error, at} (for doctor and the summary)."""
    state = _load(state_file(settings))
    return {name: told["failed"] for name, told in state.items()
            if isinstance(told, dict) and isinstance(told.get("failed"), dict)}


def test_all(settings: Settings) -> dict[str, str | None]:
    """``casebot notify test``: one test message through every channel; name -> None (sent) or the error."""
    path, out = state_file(settings), {}
    state = _load(path)
    alert = signed(Alert("test", "casebot：告警测试", ["这是一条测试消息：收到即说明告警渠道配置正确，无需处理。"]),
                   settings)
    for ch in channels(settings):
        try:
            ch.send(alert)
        except DeliveryFailed as exc:
            out[ch.name] = str(exc)
            state[ch.name] = {**state.get(ch.name, {}), "failed": {"error": str(exc)[:500], "at": _now()}}
            log.warning("notify.failed", channel=ch.name, error=str(exc))
            continue
        out[ch.name] = None
        if isinstance(state.get(ch.name), dict):
            state[ch.name].pop("failed", None)
        log.info("notify.sent", channel=ch.name, kind="test", cases=0)
    if out:
        write_state(path, state)
    return out


def after_run(settings: Settings, *, exit_code: int, system_errors: list[str], replay: bool = False,
              down: dict[str, str] | None = None, reached: set[str] | None = None) -> dict[str, int]:
    """Notify after a run (or replay): reads what needs a person from the ledger. ``down``/``reached``: the
    systems the run could not reach (system -> its own name) and those it reached (None: not known)."""
    chans = channels(settings)
    if not chans:
        return {}
    from casebot.ops.reading import read

    items = read(settings, lambda ledger: ledger.items(states=NEEDS_PERSON), [])
    return notify(chans, state_file(settings), exit_code=exit_code, system_errors=system_errors,
                  failures=failures_from(items, {r.name: r.hop(settings) for r in settings.routes}),
                  settings=settings, replay=replay, down=down, reached=reached)
