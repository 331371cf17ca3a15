"""The code tables, as the simulated systems know them (read once, from the shipped CSVs)."""

from __future__ import annotations

import csv
from functools import cache

from mappings import CODES_DIR


@cache
def table(name: str) -> tuple[dict[str, str], ...]:
    with open(CODES_DIR / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def index(name: str, key: str) -> dict[str, dict[str, str]]:
    return {row[key]: row for row in table(name)}
