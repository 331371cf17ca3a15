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

import importlib
import pkgutil
from abc import ABC, abstractmethod
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
    #: CSS of the control; optional when the control is found by ``label`` (see :mod:`casebot.widgets.locate`)
    selector: str = ""
    options: dict[str, Any] = field(default_factory=dict)


class Widget(ABC):
    kind: ClassVar[str]

    @abstractmethod
    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        """Put ``value`` into the control."""

    @abstractmethod
    async def read(self, scope: Any, binding: Binding) -> Any:
        """The control's current value, in the card's format."""

    async def present(self, scope: Any, binding: Binding) -> bool:
        """Whether the control exists on the page (for ``casebot doctor``)."""
        return await scope.locator(binding.selector).count() > 0


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
    from casebot.plugins import import_widgets

    import_widgets()  # the widgets adapter packages bring


class Form:
    """A form description: ordered bindings, filled and read through the widgets."""

    def __init__(self, name: str, bindings: list[Binding], system: str = "") -> None:
        self.name = name
        self.system = system
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
        items = data["forms"][name]
        bindings = []
        for item in items:
            item = dict(item)
            bindings.append(Binding(field=item.pop("field"), label=item.pop("label"),
                                    widget=item.pop("widget"), selector=item.pop("selector", ""),
                                    options=item))
        return cls(name, bindings, system)

    def labels(self) -> dict[str, str]:
        return {b.field: b.label for b in self.bindings}

    async def find(self, scope: Any, binding: Binding) -> Binding:
        """``binding`` addressing its control on this page: by its selector, or by its label (noting drift)."""
        from casebot.widgets import locate

        if not locate.wants_label(binding):
            return binding
        found = await locate.find(scope, binding, self.system or self.name)
        if binding.selector and found.selector != binding.selector and binding.label not in self.drift:
            self.drift[binding.label] = (binding.selector, found.selector)
            _log().warning("form.field_moved", form=self.name, system=self.system, field=binding.field,
                           configured=binding.selector, found=found.selector)
        return found

    async def fill(self, scope: Any, card: dict[str, Any]) -> None:
        for b in self.bindings:
            if b.options.get("read_only"):
                continue
            if b.field in card:
                await widget(b.widget).fill(scope, await self.find(scope, b), card[b.field])

    async def read(self, scope: Any) -> dict[str, Any]:
        return {b.field: await widget(b.widget).read(scope, await self.find(scope, b)) for b in self.bindings}

    async def missing(self, scope: Any) -> list[Binding]:
        """Bindings whose control is not on the page (a label naming two controls counts as missing)."""
        gone = []
        for b in self.bindings:
            try:
                found = await self.find(scope, b)
            except PageChanged:
                gone.append(b)
                continue
            if not await widget(b.widget).present(scope, found):
                gone.append(b)
        return gone

    async def require(self, scope: Any) -> None:
        gone = await self.missing(scope)
        if gone:
            raise PageChanged(self.system or self.name, gone[0].selector, label=gone[0].label)
