"""casebot.toml: systems, routes, ledger, artifacts, logs and browser, validated before anything runs.

Values come from the TOML file, overridden by environment variables
``CASEBOT_<SECTION>__<KEY>`` (e.g. ``CASEBOT_BROWSER__HEADLESS=false``).
Passwords are never in the file: ``CASEBOT_<SYSTEM>_PASSWORD`` or the OS
keyring (service ``casebot``, user ``<system>``).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from casebot.errors import ConfigError
from casebot.kit.browser import BrowserOptions
from casebot.kit.system import Credentials, SystemConfig
from casebot.ledger import sqlite_path

DEFAULT_CONFIG = "casebot.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SystemSettings(_Strict):
    adapter: str | None = None
    url: str
    username: str | None = None
    timeout_ms: int = Field(15_000, ge=1000, le=300_000)
    #: a session kept by `casebot login` (Playwright storage state), per system
    session_file: Path | None = None

    @field_validator("url")
    @classmethod
    def _http(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("必须以 http:// 或 https:// 开头")
        return v.rstrip("/")


class RouteSettings(_Strict):
    name: str
    source: str
    target: str
    #: where the case card comes from when the source is not the police system (the court hop)
    case_source: str | None = None
    #: the kind of record the route reads from its source and the kind it writes into its target, when
    #: not the systems' own (``arrest_request`` from the police, ``arrest_review`` into the procuratorate)
    source_kind: str | None = None
    target_kind: str | None = None
    #: what makes a source record eligible, given to the source's list_records
    filters: dict[str, str] = Field(default_factory=dict)
    #: only records of these regions (行政区划 codes, units.csv ``region``); empty: every region
    regions: list[str] = Field(default_factory=list)
    #: records of these regions go elsewhere (another route's ``regions``)
    skip_regions: list[str] = Field(default_factory=list)
    enabled: bool = True
    #: a case already written follows the police: ``auto`` applies each change through the
    #: target's edit pages, ``report`` only reports it (``casebot reconcile``: stale), ``off`` ignores it
    update: Literal["auto", "report", "off"] = "auto"
    #: a place the change would touch that a person changed in the target since casebot wrote it:
    #: ``hold`` the whole update for a clerk, ``skip-field`` apply the rest and leave that place alone
    on_conflict: Literal["hold", "skip-field"] = "hold"
    #: per field (a card field, or a person-row field such as ``xm``): ``off`` = never updated
    #: after the first write; ``skip-field`` / ``hold`` override ``on_conflict`` for that field
    fields: dict[str, Literal["off", "hold", "skip-field"]] = Field(default_factory=dict)

    def hop(self, settings: Any) -> str:
        """The hop this route carries, in a clerk's words (``公安提请批准逮捕 → 检察院审查逮捕案卡``)."""
        from casebot.domain.glossary import hop

        return hop(settings.adapter_name(self.source), self.source_kind, settings.adapter_name(self.target),
                   self.target_kind)

    def mapping_target(self, adapter: str) -> str:
        """The target a mapping names for this route: the adapter, or ``adapter.kind``."""
        return f"{adapter}.{self.target_kind}" if self.target_kind else adapter

    @field_validator("regions", "skip_regions")
    @classmethod
    def _region_codes(cls, v: list[str]) -> list[str]:
        bad = [r for r in v if not (len(r) == 6 and r.isdigit())]
        if bad:
            raise ValueError(f"地区应为 6 位行政区划代码（units.csv 的 region 列），而不是 {bad[0]!r}")
        return v


class LedgerSettings(_Strict):
    #: where the ledger lives: ``sqlite:///relative/path`` (to the config file's folder),
    #: ``sqlite:////absolute/path``, or a ``postgresql://`` URL for a shared ledger
    url: str = "sqlite:///var/ledger.sqlite3"
    #: the former way to name the SQLite file; still read, wins over ``url`` when set
    path: Path | None = None
    #: this workstation's name: it holds the leases of the cases its runs work, and one run at a
    #: time per name may work from a shared ledger (default: the machine's host name)
    workstation: str | None = Field(None, min_length=1, max_length=100)
    #: how long a case stays reserved to a run without news of it; a running case's lease is
    #: renewed every third of it, so another workstation takes over a dead run's cases that soon
    lease_s: float = Field(60.0, ge=2, le=3600)


class ArtifactSettings(_Strict):
    dir: Path = Path("var/artifacts")
    #: where each run's HTML report goes
    reports: Path = Path("var/reports")
    keep_days: int = Field(30, ge=1)
    #: Playwright traces (DOM snapshots, network) of failed cases. ``on-retry``: a case is
    #: traced once it is retried (a transient error in this run, or trouble in an earlier
    #: one), which costs nothing on a clean run; ``on-failure``: every case is traced and
    #: the failures' traces kept (about +70 % of a card's time); ``off``: screenshots only.
    trace: Literal["on-retry", "on-failure", "off"] = "on-retry"


