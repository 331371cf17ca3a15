"""Dialogs: layers whose form lives in their own iframe, and message boxes.

Many systems open a sub-form (a suspect's person card, a party, an exhibit)
in a layer holding an ``<iframe>``: the form is a separate page, loaded when
the layer opens, and its OK button hands the data back to the parent page.
:class:`FrameDialog` gives the iframe's :class:`~playwright.async_api.Frame`
(a scope for a :class:`~casebot.kit.widgets.Form`) and opens the layer, returning
the navigation's response so that the caller can check it (a 500 page or a
login page may load in the iframe instead of the form).

:func:`messages` reads a message box's lines (a red 保存失败 box listing every
failure, say) in one round trip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from casebot.errors import PageChanged


@dataclass
class FrameDialog:
    """A layer with an iframe, opened by a button of ``scope`` (a Page or Frame).

    ``open`` selects the button that opens the layer, ``frame`` the ``<iframe>``
    element; ``wait_until`` is the load state awaited in the iframe. The layer
    must load its page anew on each opening (one navigation of the iframe).
    """

    scope: Any
    open: str
    frame: str
    wait_until: str = "load"
    system: str = "dialog"

    async def frame_of(self) -> Any:
        handle = await self.scope.locator(self.frame).element_handle()
        child = None
        if handle is not None:
            child = await handle.content_frame()
            await handle.dispose()  # the Frame outlives the handle; a kept handle is kept by the driver too
        if child is None:
            raise PageChanged(self.system, self.frame)
        return child

    async def show(self, child: Any = None) -> Any:
        """Click the opener; wait for the iframe's page to load. Returns the navigation's response.

        ``child`` is the iframe's Frame (from :meth:`frame_of`, kept while the
        parent page stays: the same iframe serves every opening).
        """
        child = child or await self.frame_of()
        async with child.expect_navigation(wait_until=self.wait_until) as nav:
            await self.scope.locator(self.open).click()
        return await nav.value


async def messages(scope: Any, item_selector: str) -> list[str]:
    """The text of each line of a message box (empty when there is none)."""
    texts = await scope.locator(item_selector).all_text_contents()
    return [re.sub(r"\s+", " ", t).strip() for t in texts if t.strip()]
