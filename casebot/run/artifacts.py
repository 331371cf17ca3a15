"""Failure artifacts: a masked screenshot and a Playwright trace, kept only for failures.

They live in a directory only the user can read (0700; files 0600), one
folder per run, purged after ``artifacts.keep_days``. File names carry the
route and the case number only, never a name, an ID number or a secret.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from casebot import logs
from casebot.domain.privacy import (
    Replacer,
    mask_value,
    personal_key,
    replacements,
    scrub_text,
    spellings,
)
from casebot.ops.reading import private_dir

log = logs.get("artifacts")

#: what a failure screenshot hides (form controls hold names and ID numbers)
MASK_SELECTORS = ("input", "textarea", "select", "td", "dd", ".person", ".pii")


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:80]


class Artifacts:
    def __init__(self, root: Path, run_id: str) -> None:
        self.root = root
        self.run_dir = root / safe_name(run_id)

    def _dir(self) -> Path:
        private_dir(self.root)
        return private_dir(self.run_dir)

    async def screenshot(self, page: Any, stem: str, *, personal: Iterable[str] | None = None,
                         system: str | None = None, case: str | None = None) -> str | None:
        """A full-page screenshot with form controls, table cells and every element whose text
        holds one of the ``personal`` values (any spelling: headings and the target's own banners
        included) masked; text without a personal value (code lists, messages) stays readable.

        Beside it, ``<stem>.png.json`` says where it was taken: the ``system``, the page's path (no
        query: it may carry a search), its title and whether the page shows ``case`` (its text or a
        field's value holds the case number), so that a person (and a test) can tell it is the case's own.
        """
        if page is None or page.is_closed():
            return None
        path = self._dir() / f"{safe_name(stem)}.png"
        texts = sorted({f for v in personal or () for f in spellings(v)}, key=len)
        try:
            frames_masks = []
            for frame in page.frames:
                frames_masks.extend(frame.locator(sel) for sel in MASK_SELECTORS)
                frames_masks.extend(frame.get_by_text(t) for t in texts)
            await page.screenshot(path=str(path), full_page=True, mask=frames_masks, timeout=10_000)
            where = {"system": system, "page": _path_only(page.url), "title": await page.title(),
                     "case": case, "shows_case": bool(case) and await _shows(page, case or "")}
        except Exception as exc:  # a failure screenshot must never hide the failure itself
            log.warning("artifact.screenshot_failed", error=type(exc).__name__)
            return None
        os.chmod(path, 0o600)
        side = path.with_name(path.name + ".json")
        side.write_text(json.dumps(where, ensure_ascii=False), encoding="utf-8")
        os.chmod(side, 0o600)
        return str(path)

    def trace_path(self, stem: str) -> Path:
        return self._dir() / f"{safe_name(stem)}.trace.zip"

    def scrub_trace(self, path: Path, secrets: Iterable[str], *, passwords: Iterable[str] = ()) -> None:
        """Rewrite a trace so that it holds no personal data: of this case, or of any other.

        By construction first, whoever the data belongs to (a list page shows other cases'
        titles and suspects): in every DOM snapshot the text of table cells, captions,
        definition values, text areas and marked person fields, and every form control's
        value, is blanked, as the screenshot masks them (labels, headings and messages stay
        readable); response bodies of pages and JSON answers are dropped, as are the values
        the robot read from pages (the results of its calls); anything shaped like an ID
        number is masked in every string. Then by value: request
        bodies (form posts, JSON saves) are dropped, with the resource files
        holding them; the values the case brought (names, ID numbers, birth
        dates, addresses, in every spelling met) are replaced in every text
        entry of the archive in every encoding a trace stores them: raw,
        percent-encoded, JSON-escaped and as HTML entities. Traces are
        recorded without screenshots, so no image holds them either.
        """
        pairs = replacements(secrets)
        for pw in passwords:
            if pw:
                pairs.extend((form, "***") for form in _password_forms(pw))
        replace = Replacer(pairs)
        tmp = path.with_suffix(".tmp")
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            infos = src.infolist()
            bodies: set[str] = set()
            entries: dict[str, bytes] = {}
            for info in infos:
                data = src.read(info)
                if info.filename.endswith((".network", ".trace")):
                    data = _impersonal_events(data, bodies)
                entries[info.filename] = data
            for info in infos:
                if info.filename in bodies:
                    continue
                data = entries[info.filename]
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    dst.writestr(info, data)
                    continue
                text = replace(text)
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
    return mask_value(value)


def _password_forms(password: str) -> set[str]:
    from urllib.parse import quote, quote_plus
    return {password, quote(password, safe=""), quote_plus(password, safe=""), json.dumps(password)[1:-1]}


_SHOWS = """key => document.body !== null && (document.body.innerText.includes(key)
  || Array.from(document.querySelectorAll('input, textarea')).some(e => (e.value || '').includes(key)))"""


async def _shows(page: Any, key: str) -> bool:
    """Whether some frame of ``page`` shows ``key`` in its text or in a field's value."""
    for frame in page.frames:
        try:
            if await frame.evaluate(_SHOWS, key):
                return True
        except Exception:  # a frame navigating away: not this one
            continue
    return False


def _path_only(url: str) -> str:
    return re.sub(r"^[a-z]+://[^/]+", "", url).split("?")[0].split("#")[0] or "/"


#: elements whose text a trace never keeps, whoever's it is (the screenshot masks the same)
_BLANK_TAGS = frozenset({"TD", "DD", "TEXTAREA", "CAPTION", "TITLE"})
_BLANK_CLASSES = frozenset({"person", "pii"})
#: attributes holding what a control shows or a person typed
_VALUE_ATTRS = frozenset({"value", "__playwright_value_", "title", "aria-label", "alt", "placeholder"})
#: response bodies a trace keeps (the page's look: styles, scripts, images, fonts); others hold data
_KEPT_BODIES = ("text/css", "javascript", "image/", "font/", "application/font", "application/wasm")


#: parameters of a call that carry what was typed or chosen
_TYPED_PARAMS = frozenset({"value", "text", "options", "values", "label", "labels"})
#: the same, as Playwright's call log quotes them: ``fill("…")``, ``<input value="…">``
_TYPED_IN_LOG = re.compile(r'((?:fill|type|press|pressSequentially|insertText|selectOption)\(\"|value=\")'
                           r'((?:[^"\\]|\\.)*)(\")')


def _blank(text: str) -> str:
    return re.sub(r"\S", "*", text)


def _blank_json(value: Any) -> Any:
    if isinstance(value, str):
        return _blank(value)
    if isinstance(value, list):
        return [_blank_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _blank_json(v) for k, v in value.items()}
    return value


def _blank_dom(node: Any, inside: bool = False, depth: int = 0) -> Any:
    """A DOM snapshot node (Playwright: a text, ``[tag, attrs, *children]`` or a reference ``[[n, i]]``)
    with the text of personal containers and every control's value blanked; its shape kept, so that
    later snapshots' references still point at the same nodes."""
    if isinstance(node, str):
        return _blank(node) if inside else scrub_text(node)
    if not isinstance(node, list) or not node or not isinstance(node[0], str) or depth > 400:
        return node
    tag = node[0].upper()
    attrs = node[1] if len(node) > 1 and isinstance(node[1], dict) else None
    classes = set(str((attrs or {}).get("class", "")).split())
    blank = inside or tag in _BLANK_TAGS or bool(classes & _BLANK_CLASSES)
    out: list[Any] = [node[0]]
    if attrs is not None:
        out.append({k: (_blank(v) if isinstance(v, str) and (k in _VALUE_ATTRS or (blank and k.startswith("data-")))
                        else scrub_text(v) if isinstance(v, str) else v) for k, v in attrs.items()})
    start = 2 if attrs is not None else 1
    out.extend(_blank_dom(child, blank and tag not in ("STYLE", "SCRIPT"), depth + 1) for child in node[start:])
    return out


#: a text locator (the screenshot masks every element holding a personal value by its text): its text
_TEXT_LOCATOR = re.compile(r'((?:internal:(?:has-)?text=|get_by_text\(|getByText\()\\*")((?:[^"\\]|\\.)*)(\\*")')


def _scrub_strings(obj: Any) -> Any:
    if isinstance(obj, str):
        return scrub_text(_TEXT_LOCATOR.sub(lambda m: m.group(1) + _blank(m.group(2)) + m.group(3), obj))
    if isinstance(obj, dict):
        return {k: (v if k in ("_sha1", "sha1") else _scrub_strings(v)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_scrub_strings(v) for v in obj]
    return obj


def _impersonal_events(data: bytes, dropped: set[str]) -> bytes:
    """Trace events (JSON lines) holding nothing personal by construction (see :meth:`Artifacts.scrub_trace`)."""
    try:
        lines = data.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        return data
    out = []
    for line in lines:
        try:
            event = json.loads(line) if line.strip() else None
        except ValueError:
            out.append(scrub_text(line))
            continue
        if not isinstance(event, dict):
            out.append(line)
            continue
        kind = event.get("type")
        snap = event.get("snapshot") if isinstance(event.get("snapshot"), dict) else None
        if kind == "frame-snapshot" and snap is not None and "html" in snap:
            snap["html"] = _blank_dom(snap["html"])
        elif kind == "resource-snapshot" and snap is not None:
            request = snap.get("request")
            body = request.get("postData") if isinstance(request, dict) else None
            if isinstance(body, dict):  # what the robot sent: a card, a password
                for key in ("_file", "_sha1"):
                    if body.get(key):
                        name = str(body[key])
                        dropped.add(name if name.startswith("resources/") else f"resources/{name}")
                request["postData"] = {"mimeType": body.get("mimeType", ""), "text": "", "params": [],
                                       "comment": "request body dropped (personal data)"}
            content = (snap.get("response") or {}).get("content")
            if isinstance(content, dict) and not str(content.get("mimeType", "")).startswith(_KEPT_BODIES):
                for key in ("_sha1", "_file"):
                    if content.get(key):
                        name = str(content[key])
                        dropped.add(name if name.startswith("resources/") else f"resources/{name}")
                        content.pop(key)
                content.pop("text", None)
                content["comment"] = "response body dropped (personal data)"
        elif kind in ("after", "action") and "result" in event:
            event["result"] = {}  # what the robot read from the page (a search's rows, a text)
        if kind in ("before", "action") and isinstance(event.get("params"), dict):
            # what the robot typed or chose: a name, a title, an ID number
            event["params"] = {k: (_blank_json(v) if k in _TYPED_PARAMS else v) for k, v in event["params"].items()}
        elif kind == "log" and isinstance(event.get("message"), str):
            event["message"] = _TYPED_IN_LOG.sub(lambda m: m.group(1) + _blank(m.group(2)) + m.group(3),
                                                 event["message"])
        out.append(json.dumps(_scrub_strings(event), ensure_ascii=False))
    return "\n".join(out).encode("utf-8")


def personal_values(*records: Any) -> set[str]:
    """Every personal value (names, ID numbers, birth dates, addresses, free text: the fields whose roles
    are personal, :mod:`casebot.domain.roles`) in nested records, as given and without spaces."""
    found: set[str] = set()

    def walk(obj: Any) -> None:
        if isinstance(obj, dict):
            for k, v in obj.items():
                if personal_key(k) and isinstance(v, str) and v.strip():
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
