"""The fixed list of filters and tests a mapping expression may use.

Nothing else is reachable from an expression: the environment's globals are
empty and its filters and tests are exactly these (documented in
``docs/mappings.md``). Text filters treat ``None`` as empty text, and no filter
can make text longer than :data:`MAX_TEXT` characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from jinja2 import filters as jf
from jinja2 import tests as jt
from jinja2.exceptions import SecurityError

from casebot.domain import idcard
from casebot.domain.codes import CodeTables
from casebot.domain.identity import clean_name, clean_text
from casebot.domain.model import age_on
from casebot.errors import DataError
from casebot.mapping import bounds

__all__ = ["CODE_FILTER", "FILTER_DOCS", "MAX_DATE_FORMAT", "MAX_TEXT", "TESTS", "build_filters"]

#: longest text a filter or operator may produce
MAX_TEXT = bounds.MAX_TEXT
#: name of the code-table filter, whose arguments are checked at load
CODE_FILTER = "code"

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日")
#: the longest date format (``'%Y' * 50000`` would build 200,000 characters from one date)
MAX_DATE_FORMAT = bounds.MAX_DATE_FORMAT
_STRFTIME = re.compile(r"^(%[YmdyBbAaHMSj]|[-/.: 年月日T])*$")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _bounded(text: str) -> str:
    if len(text) > MAX_TEXT:
        raise SecurityError(f"text longer than {MAX_TEXT} characters")
    return text


def f_trim(value: Any) -> str:
    return _text(value).strip()


def _case_mapped(value: Any, how: Callable[[str], str]) -> str:
    """Upper or lower case, bounded: a case mapping never shortens a text and lengthens a character at
    most threefold (``ﬃ`` upper-cased is ``FFI``), so a text past the limit is refused before it is
    mapped, and the mapped text is checked."""
    return _bounded(how(_bounded(_text(value))))


def f_upper(value: Any) -> str:
    return _case_mapped(value, str.upper)


def f_lower(value: Any) -> str:
    return _case_mapped(value, str.lower)


def f_replace(value: Any, old: str, new: str) -> str:
    text, old, new = _text(value), str(old), str(new)
    # an empty ``old`` is met len(text) + 1 times (before every character and at the end): counted too
    if len(new) > len(old) and len(text) + text.count(old) * (len(new) - len(old)) > MAX_TEXT:
        raise SecurityError(f"text longer than {MAX_TEXT} characters")
    return _bounded(text.replace(old, new))


def f_join(value: Iterable[Any] | None, sep: str = "") -> str:
    """The total size is checked before the items are joined (casebot.mapping.bounds)."""
    return bounds.join(value, sep)


def f_cut(value: Any, length: int, marker: str = "…") -> str:
    """At most ``length`` characters: longer text keeps ``length - len(marker)`` and adds ``marker``."""
    text, length = _text(value), int(length)
    if len(text) <= length:
        return text
    return text[: max(0, length - len(marker))] + marker


def f_id_normalize(value: Any) -> str:
    """Half-width, no spaces, upper case (ID and passport numbers)."""
    return idcard.normalize(_bounded(_text(value)))


def f_clean_name(value: Any) -> str:
    """The identity rules for names (casebot.domain.identity): spaces by script, dots unified, invisibles out."""
    return clean_name(_text(value))


def f_clean_text(value: Any) -> str:
    """Control, zero-width and bidi characters removed (tab and line feed kept)."""
    return clean_text(_text(value))


def _to_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise DataError("日期格式应为 YYYY-MM-DD")


def f_date(value: Any, fmt: str = "%Y-%m-%d") -> str:
    """A date (or date text) as ``fmt``; empty stays empty; bad text stops the case."""
    fmt = str(fmt)
    if len(fmt) > MAX_DATE_FORMAT:
        raise SecurityError(f"date format longer than {MAX_DATE_FORMAT} characters")
    if not _STRFTIME.match(fmt):
        raise SecurityError("unsupported date format")
    day = _to_date(value)
    return "" if day is None else day.strftime(fmt)


def f_age_on(birth: Any, day: Any) -> int | None:
    """Completed years from ``birth`` to ``day``; None when either is missing."""
    b, d = _to_date(birth), _to_date(day)
    return None if b is None or d is None else age_on(b, d)


def f_same_person(suspects: Iterable[Any] | None, id_number: Any, name: Any) -> str:
    """The 人员编号 of the case's suspect who is the person with ``id_number`` (else ``name``);
    no such suspect (or two) stops the case."""
    from casebot.domain.matching import match_person

    people = list(suspects or [])
    index = match_person(((getattr(s, "id_number", ""), getattr(s, "name", "")) for s in people),
                         _text(id_number), _text(name))
    if index is None:
        raise DataError("找不到与之对应的犯罪嫌疑人（证件号码、姓名都对不上）", field="犯罪嫌疑人")
    return _text(getattr(people[index], "rybh", ""))


def f_term(value: Any, has_term: Any) -> str:
    """A term (months) for a penalty whose ``has_term`` is ``yes``; a term given for one without stops the case."""
    text = _text(value).strip()
    if _text(has_term).strip() == "yes":
        return text
    if text:
        raise DataError("该主刑没有刑期，判决却写明了刑期", field="刑期")
    return ""


def _code_filter(codes: CodeTables) -> Callable[..., Any]:
    def f_code(value: Any, table: str, key: str, column: str) -> Any:
        """Look ``value`` up in ``table`` by ``key``, give ``column``; lists element-wise."""
        t = codes[table]
        if isinstance(value, list | tuple):
            return [None if v in (None, "") else t.lookup(key, v, column) for v in value]
        if value is None or value == "":
            return None
        return t.lookup(key, value, column)

    return f_code


#: filter name -> one-line description (the documented, fixed list)
FILTER_DOCS: dict[str, str] = {
    "code": "x | code(table, key_column, value_column): code-table lookup; a missing code stops the case",
    "date": "x | date or x | date('%Y/%m/%d'): format a date (or YYYY-MM-DD text); empty stays empty",
    "age_on": "birth | age_on(day): completed years on day",
    "term": "months | term(has_term): the term when has_term is 'yes'; a term for a penalty without one "
            "stops the case",
    "same_person": "card.suspects | same_person(id_number, name): 人员编号 of the suspect with that ID number "
                   "(else name); none or two stops the case",
    "id_normalize": "full-width to half-width, spaces removed, upper case",
    "clean_name": "identity rules for names: Chinese names lose inner spaces, Latin-script names keep one; "
                  "look-alike dots to ·; control, zero-width and bidi characters removed",
    "clean_text": "control, zero-width and bidi characters removed (tab and line feed kept)",
    "cut": "x | cut(n, marker='…'): at most n characters, marker included",
    "trim": "strip surrounding whitespace (None -> '')",
    "upper": "upper case (None -> '')",
    "lower": "lower case (None -> '')",
    "replace": "x | replace(old, new)",
    "join": "items | join(sep)",
    "first": "first item",
    "last": "last item",
    "length": "number of items or characters",
    "default": "x | default(v) or x | default(v, true): v when x is undefined (or empty)",
    "list": "make a list",
    "map": "items | map(attribute='a') or items | map('filter', args...)",
    "selectattr": "items | selectattr('a') or selectattr('a', 'eq', v)",
    "rejectattr": "items | rejectattr('a')",
    "sort": "items | sort(attribute='a', reverse=false)",
    "unique": "items without repeats",
    "min": "smallest item (attribute= allowed)",
    "max": "largest item (attribute= allowed)",
}


def build_filters(codes: CodeTables) -> dict[str, Callable[..., Any]]:
    """The filters of one mapping environment, bound to its code tables."""
    filters: dict[str, Callable[..., Any]] = {
        "code": _code_filter(codes),
        "date": f_date,
        "age_on": f_age_on,
        "same_person": f_same_person,
        "term": f_term,
        "id_normalize": f_id_normalize,
        "clean_name": f_clean_name,
        "clean_text": f_clean_text,
        "cut": f_cut,
        "trim": f_trim,
        "upper": f_upper,
        "lower": f_lower,
        "replace": f_replace,
        "join": f_join,
        "first": jf.do_first,
        "last": jf.do_last,
        "length": len,
        "default": jf.do_default,
        "list": jf.do_list,
        "map": jf.do_map,
        "selectattr": jf.do_selectattr,
        "rejectattr": jf.do_rejectattr,
        "sort": jf.do_sort,
        "unique": jf.do_unique,
        "min": jf.do_min,
        "max": jf.do_max,
    }
    assert set(filters) == set(FILTER_DOCS)
    return filters


#: tests usable with ``is`` and in ``selectattr``
TESTS: dict[str, Callable[..., bool]] = {
    "defined": jt.test_defined,
    "undefined": jt.test_undefined,
    "none": jt.test_none,
    "string": jt.test_string,
    "number": jt.test_number,
    "true": jt.test_true,
    "false": jt.test_false,
    "in": jt.test_in,
    "eq": jt.TESTS["eq"],
    "ne": jt.TESTS["ne"],
    "lt": jt.TESTS["lt"],
    "le": jt.TESTS["le"],
    "gt": jt.TESTS["gt"],
    "ge": jt.TESTS["ge"],
}
