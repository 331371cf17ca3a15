"""A real PostgreSQL server for the tests: Debian's binaries, a temporary cluster, a free loopback port.

``postgres_server`` (session) is :class:`sandbox.postgres.PostgresServer`, run
as an unprivileged account when the tests run as root; ``pg_url`` (per test) is
a fresh, empty database on it. Without the binaries the tests that need them
are skipped, except on CI (``CI`` set), where they fail: ``scripts/dev.sh``
installs PostgreSQL, so a missing server there is a broken setup, not a reason
to pass.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from sandbox.postgres import PostgresServer, bindir


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    found = bindir()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: scripts/dev.sh setup installs it")
        pytest.skip("PostgreSQL is not installed (scripts/dev.sh setup installs it)")
    server = PostgresServer(found).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database for this test."""
    name = postgres_server.create_database()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)
