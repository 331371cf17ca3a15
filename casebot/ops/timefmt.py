"""Times as a clerk reads them: the workstation's local time, to the second, everywhere."""

from __future__ import annotations

from datetime import UTC, datetime


def parse(value: str | float | datetime | None) -> datetime | None:
    """A ledger timestamp (ISO, UTC), a Unix time or a datetime, as an aware datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def local(value: str | float | datetime | None) -> str:
    dt = parse(value)
    return dt.astimezone().strftime("%Y-%m-%d %H:%M:%S") if dt else ""


def local_iso(value: str | float | datetime | None) -> str | None:
    """ISO 8601 with the local UTC offset (for JSON)."""
    dt = parse(value)
    return dt.astimezone().isoformat(timespec="seconds") if dt else None


def age(seconds: float) -> str:
    """``3 天 4 小时``, ``2 小时 5 分``, ``12 分``: how long a case has waited."""
    s = int(max(0, seconds))
    days, rest = divmod(s, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} 天 {hours} 小时"
    if hours:
        return f"{hours} 小时 {minutes} 分"
    return f"{minutes} 分"
