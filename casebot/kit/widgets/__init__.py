"""The widget kit: how a value goes into, and comes out of, one kind of form control.

An adapter describes its forms as data (``form.yaml`` beside it): for each
card field, the Chinese label, the widget kind and its selector. A
:class:`Form` fills and reads them through the widgets registered here, so a
new adapter for a system with the same kinds of controls is mostly YAML.

Widgets receive a *scope*: a Playwright ``Page``, ``Frame``, ``FrameLocator``
or ``Locator`` in which selectors are resolved (a form inside an iframe is
just another scope). They wait for what the page shows, never for a fixed time.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import re
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

from casebot.errors import PageChanged

WIDGETS: dict[str, Widget] = {}


def register(cls: type[Widget]) -> type[Widget]:
    """Class decorator: make a widget available to form descriptions by its ``kind``."""
    WIDGETS[cls.kind] = cls()
    return cls


@dataclass(frozen=True)
class Binding:
    """One field of a form description: card field -> control on the page."""

    field: str
    label: str
    widget: str
    #: CSS of the control; optional when the control is found by ``label`` (see :mod:`casebot.kit.widgets.locate`)
    selector: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    def where(self) -> str:
        """How the control is looked for, as doctor's messages say it."""
        return f"选择器 {self.selector}" if self.selector else "按标签查找"


class Widget(ABC):
    kind: ClassVar[str]
    #: the control is one element (a text box, a select): its selector must match exactly one, or
    #: the form cannot tell which to fill (the run and doctor both refuse it, see :meth:`Form.find`)
    single: ClassVar[bool] = False

    @abstractmethod
    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        """Put ``value`` into the control."""

    @abstractmethod
    async def read(self, scope: Any, binding: Binding) -> Any:
        """The control's current value, in the card's format."""

    async def present(self, scope: Any, binding: Binding) -> bool:
        """Whether the control exists on the page (for ``casebot doctor``)."""
        return await scope.locator(binding.selector).count() > 0

    async def options(self, scope: Any, binding: Binding) -> list[str] | None:
        """Every value the control offers, in the card's terms (codes or labels), for ``casebot doctor``;
        None where the control has no fixed list (free text, answers loaded as one types)."""
        return None


#: the non-empty options of a ``<select>``: their values, or their visible texts
OPTION_VALUES = "s => Array.from(s.options).filter(o => o.value !== '').map(o => o.value)"
OPTION_TEXTS = "s => Array.from(s.options).filter(o => o.value !== '').map(o => o.text.trim())"


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (for an attribute selector)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ") + '"'


async def offers(select: Any, *, value: str | None = None, text: str | None = None) -> bool:
    """Whether the ``<select>`` ``select`` (a locator) offers the option of this value, or of this visible text.

    Asked before choosing, because ``select_option`` waits for a missing option until its timeout (a code
    the system does not offer is bad data, said at once, not retried). One count of the matching options
    answers a select that offers it (one call to the browser, no element handle); only when that count is
    nought is the select itself waited for and its options read, so that a select not yet on the page is
    not taken for one that lacks the option."""
    if value is not None:
        option, js, arg = (select.locator(f"option[value={css_string(value)}]"),
                           "(s, v) => Array.from(s.options).some(o => o.value === v)", value)
    elif text is not None:
        option, js, arg = (select.locator("option").filter(has_text=re.compile(rf"^\s*{re.escape(text)}\s*$")),
                           "(s, t) => Array.from(s.options).some(o => o.text.trim() === t)", text)
    else:
        raise TypeError("offers() needs a value or a text")
    if await option.count():
        return True
    return bool(await select.evaluate(js, arg))


@dataclass
class FormCheck:
    """What ``casebot doctor`` learns while an adapter opens its forms (see :func:`checking`)."""

    #: labels of what the adapter reported not found (fields, tabs, buttons)
    labels: list[str] = field(default_factory=list)
    #: every control not found: (form description file, form name, binding)
    absent: list[tuple[str, str, Binding]] = field(default_factory=list)
    #: field -> the values its control offers (pickers and selects)
    offered: dict[str, list[str]] = field(default_factory=dict)
    #: label -> why its control could not be used, where it is more than "not found" (two controls match)
    why: dict[str, str] = field(default_factory=dict)
    #: the page as it was when the first control was found missing (its tab, its dialog)
    screenshot: bytes | None = None


