"""GB 11643 citizen identity numbers (居民身份号码).

Pure helpers, no I/O: normalising what clerks type (full-width digits, spaces,
a lower-case ``x``), upgrading old 15-digit numbers, computing and checking the
check digit, and reading the birth date and sex an ID encodes.

Errors are :class:`IdNumberError` (a :class:`ValueError`) whose message is a
short Chinese reason a clerk understands; it never contains the number itself.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = [
    "IdNumberError",
    "birth_date",
    "check_digit",
    "is_valid",
    "normalize",
    "sex",
    "to_18",
    "upgrade_15",
    "validate",
]

#: weights of the first 17 digits (GB 11643-1999, ISO 7064 MOD 11-2)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: check character for ``sum % 11``
CHECK_CHARS = "10X98765432"

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}  # ！..～ -> !..~
_ID18 = re.compile(r"^\d{17}[\dX]$")
_ID15 = re.compile(r"^\d{15}$")


class IdNumberError(ValueError):
    """An ID number that cannot be used; ``reason`` is for a clerk."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def normalize(raw: str | None) -> str:
    """Half-width, no whitespace (U+3000 included), upper-case letters.

    ``"３５０５０２\u3000１９９００３０７２４１x"`` -> ``"35050219900307241X"``.
    Works for any document number; it does not check anything.
    """
    if not raw:
        return ""
    text = str(raw).translate(_FULLWIDTH)
    return "".join(text.split()).upper()


def check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise IdNumberError("证件号码前17位应为数字")
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def upgrade_15(id15: str) -> str:
    """Old 15-digit number -> 18 digits: ``19`` after the region, plus the check digit."""
    if not _ID15.match(id15):
        raise IdNumberError("15位证件号码应全部为数字")
    body = id15[:6] + "19" + id15[6:]
    return body + check_digit(body)


def _birth(id18: str) -> date:
    try:
        return date(int(id18[6:10]), int(id18[10:12]), int(id18[12:14]))
    except ValueError:
        raise IdNumberError("证件号码中的出生日期无效") from None


def validate(id18: str) -> str:
    """Return ``id18`` if it is a well-formed 18-digit ID with the right check digit."""
    if len(id18) != 18:
        raise IdNumberError(f"证件号码应为18位（现为{len(id18)}位）")
    if not _ID18.match(id18):
        raise IdNumberError("证件号码含有非法字符")
    if check_digit(id18[:17]) != id18[17]:
        raise IdNumberError("证件号码校验位错误")
    _birth(id18)
    return id18


def to_18(raw: str | None) -> str:
    """Normalise, upgrade a 15-digit number, and validate: the number to store."""
    value = normalize(raw)
    if not value:
        raise IdNumberError("证件号码为空")
    if len(value) == 15:
        value = upgrade_15(value)
    return validate(value)


def is_valid(value: str | None) -> bool:
    """Whether ``value`` (already normalised) is a valid 18-digit ID."""
    try:
        validate(value or "")
    except IdNumberError:
        return False
    return True


def birth_date(id_number: str) -> date:
    """The birth date encoded in an 18- or 15-digit ID (normalised or not)."""
    value = normalize(id_number)
    if len(value) == 15:
        value = upgrade_15(value)
    if len(value) != 18 or not value[:17].isdigit():
        raise IdNumberError("证件号码位数不对")
    return _birth(value)


def sex(id_number: str) -> str:
    """GB/T 2261.1 sex code from the 17th digit: odd ``"1"`` (male), even ``"2"`` (female)."""
    value = normalize(id_number)
    if len(value) == 15:
        value = upgrade_15(value)
    if len(value) != 18 or not value[16].isdigit():
        raise IdNumberError("证件号码位数不对")
    return "1" if int(value[16]) % 2 else "2"
