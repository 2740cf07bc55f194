#!/usr/bin/env bash
# Run the whole pytest suite on SQLite, then the tests that use the database again on
# PostgreSQL. The scheduling engine's tests (tests/scheduling/) never open a database,
# so they run in the SQLite pass only (SOLVER_TESTS below).
#
# PostgreSQL comes from TEST_DATABASE_URL (or DATABASE_URL_PG) when set; otherwise a
# private cluster is started by scripts/pg.sh (installed first if the machine has no
# server). The cluster is left running for the next run (`make pg-stop` stops it),
# except under CI=true, where it is stopped at the end.
# Extra arguments go to both pytest runs (e.g. scripts/test.sh -x -k smoke).
# Exits non-zero when either run fails; the output ends with pytest's own summary.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=.venv/bin/python
# Tests that never touch the database: run once, in the SQLite pass.
SOLVER_TESTS=tests/scheduling

PG_URL="${TEST_DATABASE_URL:-${DATABASE_URL_PG:-}}"
STARTED_PG=0
if [ -z "$PG_URL" ]; then
    PG_URL="$(scripts/pg.sh ensure)" || { echo "could not start PostgreSQL" >&2; exit 1; }
    STARTED_PG=1
fi
if [ "$STARTED_PG" = 1 ] && [ "${CI:-}" = "true" ]; then
    trap 'scripts/pg.sh stop 2>/dev/null' EXIT
fi

banner() { printf '\n===== %s =====\n' "$*"; }

banner "pytest on SQLite"
start=$SECONDS
env -u TEST_DATABASE_URL "$PY" -m pytest "$@"
sqlite_rc=$?
echo "SQLite run: exit $sqlite_rc in $((SECONDS - start)) s"

banner "pytest on PostgreSQL ($PG_URL), without $SOLVER_TESTS"
echo "(the SQLite run exited $sqlite_rc)"
TEST_DATABASE_URL="$PG_URL" "$PY" -m pytest --ignore="$SOLVER_TESTS" "$@"
pg_rc=$?
# Arguments that select only solver tests leave this run nothing to do (pytest's exit 5).
if [ "$pg_rc" -eq 5 ]; then pg_rc=0; fi

if [ "$sqlite_rc" -ne 0 ]; then exit "$sqlite_rc"; fi
exit "$pg_rc"