def absent_line(source: str, form: str, binding: Binding, why: str | None = None) -> str:
    """A control not found (or ``why`` it cannot be used): its label, how it was looked for, and the form
    description naming it."""
    if why:
        return f"字段“{binding.label}”无法使用：找不到{why}（{binding.where()}；表单描述 {source} 的 {form}）"
    return f"找不到字段“{binding.label}”（{binding.where()}；表单描述 {source} 的 {form}）"


_CHECK: ContextVar[FormCheck | None] = ContextVar("casebot_form_check", default=None)


@contextlib.contextmanager
def checking() -> Iterator[FormCheck]:
    """While inside, every :meth:`Form.missing` also notes what it did not find and what each control offers."""
    check = FormCheck()
    token = _CHECK.set(check)
    try:
        yield check
    finally:
        _CHECK.reset(token)


_CAPTION = """text => { const d = document.createElement('div'); d.id = '__casebot_caption';
  d.textContent = text; d.style.cssText = 'position:fixed;left:0;right:0;bottom:0;z-index:2147483647;' +
  'background:#b00020;color:#fff;font:14px sans-serif;padding:6px 10px;white-space:pre-wrap';
  document.body.appendChild(d); }"""
_UNCAPTION = "() => document.getElementById('__casebot_caption')?.remove()"


async def _screenshot(scope: Any, caption: str) -> bytes | None:
    """The page of ``scope`` with ``caption`` shown along its bottom (only in this browser, never saved)."""
    # a Page, else the page of a Frame or Locator (a FrameLocator has none: no screenshot)
    page = scope if hasattr(scope, "screenshot") and hasattr(scope, "goto") else getattr(scope, "page", None)
    if page is None:
        return None
    try:
        await page.evaluate(_CAPTION, caption)
        try:
            return bytes(await page.screenshot())
        finally:
            await page.evaluate(_UNCAPTION)
    except Exception:  # a screenshot is a help, never a reason to fail the check
        return None


def _log() -> Any:
    from casebot import logs

    return logs.get("widgets")


def document(scope: Any) -> Any:
    """Where a popup attached to ``<body>`` is found from ``scope``: a Locator's page, else the scope itself."""
    from playwright.async_api import Locator

    return scope.page if isinstance(scope, Locator) else scope


def widget(kind: str) -> Widget:
    _load_builtin()
    try:
        return WIDGETS[kind]
    except KeyError:
        raise KeyError(f"unknown widget {kind!r}; known: {', '.join(sorted(WIDGETS))}") from None


_loaded = False


def _load_builtin() -> None:
    global _loaded
    if _loaded:
        return
    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
    _loaded = True
    from casebot.kit.bundles import import_widgets

    import_widgets()  # the widgets adapter packages bring


