#!/usr/bin/env bash
# A private PostgreSQL cluster for the test suite.
#
#   scripts/pg.sh ensure   install the server if needed, create and start the cluster,
#                          create the test database; print its SQLAlchemy URL on stdout
#   scripts/pg.sh stop     stop the cluster (its files stay, the next `ensure` reuses them)
#   scripts/pg.sh destroy  stop it and delete its files
#   scripts/pg.sh url      print the URL of the running cluster
#
# The cluster never touches the machine's own PostgreSQL service: it has its own data
# directory, listens only on 127.0.0.1 on its own port (54329, or the next free one),
# has no unix socket and trusts local connections (it holds throwaway test data only).
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user.
# Progress goes to stderr; stdout carries only the URL.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB_NAME="${PG_TEST_DB:-matchmaker_test}"
FIRST_PORT="${PG_TEST_PORT:-54329}"

log() { echo "pg: $*" >&2; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Run a server binary as the cluster's owner.
as_owner() {
    # From /: the postgres user may not be allowed into the current directory.
    if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

find_bindir() {
    if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
    if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
}

install_server() {
    if ! is_root; then
        log "no PostgreSQL server binaries found; install the 'postgresql' package" \
            "or set TEST_DATABASE_URL"
        exit 1
    fi
    log "installing Debian's postgresql package"
    "$ROOT/scripts/apt-install.sh" postgresql >&2
}

# Where the cluster lives: .pg/ in the checkout, unless (as root) the postgres user
# cannot reach the checkout (e.g. under a 0700 home); then a folder in /tmp named
# after the checkout's path.
state_dir() {
    if [ -n "${PG_STATE_DIR:-}" ]; then echo "$PG_STATE_DIR"; return; fi
    if ! is_root || runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
        echo "$ROOT/.pg"
    else
        echo "/tmp/matchmaker-pg-$(echo -n "$ROOT" | cksum | cut -d' ' -f1)"
    fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The first port from $1 (default FIRST_PORT) that nothing answers on.
free_port() {
    local p="${1:-$FIRST_PORT}"
    while port_in_use "$p"; do p=$((p + 1)); done
    echo "$p"
}

STATE="$(state_dir)"
DATA="$STATE/data"
PORT_FILE="$STATE/port"
LOGFILE="$STATE/server.log"

running() {
    local bindir="$1"
    [ -f "$DATA/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

# Accepting connections (pg_ctl status only checks the pid, which may be a zombie).
ready() {
    local bindir="$1" i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        "$bindir/pg_isready" -q -h 127.0.0.1 -p "$(cat "$PORT_FILE")" && return 0
        sleep 0.5
    done
    return 1
}

url() {
    echo "postgresql+psycopg://postgres@127.0.0.1:$(cat "$PORT_FILE")/$DB_NAME"
}

init_cluster() {
    local bindir="$1"
    log "creating a cluster in $DATA"
    mkdir -p "$STATE"
    if is_root; then chown postgres: "$STATE"; fi
    as_owner "$bindir/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 \
        --locale=C.UTF-8 >/dev/null
    # Speed over durability: this cluster only ever holds test data.
    as_owner tee -a "$DATA/postgresql.conf" >/dev/null <<'EOF'

# matchmaker test cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
EOF
}

# Start on the port of the last start, or the first free one. A port that looked free
# can be taken by another process before the server binds it ("Address already in use"
# in the server's log): then the next free port, up to START_TRIES times.
START_TRIES=10

start_cluster() {
    local bindir="$1" port try logged
    port="$(cat "$PORT_FILE" 2>/dev/null || true)"
    if [ -z "$port" ] || port_in_use "$port"; then
        port="$(free_port)"
    fi
    for ((try = 1; ; try++)); do
        as_owner tee "$PORT_FILE" >/dev/null <<<"$port"
        log "starting on 127.0.0.1:$port"
        logged="$(stat -c %s "$LOGFILE" 2>/dev/null || echo 0)"
        if as_owner "$bindir/pg_ctl" -D "$DATA" -l "$LOGFILE" -o "-p $port" -w -t 60 \
            start >/dev/null; then
            return 0
        fi
        if [ "$try" -ge "$START_TRIES" ] ||
            ! tail -c "+$((logged + 1))" "$LOGFILE" 2>/dev/null | grep -q "Address already in use"; then
            log "could not start the server; the end of $LOGFILE:"
            tail -n 20 "$LOGFILE" >&2 2>/dev/null || true
            return 1
        fi
        log "port $port was taken before the server could bind it; trying the next free port"
        port="$(free_port $((port + 1)))"
    done
}

ensure() {
    local bindir
    bindir="$(find_bindir)"
    if [ -z "$bindir" ]; then
        install_server
        bindir="$(find_bindir)"
    fi
    [ -f "$DATA/PG_VERSION" ] || init_cluster "$bindir"
    if running "$bindir" && ready "$bindir"; then
        log "reusing the cluster running on port $(cat "$PORT_FILE")"
    else
        if running "$bindir"; then
            log "the cluster does not answer; restarting it"
            as_owner "$bindir/pg_ctl" -D "$DATA" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
        fi
        rm -f "$DATA/postmaster.pid"  # left by a cluster that was killed
        start_cluster "$bindir"
    fi
    local psql=("$bindir/psql" -X -q -h 127.0.0.1 -p "$(cat "$PORT_FILE")" -U postgres)
    if [ "$("${psql[@]}" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != "1" ]; then
        "${psql[@]}" -d postgres -c "CREATE DATABASE $DB_NAME" >/dev/null
        log "created database $DB_NAME"
    fi
    # A test that waits on a lock held by its own other connection would hang the
    # whole run; make it fail after 30 s instead (applied to existing clusters too).
    "${psql[@]}" -d postgres -c "ALTER SYSTEM SET lock_timeout = '30s'" \
        -c "SELECT pg_reload_conf()" >/dev/null
    url
}

stop() {
    local bindir
    bindir="$(find_bindir)"
    if [ -n "$bindir" ] && running "$bindir"; then
        as_owner "$bindir/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
        log "stopped"
    fi
}

case "${1:-ensure}" in
    ensure) ensure ;;
    stop) stop ;;
    destroy) stop; rm -rf "$STATE"; log "removed $STATE" ;;
    url) url ;;
    *) echo "usage: $0 ensure|stop|destroy|url" >&2; exit 2 ;;
esac
