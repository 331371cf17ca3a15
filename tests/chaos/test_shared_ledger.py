"""Three workstations, one queue: three `casebot run` processes on one PostgreSQL ledger and one sandbox.

The sandbox's faults are on (latency, 500s, saves whose answer is lost, notices).
One process at a time is SIGKILLed mid-write, three times: right after a save was
sent (a fail point: the ledger has not heard of it), then twice at a random moment
while the victim holds a case in ``writing`` (the intent recorded, the save perhaps
under way). A killed workstation stays down until the others have taken its cases
over, then comes back. The verdict comes from the procuratorate's own records and
the ledger: every eligible case exactly once, none lost, and every lease of a
killed process taken over after it ran out, never before, and soon after.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from casebot.ledger.postgres import PostgresLedger
from tests.golden import assert_holds, copies

LEASE_S = 8
#: how soon after a lease ran out another run must have taken the case over: a run tries a held
#: case again every second, between two of its own cases (a case takes seconds; more under load)
TAKEOVER_SLACK_S = 30
DEADLINE_S = 240
ROUTE = "police-procuratorate"


@dataclass
class Station:
    name: str
    config: Path
    proc: subprocess.Popen[bytes] | None = None
    down_until: float = 0.0
    runs: int = 0
    codes: list[int] = field(default_factory=list)

    def start(self, failpoint: str | None = None) -> None:
        env = {**os.environ, "CASEBOT_CONFIG": str(self.config)}
        env.pop("CASEBOT_FAILPOINT", None)
        if failpoint:
            env["CASEBOT_FAILPOINT"] = failpoint
        with open(self.config.parent / "runs.log", "ab") as log:
            log.write(f"--- run {self.runs + 1} at {time.time():.1f} failpoint={failpoint}\n".encode())
            log.flush()
            self.proc = subprocess.Popen([sys.executable, "-m", "casebot", "run", "--route", ROUTE], env=env,
                                         cwd=self.config.parent, stdout=log, stderr=log, start_new_session=True)
        self.runs += 1

    def ended(self) -> int | None:
        if self.proc is None:
            return None
        code = self.proc.poll()
        if code is not None:
            self._reap()
            self.codes.append(code)
            self.proc = None
        return code

    def kill(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.ended()

    def _reap(self) -> None:
        """A SIGKILLed robot leaves its browser behind, as on a real workstation; the test cleans up."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # type: ignore[union-attr]
        except ProcessLookupError:
            pass


def _config(folder: Path, urls: dict[str, str], pg_url: str, name: str) -> Path:
    folder.mkdir()
    lines = []
    for system, url in urls.items():
        lines += [f"[systems.{system}]", f'url = "{url}"', 'username = "casebot"', ""]
    lines += ["[[routes]]", f'name = "{ROUTE}"', 'source = "police"', 'target = "procuratorate"',
              'filters = { status = "已移送起诉" }', "",
              "[ledger]", f'url = "{pg_url}"', f'workstation = "{name}"', f"lease_s = {LEASE_S}", "",
              "[run]", "backoff_initial_s = 0.05", "backoff_max_s = 0.3", "max_attempts = 6", "verify = true", "",
              "[artifacts]", 'trace = "off"', "",
              "[browser]", "concurrency = 1"]
    path = folder / "casebot.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for system in urls:
        os.environ.setdefault(f"CASEBOT_{system.upper()}_PASSWORD", "sandbox")
    return path


def _live_leases(db: psycopg.Connection, owner: str) -> list[tuple[int, int, float]]:
    """(item id, token, lease end as epoch seconds on the server's clock) of ``owner``'s live leases."""
    return db.execute("SELECT id, token, extract(epoch FROM lease_until)::float8 FROM items "
                      "WHERE lease_owner = %s AND lease_until > clock_timestamp()", (owner,)).fetchall()


