"""A tamper-evident audit log of what the robot wrote (等保 2.0 level 3; 网络安全法: six months at least).

Every write, update and adoption of a target record is one JSON line: a
sequence number, the time (UTC), the robot's account on the target, the
workstation, the route, the case, the target system, the record's number and
the fields written, their values masked (names and ID numbers as in every
message, other personal text and free text by length, codes and dates as
they are). Each line carries the SHA-256 of the previous line (``prev``) and
its own (``hash``, over the line without it), so that

- a line edited (one character is enough) no longer matches its hash;
- a line removed, or lines reordered, break the chain of ``prev`` and ``seq``;
- the last lines removed no longer reach the head file (``audit.head``, the
  last sequence number and hash, rewritten after each line);
- the head is also anchored outside the folder it protects (``audit.anchor``
  beside the folder, e.g. ``var/audit.anchor``): a deleted folder, or the last
  lines dropped with ``audit.head`` rewritten to match, no longer reach it;
- a line is parsed strictly: a key given twice (a forged ``"account"`` put at
  a line's front, which a lenient reader would let the later one win over) is
  not an audit line.

Lines go to one file per month (``audit-YYYY-MM.jsonl``, 0600, flushed and
fsynced). Retention (``audit.retention_days``, 180 by default) removes whole
months whose every line is older; the removal is itself a line (``purge``)
naming the last hash removed, from which the chain goes on. ``casebot audit
verify`` checks everything left.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from casebot import logs
from casebot.domain.privacy import key_mask, mask_value, personal_key

__all__ = ["ACTIONS", "AuditLog", "Problem", "RunAudit", "mask_fields", "verify"]

log = logs.get("audit")

ACTIONS = ("write", "update", "adopt", "purge")
GENESIS = "0" * 64
HEAD = "audit.head"
ANCHOR_SUFFIX = ".anchor"
_FILE = re.compile(r"^audit-(\d{4})-(\d{2})\.jsonl$")
_QUOTABLE = re.compile(r"^[0-9A-Za-z_./:+-]{0,40}$")


def _digest(record: Mapping[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "hash"}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True,
                                     separators=(",", ":")).encode("utf-8")).hexdigest()


def _mask(key: str, value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    text = str(value)
    fn = key_mask(key)
    if fn is not None:
        return fn(text)
    if personal_key(key):
        return mask_value(text) if text else ""
    return text if _QUOTABLE.match(text) else f"[{len(text)} 字]"


def mask_fields(card: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """The card's fields, flattened (``xyr[1].xm``), values masked for the audit log."""
    out: dict[str, Any] = {}
    for key, value in card.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(mask_fields(value, f"{name}."))
        elif isinstance(value, list | tuple) and value and all(isinstance(v, Mapping) for v in value):
            for i, item in enumerate(value, 1):
                out.update(mask_fields(item, f"{name}[{i}]."))
        elif isinstance(value, list | tuple):
            out[name] = [_mask(key, v) for v in value]
        else:
            out[name] = _mask(key, value)
    return out


def _private_file(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)