class AuditSettings(_Strict):
    """The tamper-evident audit log of writes (casebot.run.audit)."""

    dir: Path = Path("var/audit")
    #: months whose every line is older than this are removed (网络安全法: at least six months)
    retention_days: int = Field(180, ge=1)


class LogSettings(_Strict):
    file: Path = Path("var/casebot.jsonl")
    #: the log rotates at this size, keeping ``backups`` older files (casebot.jsonl.1 ...)
    max_mb: float = Field(10.0, gt=0)
    backups: int = Field(5, ge=1, le=100)
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class BrowserSettings(_Strict):
    executable_path: str | None = None
    channel: str | None = None
    headless: bool = True
    concurrency: int = Field(2, ge=1, le=16)

    def options(self, *, headed: bool = False) -> BrowserOptions:
        return BrowserOptions(executable_path=self.executable_path, channel=self.channel,
                              headless=self.headless and not headed)


class RunSettings(_Strict):
    max_attempts: int = Field(4, ge=1, le=20)
    backoff_initial_s: float = Field(0.5, ge=0)
    backoff_max_s: float = Field(10.0, ge=0)
    verify: bool = True
    #: minutes a clerk needs to type one card by hand (for the report's time saved)
    manual_minutes_per_card: float = 6.0
    lock_file: Path | None = None


class EmailSettings(_Strict):
    host: str
    port: int = Field(25, ge=1, le=65535)
    #: ``starttls`` (port 587), ``ssl`` (port 465) or ``none`` (a relay on the local network)
    security: Literal["none", "starttls", "ssl"] = "none"
    username: str | None = None
    #: the SMTP password is a secret like the systems': ``casebot secret set <password_secret>``
    password_secret: str = "smtp"
    sender: str
    to: list[str] = Field(min_length=1)
    timeout_s: float = Field(20.0, gt=0)


class WebhookSettings(_Strict):
    url: str
    #: ``json`` (casebot's own, versioned), ``wecom`` (企业微信群机器人) or ``dingtalk`` (钉钉群机器人)
    format: Literal["json", "wecom", "dingtalk"] = "json"
    timeout_s: float = Field(10.0, gt=0)

    @field_validator("url")
    @classmethod
    def _http(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("必须以 http:// 或 https:// 开头")
        return v


class MappingSettings(_Strict):
    #: the mappings directory this workstation uses (default: the shipped ``mappings/``); the
    #: mappings installed adapters bring are added to it
    dir: Path | None = None


class NotifySettings(_Strict):
    """Who hears of what needs a person: new failed cases, a login to do (exit 3), changed pages (exit 7)."""

    email: EmailSettings | None = None
    webhooks: list[WebhookSettings] = Field(default_factory=list)
    #: the console's address as the people alerted reach it (e.g. http://xm-court-03:8765/), put in every alert
    console_url: str | None = None


class DeadlineSettings(_Strict):
    """期限预警 (casebot deadlines, docs/deadlines.md): when a deadline is due soon and when to tell people."""

    #: a period with at most this many days left is 即将到期
    soon_days: int = Field(3, ge=0, le=60)
    #: days left at which a notification goes out, once each: 3 (three days before), 0 (the day), -1 (overdue)
    notify_days: list[int] = Field(default_factory=lambda: [3, 0, -1])
    notify: bool = True
    #: a site's year files of the State Council's holiday schedule (years the installed library does not know)
    calendars: list[Path] = Field(default_factory=list)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASEBOT_", env_nested_delimiter="__", extra="forbid")

    systems: dict[str, SystemSettings]
    routes: list[RouteSettings]
    ledger: LedgerSettings = LedgerSettings()
    artifacts: ArtifactSettings = ArtifactSettings()
    audit: AuditSettings = AuditSettings()
    logging: LogSettings = LogSettings()
    browser: BrowserSettings = BrowserSettings()
    run: RunSettings = RunSettings()
    notify: NotifySettings = NotifySettings()
    mappings: MappingSettings = MappingSettings()
    deadlines: DeadlineSettings = DeadlineSettings()
    #: directory relative paths are resolved against (the config file's folder)
    base_dir: Path = Path(".")

    _toml_file: ClassVar[Path | None] = None

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: Any, env_settings: Any,
                                   dotenv_settings: Any, file_secret_settings: Any,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls._toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=cls._toml_file))
        return tuple(sources)

    @model_validator(mode="after")
    def _routes_name_systems(self) -> Settings:
        for i, route in enumerate(self.routes):
            for key in ("source", "target", "case_source"):
                system = getattr(route, key)
                if system is not None and system not in self.systems:
                    raise ValueError(f"routes[{i}].{key}：[systems] 中没有名为 {system!r} 的系统")
        names = [r.name for r in self.routes]
        if len(set(names)) != len(names):
            raise ValueError("routes：路线名不能重复")
        return self

    # -- resolved values ---------------------------------------------------
    def path(self, p: Path) -> Path:
        return p if p.is_absolute() else (self.base_dir / p)

    def ledger_url(self) -> str:
        """``[ledger]`` resolved: a SQLite file against the config's folder, any other URL as is."""
        path = self.ledger.path if self.ledger.path is not None else sqlite_path(self.ledger.url)
        if path is None:
            return self.ledger.url
        return "sqlite:///" + str(self.path(path))

    def workstation(self) -> str:
        """The name this workstation's runs lease cases under (``[ledger] workstation``, else the host name)."""
        return self.ledger.workstation or socket.gethostname()

    def lock_path(self) -> Path:
        """The workstation's run lock: ``[run] lock_file``, else beside a SQLite ledger, else under var/."""
        if self.run.lock_file:
            return self.path(self.run.lock_file)
        ledger_file = sqlite_path(self.ledger_url())
        if ledger_file is not None:
            return Path(str(ledger_file) + ".lock")
        return self.path(Path("var/casebot.lock"))

    def mappings_dir(self) -> Path | None:
        """``[mappings] dir`` resolved against the config's folder; None: the shipped mappings."""
        return self.path(self.mappings.dir) if self.mappings.dir else None

    def adapter_name(self, system: str) -> str:
        return self.systems[system].adapter or system

    def system_config(self, system: str, *, need_password: bool = True) -> SystemConfig:
        s = self.systems[system]
        creds = None
        if s.username:
            try:
                password = secret(system)
            except ConfigError as exc:  # the keyring cannot be read: this system's configuration
                exc.system = exc.system or system
                raise
            if password is None and need_password:
                raise ConfigError(
                    f"systems.{system}：缺少密码：用 `casebot secret set {system}` 保存，"
                    f"或设置环境变量 CASEBOT_{system.upper()}_PASSWORD", system=system)
            creds = Credentials(s.username, password or "")
        return SystemConfig(name=system, base_url=s.url, credentials=creds, timeout_ms=s.timeout_ms,
                            login_cap=self.login_cap_file(system))

    def login_cap_file(self, system: str) -> Path:
        """Where a refused login of ``system`` is remembered (casebot.kit.logins), beside its kept session."""
        return self.session_file(system).with_name(f"{system}.login-refused")

    def session_file(self, system: str) -> Path:
        s = self.systems[system]
        return self.path(s.session_file) if s.session_file else self.path(Path("var/sessions") / f"{system}.json")


