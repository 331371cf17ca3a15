"""Failure artifacts: a masked screenshot and a Playwright trace, kept only for failures.

They live in a directory only the user can read (0700; files 0600), one
folder per run, purged after ``artifacts.keep_days``. File names carry the
route and the case number only, never a name, an ID number or a secret.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from casebot import logs
from casebot.privacy import PERSONAL_KEYS, mask_id, mask_name

log = logs.get("artifacts")

#: what a failure screenshot hides (form controls hold names and ID numbers)
MASK_SELECTORS = ("input", "textarea", "select", "td", "dd", ".person", ".pii")


def private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:80]


class Artifacts:
    def __init__(self, root: Path, run_id: str) -> None:
        self.root = root
        self.run_dir = root / safe_name(run_id)

    def _dir(self) -> Path:
        private_dir(self.root)
        return private_dir(self.run_dir)

    async def screenshot(self, page: Any, stem: str) -> str | None:
        if page is None or page.is_closed():
            return None
        path = self._dir() / f"{safe_name(stem)}.png"
        try:
            frames_masks = [page.locator(sel) for sel in MASK_SELECTORS]
            for frame in page.frames[1:]:
                frames_masks.extend(frame.locator(sel) for sel in MASK_SELECTORS)
            await page.screenshot(path=str(path), full_page=True, mask=frames_masks, timeout=10_000)
        except Exception as exc:  # a failure screenshot must never hide the failure itself
            log.warning("artifact.screenshot_failed", error=type(exc).__name__)
            return None
        os.chmod(path, 0o600)
        return str(path)

    def trace_path(self, stem: str) -> Path:
        return self._dir() / f"{safe_name(stem)}.trace.zip"

    def scrub_trace(self, path: Path, secrets: Iterable[str], *, passwords: Iterable[str] = ()) -> None:
        """Rewrite a trace so that the case's names and ID numbers appear only masked.

        Traces keep DOM snapshots (what the pages showed) for debugging; the
        values the case brought (names, ID numbers, in every spelling met) are
        replaced in every text entry of the archive. Traces are recorded
        without screenshots, so no image holds them either.
        """
        pairs = sorted({(s, masked(s)) for s in secrets if s and len(s.strip()) >= 2}
                       | {(pw, "***") for pw in passwords if pw},
                       key=lambda p: -len(p[0]))
        if not pairs:
            return
        tmp = path.with_suffix(".tmp")
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info)
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    dst.writestr(info, data)
                    continue
                for raw, mask in pairs:
                    text = text.replace(raw, mask)
                dst.writestr(info, text.encode("utf-8"))
        os.replace(tmp, path)
        os.chmod(path, 0o600)

    def purge(self, keep_days: int) -> int:
        """Remove run folders older than ``keep_days``; returns how many."""
        if not self.root.exists():
            return 0
        cutoff = time.time() - keep_days * 86400
        removed = 0
        for child in self.root.iterdir():
            if child.is_dir() and child.stat().st_mtime < cutoff:
                shutil.rmtree(child, ignore_errors=True)
                removed += 1
        if removed:
            log.info("artifacts.purged", count=removed)
        return removed


def masked(value: str) -> str:
    return mask_id(value) if any(c.isdigit() for c in value) else mask_name(value)


def personal_values(*records: Any) -> set[str]:
    """Every personal value (names, ID numbers) in nested records, as given and without spaces."""
    found: set[str] = set()

    def walk(obj: Any) -> None:
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k in PERSONAL_KEYS and isinstance(v, str) and v.strip() and k not in ("password", "mm"):
                    found.add(v)
                    found.add(v.strip())
                    found.add("".join(v.split()))
                else:
                    walk(v)
        elif isinstance(obj, list | tuple):
            for v in obj:
                walk(v)

    for r in records:
        walk(r)
    return {v for v in found if v}
