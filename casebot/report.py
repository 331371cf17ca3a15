"""The HTML run report (Jinja2, autoescaped): per-case results and the time saved against manual entry."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from casebot.glossary import STATE_LABELS
from casebot.identity import visible
from casebot.run.outcome import RunSummary


def _shown(value: object) -> object:
    """Every printed value: invisible (bidi, zero-width, control) characters shown as <U+XXXX>."""
    return visible(value) if isinstance(value, str) else value


_env = Environment(loader=PackageLoader("casebot", "templates"), autoescape=select_autoescape(["html", "j2"]),
                   finalize=_shown)


def render(summary: RunSummary, *, manual_minutes: float, dry_run: bool = False,
           hops: dict[str, str] | None = None) -> str:
    counts: dict[str, int] = {}
    by_hop: dict[str, dict[str, int]] = {}
    for r in summary.news:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
        by_hop.setdefault(r.route, {})
        by_hop[r.route][r.outcome] = by_hop[r.route].get(r.outcome, 0) + 1
    seconds = max(0.0, summary.finished - summary.started)
    saved = max(0.0, counts.get("done", 0) * manual_minutes - seconds / 60)
    return _env.get_template("report.html.j2").render(
        summary=summary, results=sorted(summary.news, key=lambda r: (r.route, r.case_key)),
        waiting=sorted(summary.waiting, key=lambda r: (r.route, r.case_key)),
        counts=counts, seconds=seconds, minutes_saved=saved, manual_minutes=manual_minutes,
        started=datetime.fromtimestamp(summary.started, UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S"),
        outcome_labels=STATE_LABELS, dry_run=dry_run, by_hop=sorted(by_hop.items()), hops=hops or {})


def write(summary: RunSummary, directory: Path, *, manual_minutes: float, dry_run: bool = False,
          hops: dict[str, str] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / f"report-{summary.run_id}.html"
    path.write_text(render(summary, manual_minutes=manual_minutes, dry_run=dry_run, hops=hops), encoding="utf-8")
    os.chmod(path, 0o600)
    latest = directory / "report-latest.html"
    latest.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    os.chmod(latest, 0o600)
    return path