class AuditLog:
    """The audit log in ``directory``, written by one robot account per target."""

    def __init__(self, directory: Path, *, retention_days: int = 180, workstation: str | None = None) -> None:
        self.directory = directory
        self.retention_days = retention_days
        self.workstation = workstation or socket.gethostname()

    # -- writing ----------------------------------------------------------
    @property
    def anchor(self) -> Path:
        """The copy of the head kept outside the folder it protects."""
        return anchor_of(self.directory)

    def _head(self) -> tuple[int, str]:
        path = self.directory / HEAD
        if not path.exists():
            return 0, GENESIS
        data = json.loads(path.read_text(encoding="utf-8"))
        return int(data["seq"]), str(data["hash"])

    def _append(self, record: dict[str, Any], now: datetime) -> dict[str, Any]:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        seq, prev = self._head()
        record = {"seq": seq + 1, "time": now.isoformat(timespec="seconds"), **record, "prev": prev}
        record["hash"] = _digest(record)
        path = self.directory / f"audit-{now:%Y-%m}.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        head = self.directory / f"{HEAD}.tmp"
        head.write_text(json.dumps({"seq": record["seq"], "hash": record["hash"]}), encoding="utf-8")
        _private_file(head)
        os.replace(head, self.directory / HEAD)
        # then the anchor outside the folder: a crash in between leaves it one line behind, which verify accepts
        anchor = self.anchor.with_name(self.anchor.name + ".tmp")
        fd = os.open(anchor, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, json.dumps({"seq": record["seq"], "hash": record["hash"]}).encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(anchor, self.anchor)
        return record

    def record(self, action: str, *, account: str, route: str, case: str, target: str,
               record_id: str | None, fields: Mapping[str, Any], now: datetime | None = None) -> dict[str, Any]:
        """Append one line: ``action`` (write, update, adopt) of ``case`` on ``target``; ``fields`` the card."""
        if action not in ACTIONS[:3]:
            raise ValueError(f"unknown audit action {action!r}")
        line = self._append({"action": action, "account": account, "workstation": self.workstation,
                             "route": route, "case": case, "target": target, "record_id": record_id,
                             "fields": mask_fields(fields)}, now or datetime.now(UTC))
        log.info("audit.recorded", action=action, case=case, target=target, seq=line["seq"])
        return line

    def purge(self, now: datetime | None = None) -> int:
        """Remove the months wholly older than the retention; the removal is itself recorded."""
        now = now or datetime.now(UTC)
        cutoff = now - timedelta(days=self.retention_days)
        removed: list[Path] = []
        last: dict[str, Any] | None = None
        for path in _files(self.directory):
            lines = list(_lines(path))
            if not lines:
                continue
            newest = max(datetime.fromisoformat(r["time"]) for _, r in lines if isinstance(r, dict))
            if newest >= cutoff:
                break
            removed.append(path)
            last = lines[-1][1]
        if not removed or last is None:
            return 0
        self._append({"action": "purge", "workstation": self.workstation,
                      "files": [p.name for p in removed], "through_seq": last["seq"],
                      "through_hash": last["hash"], "retention_days": self.retention_days}, now)
        for path in removed:
            path.unlink()
        log.info("audit.purged", files=len(removed))
        return len(removed)


class RunAudit:
    """What a run records: the audit log of its settings, the robot's account on each target.

    An audit line that cannot be written stops the run (LedgerError, exit 6):
    writing on without the trail the law asks for is not an option.
    """

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.log = AuditLog(settings.path(settings.audit.dir), retention_days=settings.audit.retention_days)

    def purge(self) -> int:
        try:
            return self.log.purge()
        except OSError as exc:
            from casebot.errors import LedgerError

            raise LedgerError(f"audit log cannot be purged: {exc.strerror}") from exc

    def record(self, action: str, *, route: Any, case: str, record_id: str | None,
               card: Mapping[str, Any]) -> None:
        system = self.settings.systems.get(route.target)
        account = (system.username if system is not None else None) or ""
        try:
            self.log.record(action, account=account, route=route.name, case=case, target=route.target,
                            record_id=record_id, fields=card)
        except OSError as exc:
            from casebot.errors import LedgerError

            raise LedgerError(f"audit log cannot be written: {exc.strerror}") from exc


def _files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if _FILE.match(p.name))


def anchor_of(directory: Path) -> Path:
    """Where the head of the audit log in ``directory`` is anchored: beside the folder, not in it."""
    return directory.with_name(directory.name + ANCHOR_SUFFIX)


class _Duplicate(ValueError):
    pass


def _strict_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"not JSON: {name}")


def _parse(text: str) -> Any:
    """One line, strictly: a key given twice, NaN or Infinity make it no audit line."""
    return json.loads(text, object_pairs_hook=_strict_object, parse_constant=_reject_constant)


