"""The case book the two smaller courts' systems keep (county's 法院案件管理平台, smartcourt's 智慧审判平台).

Both file a case under a 案号 numbered per year and per court, keyed by its 起诉书文号; they differ in
their pages (server-rendered form, single-page app), not in what they store.
"""

from __future__ import annotations

import json
from typing import Any

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ah TEXT NOT NULL UNIQUE,
    ay TEXT NOT NULL,
    gsjg TEXT NOT NULL,
    qsswh TEXT NOT NULL UNIQUE,
    sarq TEXT NOT NULL,
    bgr TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


def find(store: Any, **columns: str) -> list[Any]:
    """The latest 50 cases whose given columns (``qsswh``, ``ah``) equal the given (stripped) values."""
    sql, args = "SELECT * FROM cases WHERE 1=1", []
    for column, value in columns.items():
        if column not in ("qsswh", "ah"):
            raise ValueError(f"not a searchable column: {column}")
        if value and value.strip():
            sql += f" AND {column} = ?"
            args.append(value.strip())
    return store.query(sql + " ORDER BY id DESC LIMIT 50", tuple(args))


def file_case(store: Any, *, court_code: str, ay: str, gsjg: str, qsswh: str, sarq: str,
              bgr: list[dict[str, Any]]) -> tuple[int, str]:
    """File a case: its id and 案号 ``（年）法院代码刑初N号``, N counted per year."""
    with store.tx() as db:
        year = sarq[:4]
        n = db.execute("SELECT COUNT(*) FROM cases WHERE ah LIKE ?", (f"（{year}）%",)).fetchone()[0] + 1
        ah = f"（{year}）{court_code}刑初{n}号"
        cur = db.execute("INSERT INTO cases (ah, ay, gsjg, qsswh, sarq, bgr, created_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, datetime('now'))",
                         (ah, ay, gsjg, qsswh, sarq, json.dumps(bgr, ensure_ascii=False)))
        return int(cur.lastrowid), ah
