# shellcheck shell=bash
# A throwaway PostgreSQL 15 cluster for end-to-end tests and sample-log generation.
#
#   source Tests/EndToEnd/lib/pg.sh
#   pg_start "" "log_min_duration_statement = 0"   # "" = a new temp dir; extra lines go to postgresql.conf
#   pg_psql -d postgres -c 'select 1'             # clients connect over the private Unix socket
#   pg_stop                                       # flushes and closes the logs; they stay readable
#   ... read "$PG_LOG_STDERR" "$PG_LOG_CSV" "$PG_LOG_JSON" ...
#   (on exit a trap stops the server if still running and removes the dir; PG_KEEP=1 keeps it.
#    pg_start sets the EXIT/INT/TERM traps: a caller needing its own cleanup calls _pg_cleanup in it)
#   pg_log_files                                  # prints the three log paths, one a line
# PG_PGAUDIT=1 before pg_start loads pgaudit (shared_preload_libraries, pgaudit.log = 'read, write');
# the database still needs CREATE EXTENSION pgaudit. PG_VERBOSE=1 says where things are.
#
# Unix socket only (listen_addresses = ''), socket and data in the temp dir, a free port number,
# the server runs as the `postgres` user when we are root. Logging: the collector writes
# log/postgresql.log (stderr), log/postgresql.csv (csvlog), log/postgresql.json (jsonlog), every
# statement, in UTC, with the prefix in PG_LOG_LINE_PREFIX.
#
# Exported after pg_start: PG_DIR PGDATA PGHOST PGPORT PGUSER PG_BIN PG_LOGDIR
#                          PG_LOG_STDERR PG_LOG_CSV PG_LOG_JSON PG_LOG_LINE_PREFIX

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_LOG_LINE_PREFIX="${PG_LOG_LINE_PREFIX:-%m [%p] %q%u@%d/%a sess=%c }"
export PG_BIN PG_LOG_LINE_PREFIX
_PG_RUNNING=""
_PG_OWN_DIR=""

_pg_die() { echo "pg.sh: $*" >&2; return 1; }

# Runs a command as the server's owner (postgres when we are root).
pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

_pg_free_port() {
    python3 - <<'PY'
import socket
for _ in range(50):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    if 20000 <= port <= 65000:
        print(port)
        break
else:
    print(54329)
PY
}