def _lines(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, text in enumerate(fh, 1):
            if not text.strip():
                continue
            try:
                yield number, _parse(text)
            except _Duplicate as exc:
                yield number, f"key {str(exc)!r} given twice in the line (a forged value put before the real one)"
            except ValueError:
                yield number, None


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


def verify(directory: Path) -> tuple[int, list[Problem]]:
    """(lines checked, problems): every hash, every link of the chain, the head."""
    problems: list[Problem] = []
    files = _files(directory)
    checked = 0
    expected_seq: int | None = None
    prev = GENESIS
    first = True
    for path in files:
        for number, record in _lines(path):
            checked += 1
            where = (path.name, number)
            if not isinstance(record, dict) or "hash" not in record:
                problems.append(Problem(*where, "not an audit line" + (f": {record}" if isinstance(record, str)
                                                                        else "")))
                first = False
                continue
            if _digest(record) != record["hash"]:
                problems.append(Problem(*where, "line altered: its hash does not match its content"))
            if first and record.get("prev") != GENESIS:
                # earlier months removed by retention: the chain resumes at the purge record
                purged = _purge_after(files, record)
                if purged is None:
                    problems.append(Problem(*where, "the first line does not start the chain "
                                                    "(earlier lines removed without a purge record)"))
            elif not first:
                if record.get("prev") != prev:
                    problems.append(Problem(*where, "chain broken: a line before it was removed, "
                                                    "altered or reordered"))
                if expected_seq is not None and record.get("seq") != expected_seq:
                    problems.append(Problem(*where, f"sequence {record.get('seq')} where {expected_seq} "
                                                    "was expected (lines removed or reordered)"))
            first = False
            prev = record["hash"]
            expected_seq = int(record.get("seq", 0)) + 1
    head_path = directory / HEAD
    if head_path.exists():
        try:
            head = json.loads(head_path.read_text(encoding="utf-8"))
        except ValueError:
            head = {}
        if head.get("hash") != (prev if checked else GENESIS) or (
                expected_seq is not None and head.get("seq") != expected_seq - 1):
            problems.append(Problem(HEAD, None, "the last lines were removed or altered "
                                               f"(the head names line {head.get('seq')})"))
    elif checked:
        problems.append(Problem(HEAD, None, "head file missing"))
    problems.extend(_check_anchor(directory, files))
    return checked, problems


def _check_anchor(directory: Path, files: list[Path]) -> list[Problem]:
    """The anchor beside the folder names the last line (or, after a crash, the one before it)."""
    path = anchor_of(directory)
    if not path.exists():
        return []
    try:
        anchor = _parse(path.read_text(encoding="utf-8"))
        seq, digest = int(anchor["seq"]), str(anchor["hash"])
    except (ValueError, KeyError, TypeError):
        return [Problem(path.name, None, "the anchor of the audit log is unreadable")]
    if not directory.is_dir():
        return [Problem(directory.name, None, f"the audit folder is missing, but {path.name} shows "
                                              f"{seq} line(s) were written")]
    hashes: dict[int, str] = {}
    for file in files:
        for _, record in _lines(file):
            if isinstance(record, dict) and isinstance(record.get("seq"), int):
                hashes[record["seq"]] = str(record.get("hash"))
    last = max(hashes, default=0)
    if hashes.get(seq) != digest or seq < last - 1:
        return [Problem(path.name, None, f"the audit log does not reach its anchor (line {seq}): "
                                         "lines were removed or rewritten, the head with them")]
    return []


def _purge_after(files: list[Path], first: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The purge record that names ``first``'s predecessor as the last line it removed."""
    for path in files:
        for _, record in _lines(path):
            if isinstance(record, dict) and record.get("action") == "purge" \
                    and record.get("through_hash") == first.get("prev") \
                    and record.get("through_seq") == int(first.get("seq", 0)) - 1:
                return record
    return None
