#!/usr/bin/env bash
# Run the whole pytest suite on SQLite and the tests that use the database again on
# PostgreSQL. The scheduling engine's tests (tests/scheduling/) never open a database,
# so they run once, without one.
#
# With no arguments the suite runs as five shards at once (the engine; the app on
# SQLite; the browser tests on SQLite; the same two on PostgreSQL, each on a database
# of its own): many tests wait on servers, browsers and timers, and the shards fill
# those waits on a 2-core machine. Each shard's output goes to test-results/shards/;
# a line is printed as each ends, then every shard's output in a fixed order, then the
# totals. With arguments (e.g. scripts/test.sh -x -k smoke, or a test file) the two
# passes run one after the other as before, the arguments given to both.
#
# PostgreSQL comes from TEST_DATABASE_URL (or DATABASE_URL_PG) when set; otherwise a
# private cluster is started by scripts/pg.sh (installed first if the machine has no
# server). The cluster is left running for the next run (`make pg-stop` stops it),
# except under CI=true, where it is stopped at the end.
# Exits non-zero when any run fails; the output ends with the totals.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=.venv/bin/python
# Tests that never touch the database: run once, in the SQLite pass.
SOLVER_TESTS=tests/scheduling
BROWSER_TESTS=tests/e2e

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

# --- with arguments: the two passes, one after the other ------------------------------
if [ "$#" -gt 0 ]; then
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
fi

# --- no arguments: five shards at once ------------------------------------------------
# The browser shard on PostgreSQL gets a database of its own beside PG_URL's: each shard
# empties its database's schema and makes its servers' databases from its name.
# The database name is the URL's last part, before any "?options".
PG_DB="${PG_URL##*/}"
PG_OPTIONS="${PG_DB#"${PG_DB%%\?*}"}"
PG_DB_E2E="${PG_DB%%\?*}_browser"
PG_URL_E2E="${PG_URL%/*}/$PG_DB_E2E$PG_OPTIONS"
if [ "$STARTED_PG" = 1 ]; then
    PG_TEST_DB="$PG_DB_E2E" scripts/pg.sh ensure >/dev/null ||
        { echo "could not create the second test database" >&2; exit 1; }
else
    "$PY" - "$PG_URL" "$PG_DB_E2E" <<'EOF' ||
import sys
from sqlalchemy import create_engine, text
url, name = sys.argv[1], sys.argv[2]
engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1),
                       isolation_level="AUTOCOMMIT")
with engine.connect() as conn:
    if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
        conn.execute(text(f'CREATE DATABASE "{name}"'))
EOF
        { echo "could not create the second test database" >&2; exit 1; }
fi

LOGS=test-results/shards
rm -rf "$LOGS" && mkdir -p "$LOGS"
# name | database URL (empty: SQLite) | environment | pytest arguments
# The accessibility checks (axe-core, in the browser tests) run in the SQLite pass only:
# the markup they check is the same on both databases, and they are a third of the
# browser tests' CPU.
SHARDS=(
    "sqlite-app|||--ignore=$SOLVER_TESTS --ignore=$BROWSER_TESTS"
    "postgresql-app|$PG_URL||--ignore=$SOLVER_TESTS --ignore=$BROWSER_TESTS"
    "sqlite-browser|||$BROWSER_TESTS"
    "postgresql-browser|$PG_URL_E2E|AXE_SKIP=1|$BROWSER_TESTS"
    "engine|||$SOLVER_TESTS"
)
declare -A PID_OF NAME_OF RC_OF
start=$SECONDS
echo "running ${#SHARDS[@]} shards at once; their output: $LOGS/"
for shard in "${SHARDS[@]}"; do
    IFS='|' read -r name url extra args <<<"$shard"
    if [ -n "$url" ]; then database=("TEST_DATABASE_URL=$url"); else database=(-u TEST_DATABASE_URL); fi
    # shellcheck disable=SC2086  # extra and args are lists of words
    env "${database[@]}" $extra "$PY" -m pytest -p no:cacheprovider $args >"$LOGS/$name.log" 2>&1 &
    PID_OF[$name]=$!
    NAME_OF[$!]=$name
done
for _ in "${SHARDS[@]}"; do
    wait -n -p done_pid
    rc=$?
    name=${NAME_OF[$done_pid]}
    RC_OF[$name]=$rc
    printf '%-20s exit %s after %4d s: %s\n' "$name" "$rc" "$((SECONDS - start))" \
        "$(tail -n 1 "$LOGS/$name.log")"
done

failed=0 total_passed=0 total_failed=0 total_skipped=0 total_errors=0
count() {  # count passed "105 passed, 1 skipped in 59.09s" -> 105 (0 when absent)
    local n
    n="$(grep -oE "[0-9]+ $1" <<<"$2" | head -n 1 | cut -d' ' -f1)"
    echo "${n:-0}"
}
for shard in "${SHARDS[@]}"; do
    name=${shard%%|*}
    banner "$name"
    cat "$LOGS/$name.log"
    if [ "${RC_OF[$name]}" -ne 0 ]; then failed=1; fi
    last="$(tail -n 1 "$LOGS/$name.log")"
    total_passed=$((total_passed + $(count passed "$last")))
    total_failed=$((total_failed + $(count failed "$last")))
    total_skipped=$((total_skipped + $(count skipped "$last")))
    total_errors=$((total_errors + $(count error "$last")))
done
banner "all shards: $((SECONDS - start)) s"
for shard in "${SHARDS[@]}"; do
    name=${shard%%|*}
    printf '%-20s exit %s: %s\n' "$name" "${RC_OF[$name]}" "$(tail -n 1 "$LOGS/$name.log")"
done
# A shard that ended without its summary (killed, or errors at collection) counts as one
# failure, so the closing line never reads green over a red run.
if [ "$failed" -ne 0 ] && [ "$total_failed" -eq 0 ] && [ "$total_errors" -eq 0 ]; then
    total_failed=1
fi
echo "$total_passed passed, $((total_failed + total_errors)) failed, $total_skipped skipped"
exit "$failed"
