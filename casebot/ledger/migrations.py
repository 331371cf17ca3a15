"""The ledger's schema steps, by name, per backend: append-only (a new step is a new name at the end).

Every backend applies the same named steps in its own SQL and records each name
in ``schema_migrations(name, applied_at)`` once applied.
"""

from __future__ import annotations

from casebot.ledger.base import Migration

#: names of the steps, in order (every backend has one migration per name)
NAMES = ("0001_items_attempts_runs", "0002_items_updated_index", "0003_item_leases", "0004_ledger_meta",
         "0005_card_versions")

SQLITE: list[Migration] = [
    Migration("0001_items_attempts_runs", """
    CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        route TEXT NOT NULL,
        target TEXT NOT NULL,
        case_key TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        card_json TEXT,
        card_hash TEXT,
        source_hash TEXT,
        record_id TEXT,
        error_type TEXT,
        error_message TEXT,
        artifacts_json TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (route, case_key)
    );
    CREATE INDEX items_state ON items (state);
    CREATE INDEX items_route_state ON items (route, state);
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT,
        summary_json TEXT
    );
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL REFERENCES items(id),
        run_id TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        outcome TEXT,
        error_type TEXT,
        error_message TEXT
    );
    CREATE INDEX attempts_item ON attempts (item_id);
    """),
    # `casebot failures` lists by time
    Migration("0002_items_updated_index", """
    CREATE INDEX items_updated ON items (state, updated_at);
    """),
    # a case is worked under a lease; the token fences writes of an owner that lost it
    Migration("0003_item_leases", """
    ALTER TABLE items ADD COLUMN token INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE items ADD COLUMN lease_owner TEXT;
    ALTER TABLE items ADD COLUMN lease_until TEXT;
    """),
    # the ledger's own id, also kept in its marker (SQLite) so that a swapped file no longer matches
    Migration("0004_ledger_meta", """
    CREATE TABLE ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """),
    # every card written into a target for a case, append-only: the first write (or the record
    # adopted), then each update after a change at the police; and the source version last seen
    Migration("0005_card_versions", """
    CREATE TABLE card_versions (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL REFERENCES items(id),
        version INTEGER NOT NULL,
        kind TEXT NOT NULL,
        card_json TEXT NOT NULL,
        card_hash TEXT NOT NULL,
        source_hash TEXT,
        source_version TEXT,
        run_id TEXT,
        recorded_at TEXT NOT NULL,
        UNIQUE (item_id, version)
    );
    ALTER TABLE items ADD COLUMN source_version TEXT;
    """),
]

#: the shared ledger: times are the server's (timestamptz), ids are BIGSERIAL
POSTGRES: list[Migration] = [
    Migration("0001_items_attempts_runs", """
    CREATE TABLE items (
        id BIGSERIAL PRIMARY KEY,
        route TEXT NOT NULL,
        target TEXT NOT NULL,
        case_key TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        card_json TEXT,
        card_hash TEXT,
        source_hash TEXT,
        record_id TEXT,
        error_type TEXT,
        error_message TEXT,
        artifacts_json TEXT NOT NULL DEFAULT '[]',
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        UNIQUE (route, case_key)
    );
    CREATE INDEX items_state ON items (state);
    CREATE INDEX items_route_state ON items (route, state);
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        status TEXT,
        summary_json TEXT
    );
    CREATE TABLE attempts (
        id BIGSERIAL PRIMARY KEY,
        item_id BIGINT NOT NULL REFERENCES items(id),
        run_id TEXT,
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        outcome TEXT,
        error_type TEXT,
        error_message TEXT
    );
    CREATE INDEX attempts_item ON attempts (item_id);
    """),
    Migration("0002_items_updated_index", """
    CREATE INDEX items_updated ON items (state, updated_at);
    """),
    Migration("0003_item_leases", """
    ALTER TABLE items ADD COLUMN token BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE items ADD COLUMN lease_owner TEXT;
    ALTER TABLE items ADD COLUMN lease_until TIMESTAMPTZ;
    CREATE INDEX items_lease ON items (lease_until) WHERE lease_owner IS NOT NULL;
    """),
    Migration("0004_ledger_meta", """
    CREATE TABLE ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """),
    # every card written into a target for a case, append-only: the first write (or the record
    # adopted), then each update after a change at the police; and the source version last seen
    Migration("0005_card_versions", """
    CREATE TABLE card_versions (
        id BIGSERIAL PRIMARY KEY,
        item_id BIGINT NOT NULL REFERENCES items(id),
        version INTEGER NOT NULL,
        kind TEXT NOT NULL,
        card_json TEXT NOT NULL,
        card_hash TEXT NOT NULL,
        source_hash TEXT,
        source_version TEXT,
        run_id TEXT,
        recorded_at TIMESTAMPTZ NOT NULL,
        UNIQUE (item_id, version)
    );
    ALTER TABLE items ADD COLUMN source_version TEXT;
    """),
]

assert tuple(m.name for m in SQLITE) == NAMES
assert tuple(m.name for m in POSTGRES) == NAMES
