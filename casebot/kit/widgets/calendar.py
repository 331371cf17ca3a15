"""Calendar pickers (日期控件): a read-only date input that only the calendar popup can set.

Typing is ignored by such inputs (``readonly``, keys swallowed), so the value
goes in as a clerk enters it: open the popup, bring the wanted month into view
(with the popup's year/month selects when it has them, else by clicking the
previous/next year and month arrows while reading its title), click the day.

Binding options (YAML)::

    - field: slrq
      label: 受理日期
      widget: calendar
      selector: "#slrq"                  # the read-only input (read back from it)
      open: "#slrq"                      # optional: what opens the popup (default: the input)
      popup: "#calPop"                   # the popup; the selectors below are inside it
      year: ".cal-y"                     # optional: a <select> of years
      month: ".cal-m"                    # optional: a <select> of months
      month_value: "{m}"                 # how the month select's option values look ("{m:02d}" for 01..12)
      title: ".cal-title"                # without selects: the "2026年11月" heading...
      title_pattern: "(?P<y>\\d{4})\\D+(?P<m>\\d{1,2})"   # ...and how to read it
      prev_year: ".cal-py"               # without selects: the arrows
      next_year: ".cal-ny"
      prev_month: ".cal-pm"
      next_month: ".cal-nm"
      day: "td.cal-d:not(.cal-o)"        # the shown month's day cells; the one reading "20" is clicked
      clear: ".cal-clear"                # the popup's button that empties the input
      format: "%Y-%m-%d"                 # how the input shows a date (the card uses YYYY-MM-DD)

A year or month the popup's selects do not offer (a birth date of 1800) is
:class:`~casebot.errors.OptionMissing` at once, not a wait until the timeout.

``fill("")`` empties the input with the clear button (nothing is done when it
is empty already); ``read`` returns ``YYYY-MM-DD`` or ``""``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from casebot.errors import OptionMissing, PageChanged
from casebot.kit.widgets import Binding, Widget, offers, register

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def _parse(value: Any) -> date:
    if isinstance(value, date):
        return value
    m = _ISO.match(str(value).strip())
    if not m:
        raise ValueError(f"not a date YYYY-MM-DD: {value!r}")
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


@register
class Calendar(Widget):
    kind = "calendar"

    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        o = binding.options
        popup = scope.locator(o["popup"])
        if value in (None, ""):
            if await scope.locator(binding.selector).input_value():
                await scope.locator(o.get("open", binding.selector)).click()
                await popup.locator(o["clear"]).click()
            return
        want = _parse(value)
        await scope.locator(o.get("open", binding.selector)).click()
        if o.get("year") and o.get("month"):
            # a year (or month) the select does not offer (a birth date of 1800) is bad data, said at once:
            # select_option would wait for the option until the timeout, and the case be retried for nothing
            for sel, option, shown in ((o["year"], str(want.year), str(want.year)),
                                       (o["month"], o.get("month_value", "{m}").format(m=want.month),
                                        f"{want:%Y-%m}")):
                loc = popup.locator(sel)
                if not await offers(loc, value=option):
                    raise OptionMissing(binding.label, shown)
                await loc.select_option(option)
        else:
            await self._navigate(popup, binding, want)
        day = re.compile(rf"^\s*{want.day}\s*$")
        await popup.locator(o["day"]).filter(has_text=day).first.click()

    async def _navigate(self, popup: Any, binding: Binding, want: date) -> None:
        """Click the arrows from the shown month to the wanted one."""
        o = binding.options
        pattern = re.compile(o.get("title_pattern", r"(?P<y>\d{4})\D+(?P<m>\d{1,2})"))
        title = await popup.locator(o["title"]).inner_text()
        m = pattern.search(title)
        if not m:
            raise PageChanged("calendar", f"{o['title']} (title {title!r})", label=binding.label)
        years = want.year - int(m.group("y"))
        months = want.month - int(m.group("m"))
        for _ in range(abs(years)):
            await popup.locator(o["next_year" if years > 0 else "prev_year"]).click()
        for _ in range(abs(months)):
            await popup.locator(o["next_month" if months > 0 else "prev_month"]).click()
        shown = pattern.search(await popup.locator(o["title"]).inner_text())
        if not shown or (int(shown.group("y")), int(shown.group("m"))) != (want.year, want.month):
            raise PageChanged("calendar", f"{o['title']} (navigation did not reach {want:%Y-%m})",
                              label=binding.label)

    async def read(self, scope: Any, binding: Binding) -> Any:
        raw = (await scope.locator(binding.selector).input_value()).strip()
        fmt = binding.options.get("format", "%Y-%m-%d")
        if not raw or fmt == "%Y-%m-%d":
            return raw
        return datetime.strptime(raw, fmt).date().isoformat()