@pytest.mark.slow
@pytest.mark.timeout(420)
def test_three_workstations_one_postgres_killed_mid_write(sandbox, pg_url, tmp_path):
    rng = random.Random(14)
    g = copies(6)  # hand-written golden cases (one of which stops on bad data)
    sandbox.add_cases(g.police)
    want = set(g.written)
    assert want and g.stops, "cases to write and a case that stops"
    sandbox.set_faults("procuratorate", latency_ms=[5, 40], error_rate=0.05, commit_then_error_rate=0.15,
                       notice_rate=0.1)
    sandbox.set_faults("police", latency_ms=[5, 30], error_rate=0.03)
    stations = [Station(f"ws{i}", _config(tmp_path / f"ws{i}", sandbox.urls, pg_url, f"ws{i}")) for i in (1, 2, 3)]
    PostgresLedger(pg_url).close()  # created once, as `casebot ledger migrate` would
    db = psycopg.connect(pg_url, autocommit=True)

    # the first kill is a fail point ws1 meets itself right after its first save (the ledger has not
    # heard of it); the next two are SIGKILLs from here, each once the previous victim's cases were
    # taken over, of a station holding a case in `writing` (its save may be under way)
    # ws1 starts alone, so that it is the one to save first and meet its fail point (started together, the
    # others could save every case before ws1 reached a save); the others join once it died
    stations[0].start("after_save:1")
    for st in stations[1:]:
        st.down_until = float("inf")
    killed: list[str] = []
    #: leases a killed process held: (kill number, item id) -> (token, lease end on the server's clock)
    orphaned: dict[tuple[int, int], tuple[int, float]] = {}
    taken: dict[tuple[int, int], tuple[float, str]] = {}
    t0 = time.monotonic()

    def server_now() -> float:
        return float(db.execute("SELECT extract(epoch FROM clock_timestamp())::float8").fetchone()[0])

    def died(st: Station, leases: list[tuple[int, int, float]]) -> None:
        killed.append(st.name)
        for other in stations:
            if other.down_until == float("inf"):
                other.down_until = 0.0
        for item_id, token, until in leases:
            orphaned[(len(killed), item_id)] = (token, until)
        st.down_until = time.monotonic() + 60  # back once the others took its cases over

    while time.monotonic() - t0 < DEADLINE_S:
        for st in stations:
            if st.proc is not None and st.proc.poll() == -signal.SIGKILL:
                leases = _live_leases(db, st.name)
                st.ended()
                died(st, leases)  # its fail point fired
            else:
                st.ended()
        now = server_now()
        for key, (token, _until) in orphaned.items():
            if key not in taken:
                row = db.execute("SELECT token, lease_owner FROM items WHERE id = %s", (key[1],)).fetchone()
                if row[0] > token:
                    taken[key] = (now, row[1] or "?")
        settled = len(taken) == len(orphaned)
        if settled:
            for st in stations:
                if st.proc is None and st.name in killed:
                    st.down_until = 0.0
        if settled and killed and len(killed) < 3:
            writing = {r[0] for r in db.execute(
                "SELECT lease_owner FROM items WHERE state = 'writing' AND lease_until > clock_timestamp()")}
            victims = [st for st in stations if st.proc is not None and st.name in writing]
            if victims:
                victim = rng.choice(victims)
                leases = _live_leases(db, victim.name)
                victim.kill()
                died(victim, leases)
        states = dict(db.execute("SELECT case_key, state FROM items WHERE route = %s", (ROUTE,)).fetchall())
        if all(states.get(k) == "done" for k in want) and len(killed) == 3 and settled:
            break
        for st in stations:
            if st.proc is None and time.monotonic() >= st.down_until:
                st.start()
        time.sleep(0.2)
    for st in stations:
        st.kill()
    db_states = dict(db.execute("SELECT case_key, state FROM items WHERE route = %s", (ROUTE,)).fetchall())
    db.close()

    print(f"\nlogs under {tmp_path}")
    print(f"\nshared-ledger chaos: kills {killed}, runs {[st.runs for st in stations]}, orphaned leases "
          f"{len(orphaned)}, taken over after expiry (s) "
          f"{sorted(round(taken[i][0] - orphaned[i][1], 2) for i in taken)}")
    assert len(killed) == 3 and killed[0] == "ws1", f"every planned kill happened: {killed}"
    assert orphaned, "the killed processes held leases (they died mid-case)"
    assert_holds(sandbox, "procuratorate", g.procuratorate)  # 0 duplicates, 0 lost, each equal to its golden record
    assert all(n == 1 for n in sandbox.saves("procuratorate").values()), "one save per case"
    assert all(db_states.get(k) == "done" for k in want), db_states
    unmappable = set(g.stops)
    assert all(db_states.get(k) == "failed" for k in unmappable), "bad data reported, not lost"
    for key, (_token, until) in orphaned.items():
        assert key in taken, f"the orphaned lease of item {key[1]} (kill {key[0]}) was never taken over"
        at, who = taken[key]
        assert at >= until - 0.5, f"item {key[1]} taken by {who} {until - at:.1f}s before its lease ran out"
        assert at <= until + TAKEOVER_SLACK_S, f"item {key[1]} taken over only {at - until:.1f}s after expiry"