def secret(system: str) -> str | None:
    """A system's password: environment first, then the keyring (see :mod:`casebot.kit.secrets`)."""
    from casebot.kit.secrets import lookup

    return lookup(system)[0]


#: pydantic's error types, said in Chinese (what is not here keeps pydantic's words)
_SAID = {"missing": "缺少此项", "extra_forbidden": "没有这个设置项（拼写错误？）", "string_type": "应为文本",
         "int_parsing": "应为整数", "int_type": "应为整数", "float_parsing": "应为数字", "float_type": "应为数字",
         "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false", "list_type": "应为列表",
         "dict_type": "应为表（[...] 小节）", "model_type": "应为表（[...] 小节）", "url_parsing": "不是有效的网址",
         "too_short": "至少要有 {min_length} 项", "string_too_short": "至少 {min_length} 个字符",
         "string_too_long": "最多 {max_length} 个字符", "greater_than": "应大于 {gt}",
         "greater_than_equal": "应不小于 {ge}", "less_than": "应小于 {lt}", "less_than_equal": "应不大于 {le}",
         "literal_error": "只能是 {expected}", "enum": "只能是 {expected}"}


def _in_chinese(err: Any) -> str:
    """One validation error in a clerk's words: our own checks already speak Chinese, pydantic's are translated."""
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
    said = _SAID.get(kind)
    if said is None:
        return str(err["msg"])
    try:
        return said.format(**{k: str(v).replace("'", "") for k, v in ctx.items()})
    except (KeyError, IndexError):
        return said.split("{")[0].strip()


def load(path: Path | str | None = None) -> Settings:
    """Read and validate a config file; every problem is a ConfigError naming the key."""
    p = Path(path or os.environ.get("CASEBOT_CONFIG", DEFAULT_CONFIG))
    if not p.exists():
        raise ConfigError(f"{p}：找不到配置文件（可复制 examples/sandbox.toml 开始）")
    try:
        Settings._toml_file = p
        try:
            settings = Settings(base_dir=p.resolve().parent)
        finally:
            Settings._toml_file = None
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"]) or "（整个文件）"
            lines.append(f"{loc}：{_in_chinese(err)}")
        raise ConfigError(f"{p}：配置有误：\n  " + "\n  ".join(lines)) from exc
    except Exception as exc:  # TOML syntax
        raise ConfigError(f"{p}：无法读取（TOML 格式错误）：{exc}") from exc
    return settings


def served_regions(routes: list[RouteSettings]) -> set[str] | None:
    """The regions the routes into one system serve together; None when one of them takes every region."""
    if any(not r.regions for r in routes):
        return None
    return {code for r in routes for code in r.regions}