class Form:
    """A form description: ordered bindings, filled and read through the widgets."""

    def __init__(self, name: str, bindings: list[Binding], system: str = "", source: str = "") -> None:
        self.name = name
        self.system = system
        #: the form description file it was read from (named by ``casebot doctor``)
        self.source = source
        self.bindings = bindings
        #: label -> (configured selector, where the label found the control), for ``casebot doctor``
        self.drift: dict[str, tuple[str, str]] = {}
        _load_builtin()
        for b in bindings:
            widget(b.widget)  # unknown widgets fail at load, not mid-case

    @classmethod
    def from_yaml(cls, path: Path, name: str, system: str = "") -> Form:
        """Load form ``name`` from a YAML file ``{forms: {name: [{field, label, widget, selector, ...}]}}``."""
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return cls.from_items(name, data["forms"][name], system, str(path))

    @classmethod
    def from_items(cls, name: str, items: list[dict[str, Any]], system: str = "", source: str = "") -> Form:
        """Form ``name`` from its description's items (``[{field, label, widget, selector, ...}]``)."""
        bindings = []
        for item in items:
            item = dict(item)
            bindings.append(Binding(field=item.pop("field"), label=item.pop("label"),
                                    widget=item.pop("widget"), selector=item.pop("selector", ""),
                                    options=item))
        return cls(name, bindings, system, source=source)

    def labels(self) -> dict[str, str]:
        return {b.field: b.label for b in self.bindings}

    async def find(self, scope: Any, binding: Binding, *, counted: bool = True) -> Binding:
        """``binding`` addressing its control on this page: by its selector, or by its label (noting drift).

        A single control's selector that matches several controls is refused (:meth:`refuse_several`).
        ``counted=False`` leaves that count out: the run fills and reads through Playwright's strict
        locators, which refuse the same page themselves, and :meth:`fill` and :meth:`read` then say it in
        the same words (the count is made only when an action failed, not for every field of every card)."""
        from casebot.kit.widgets import locate

        if not locate.wants_label(binding):
            if counted:
                await self.refuse_several(scope, binding)
            return binding
        found = await locate.find(scope, binding, self.system or self.name)
        if binding.selector and found.selector != binding.selector and binding.label not in self.drift:
            self.drift[binding.label] = (binding.selector, found.selector)
            _log().warning("form.field_moved", form=self.name, system=self.system, field=binding.field,
                           configured=binding.selector, found=found.selector)
        return found

    async def refuse_several(self, scope: Any, binding: Binding) -> None:
        """:class:`PageChanged` when the selector of a single control (text, select, dates...) matches more
        than one: what the run's strict locator refuses, and doctor reports, in the same words."""
        if widget(binding.widget).single and binding.selector:
            n = await scope.locator(binding.selector).count()
            if n > 1:
                raise PageChanged(self.system or self.name, f"唯一的 {binding.selector}（实际匹配 {n} 个元素）",
                                  label=binding.label)

    @contextlib.asynccontextmanager
    async def _acting_on(self, scope: Any, binding: Binding) -> AsyncIterator[None]:
        """Around an action on ``binding``: when it fails and the field's selector matches several controls,
        the field's own refusal (:meth:`refuse_several`, raised from the failure); otherwise the failure."""
        try:
            yield
        except Exception as exc:
            try:
                await self.refuse_several(scope, binding)
            except PageChanged as several:
                raise several from exc
            except Exception:  # the page is gone too: the original error says what happened
                pass
            raise

    async def fill(self, scope: Any, card: dict[str, Any]) -> None:
        for b in self.bindings:
            if b.options.get("read_only") or b.field not in card:
                continue
            found = await self.find(scope, b, counted=False)
            async with self._acting_on(scope, found):
                await widget(b.widget).fill(scope, found, card[b.field])

    async def read(self, scope: Any) -> dict[str, Any]:
        out = {}
        for b in self.bindings:
            found = await self.find(scope, b, counted=False)
            async with self._acting_on(scope, found):
                out[b.field] = await widget(b.widget).read(scope, found)
        return out

    async def missing(self, scope: Any) -> list[Binding]:
        """Bindings whose control is not on the page (a label naming two controls counts as missing).

        Inside :func:`checking`, also notes each missing control (and a screenshot of the page at the
        first) and the options each present control offers."""
        gone = []
        check = _CHECK.get()
        for b in self.bindings:
            why = None
            try:
                found: Binding | None = await self.find(scope, b)
            except PageChanged as exc:
                found, why = None, exc.what
            if found is not None and await widget(b.widget).present(scope, found):
                if check is not None:
                    offered = await widget(b.widget).options(scope, found)
                    if offered is not None:
                        check.offered[b.field] = offered
                continue
            gone.append(b)
            if check is not None:
                check.absent.append((self.source, self.name, b))
                if why is not None:
                    check.why[b.label] = why
                if check.screenshot is None:
                    caption = f"casebot doctor：{absent_line(self.source, self.name, b, why)}"
                    check.screenshot = await _screenshot(scope, caption)
        return gone

    async def require(self, scope: Any) -> None:
        gone = await self.missing(scope)
        if gone:
            raise PageChanged(self.system or self.name, gone[0].selector, label=gone[0].label)
