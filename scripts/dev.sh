#!/usr/bin/env bash
# Set up what casebot needs (idempotent), then run the demo or the tests.
#
#   bash scripts/dev.sh demo    the robot against the sandbox
#   bash scripts/dev.sh test    lint + the whole test suite (what CI runs)
#   bash scripts/dev.sh bench   the performance benchmark
#   bash scripts/dev.sh mutants mutation testing of the core's pure modules (slow;
#                               [tool.mutmut] in pyproject.toml, docs/testing.md)
#   bash scripts/dev.sh setup   only install
#
# Needs Python >= 3.11. Installs, when missing: python3-venv, Debian's
# Chromium (+ a CJK font for readable screenshots) and PostgreSQL (the tests
# start their own server from its binaries) with apt-get, a virtual
# environment in .venv, the project with its dev dependencies, and (npm ci, after
# apt-installing nodejs and npm if need be) the UI kits the sandbox serves.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$(pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "need root to run: $*" >&2; return 1; fi
}

apt_install() {
    command -v apt-get >/dev/null || { echo "apt-get not found: install $* by hand" >&2; return 1; }
    if [ -z "${_APT_UPDATED:-}" ]; then as_root apt-get update -qq; _APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

check_python() {
    "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
        echo "casebot needs Python >= 3.11 ($PY is $("$PY" -V 2>&1))" >&2; exit 1; }
}

ensure_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating virtual environment in .venv"
        if ! "$PY" -m venv "$VENV" 2>/dev/null; then
            rm -rf "$VENV"
            say "installing python3-venv"
            apt_install python3-venv
            "$PY" -m venv "$VENV"
        fi
    fi
    local stamp="$VENV/.casebot-installed"
    local want
    want="$(sha256sum pyproject.toml | cut -c1-16)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        say "installing casebot and its dependencies"
        "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
        "$VENV/bin/python" -m pip install -q -e ".[dev]" 2>&1 | grep -v '^WARNING: Location' || true
        "$VENV/bin/python" -c 'import casebot, playwright, pytest_playwright_asyncio' >/dev/null
        echo "$want" > "$stamp"
    fi
}

ensure_chromium() {
    if [ -n "${CASEBOT_CHROMIUM:-}" ] || command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
        || command -v google-chrome >/dev/null; then
        :
    else
        say "installing Debian's Chromium"
        apt_install chromium
    fi
    if [ -z "${CASEBOT_CHROMIUM:-}" ] && ! command -v chromium-headless-shell >/dev/null \
        && command -v apt-get >/dev/null && apt-cache show chromium-headless-shell >/dev/null 2>&1; then
        # the headless build Playwright runs by default: unattended runs and the tests cost less CPU with it
        say "installing Debian's Chromium headless shell"
        apt_install chromium-headless-shell || true
    fi
    if command -v fc-list >/dev/null && ! fc-list :lang=zh | grep -q . ; then
        say "installing a CJK font (for readable screenshots)"
        apt_install fonts-wqy-zenhei || true
    fi
}

ensure_uikits() {
    # the UI kits (layui, select2, Element Plus) the sandbox serves, from the npm registry
    local dir="$ROOT/sandbox/uikits"
    if ! command -v npm >/dev/null; then
        say "installing Node.js and npm"
        apt_install nodejs npm
    fi
    local stamp="$dir/node_modules/.casebot-installed"
    local want
    want="$(sha256sum "$dir/package-lock.json" | cut -c1-16)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        say "installing the sandbox's UI kits (npm ci)"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
        echo "$want" > "$stamp"
    fi
}

ensure_postgresql() {
    # the tests run a throw-away server of their own from Debian's binaries (tests/postgres.py)
    if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null; then
        say "installing PostgreSQL (for the shared-ledger tests)"
        apt_install postgresql
    fi
}

setup() { check_python; ensure_venv; ensure_chromium; ensure_uikits; ensure_postgresql; }

cmd="${1:-help}"
shift || true
case "$cmd" in
    setup) setup ;;
    demo) setup; exec "$VENV/bin/casebot" demo "$@" ;;
    test)
        setup
        say "ruff"
        "$VENV/bin/ruff" check .
        say "pytest"
        # one worker per core, each with its own sandbox and Chromium (CASEBOT_TEST_WORKERS=0: in-process)
        exec "$VENV/bin/python" -m pytest -n "${CASEBOT_TEST_WORKERS:-2}" --dist worksteal "$@" ;;
    bench) setup; exec "$VENV/bin/python" bench/run.py "$@" ;;
    mutants)
        setup
        say "mutmut (deliberate bugs in the core's pure modules, fast unit tests only)"
        "$VENV/bin/mutmut" run "$@" || true
        exec "$VENV/bin/mutmut" results ;;
    *) sed -n '2,14p' "$0"; exit 2 ;;
esac