# pg_start DIR [postgresql.conf line]...
pg_start() {
    local dir="${1:-}"
    shift || true
    [ -x "$PG_BIN/initdb" ] || _pg_die "no $PG_BIN/initdb: install postgresql-15 (scripts/deps.sh test)" || return 1
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        _pg_die "running as root but there is no 'postgres' user to run the server (install postgresql-15)" || return 1
    fi
    if [ -z "$dir" ]; then
        dir="$(mktemp -d "${TMPDIR:-/tmp}/tw-pg.XXXXXX")"
        _PG_OWN_DIR="$dir"
    else
        mkdir -p "$dir"
    fi
    PG_DIR="$(cd "$dir" && pwd)"
    PGDATA="$PG_DIR/data"
    PGHOST="$PG_DIR/sock"
    PGPORT="$(_pg_free_port)"
    PGUSER=postgres
    PG_LOGDIR="$PGDATA/log"
    export PG_DIR PGDATA PGHOST PGPORT PGUSER PG_LOGDIR
    if [ "${#PGHOST}" -gt 90 ]; then
        _pg_die "socket dir path too long for a Unix socket: $PGHOST" || return 1
    fi
    mkdir -p "$PGHOST"
    if [ "$(id -u)" -eq 0 ]; then
        chown -R postgres: "$PG_DIR"
    fi
    trap _pg_cleanup EXIT
    trap '_pg_cleanup; exit 130' INT
    trap '_pg_cleanup; exit 143' TERM

    if ! pg_as_owner "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
            >"$PG_DIR/initdb.out" 2>&1; then
        cat "$PG_DIR/initdb.out" >&2
        _pg_die "initdb failed in $PGDATA" || return 1
    fi
    {
        echo "# --- tenantwatch test harness ---"
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$PGHOST'"
        echo "port = $PGPORT"
        echo "logging_collector = on"
        echo "log_destination = 'stderr,csvlog,jsonlog'"
        echo "log_directory = 'log'"
        echo "log_filename = 'postgresql.log'"
        echo "log_rotation_age = 0"
        echo "log_rotation_size = 0"
        echo "log_statement = 'all'"
        echo "log_line_prefix = '$PG_LOG_LINE_PREFIX'"
        echo "log_timezone = 'UTC'"
        echo "timezone = 'UTC'"
        echo "lc_messages = 'C'"
        echo "log_parameter_max_length = -1"
        echo "log_parameter_max_length_on_error = -1"
        echo "log_connections = on"
        echo "log_disconnections = on"
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
        if [ -n "${PG_PGAUDIT:-}" ]; then
            echo "shared_preload_libraries = 'pgaudit'"
            echo "pgaudit.log = 'read, write'"
            echo "pgaudit.log_parameter = on"
        fi
        local line
        for line in "$@"; do echo "$line"; done
    } | pg_as_owner tee -a "$PGDATA/postgresql.conf" >/dev/null

    if ! pg_as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PG_DIR/pg_ctl.log" -w -t 60 start >/dev/null 2>&1; then
        cat "$PG_DIR/pg_ctl.log" >&2 || true
        cat "$PG_LOGDIR"/postgresql.log >&2 2>/dev/null || true
        _pg_die "server did not start (data dir $PGDATA)" || return 1
    fi
    _PG_RUNNING=1
    PG_LOG_STDERR="$PG_LOGDIR/postgresql.log"
    PG_LOG_CSV="$PG_LOGDIR/postgresql.csv"
    PG_LOG_JSON="$PG_LOGDIR/postgresql.json"
    export PG_LOG_STDERR PG_LOG_CSV PG_LOG_JSON
    local f
    for f in "$PG_LOG_STDERR" "$PG_LOG_CSV" "$PG_LOG_JSON"; do
        [ -f "$f" ] || _pg_die "expected log file $f was not created; log dir has: $(ls "$PG_LOGDIR" 2>&1)" || return 1
    done
    if [ -n "${PG_VERBOSE:-}" ]; then
        echo "pg.sh: PostgreSQL 15 up, socket $PGHOST port $PGPORT; logs in $PG_LOGDIR:" >&2
        echo "pg.sh:   $(basename "$PG_LOG_STDERR") $(basename "$PG_LOG_CSV") $(basename "$PG_LOG_JSON")" >&2
    fi
}

pg_log_files() {
    printf '%s\n' "$PG_LOG_STDERR" "$PG_LOG_CSV" "$PG_LOG_JSON"
}

# psql with no ~/.psqlrc, stopping at the first error unless the caller overrides ON_ERROR_STOP.
pg_psql() {
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"
}

pg_pgbench() {
    "$PG_BIN/pgbench" "$@"
}

pg_stop() {
    if [ -n "$_PG_RUNNING" ]; then
        pg_as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop >/dev/null 2>&1 \
            || _pg_die "pg_ctl stop failed for $PGDATA" || return 1
        _PG_RUNNING=""
    fi
}

_pg_cleanup() {
    local rc=$?
    if [ -n "$_PG_RUNNING" ]; then
        pg_as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
        _PG_RUNNING=""
    fi
    if [ -n "$_PG_OWN_DIR" ] && [ -z "${PG_KEEP:-}" ]; then
        rm -rf "$_PG_OWN_DIR"
        _PG_OWN_DIR=""
    elif [ -n "${PG_KEEP:-}" ] && [ -n "${PG_DIR:-}" ]; then
        echo "pg.sh: kept $PG_DIR (PG_KEEP is set)" >&2
    fi
    return "$rc"
}
