#!/usr/bin/env bash
# Issue 14: findings an on-call engineer can trust, under concurrent traffic. apisim/concurrent.py
# serves a multi-tenant API from several threads over a small pool of shared PostgreSQL 15
# connections (one request's statements on several backends, one backend serving many tenants
# back to back) and a real redis-server (connections named per request, and anonymous ones),
# with cache-only requests and audit lines written as requests finish. `tenantwatch scan` of each
# PostgreSQL format (stderr, csvlog, jsonlog) + the audit log + the MONITOR capture must report
# exactly the injected leaks: precision 1.00 and recall 1.00, the same set in all three; and a
# second scan into the same store adds nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$E2E_DIR/lib/pg.sh"
source "$E2E_DIR/workload/run.sh"

for tool in redis-server redis-cli python3; do
    command -v "$tool" >/dev/null || { echo "FAIL - $tool not found (scripts/deps.sh test)" >&2; exit 1; }
done
if ! /usr/bin/python3 -c 'import psycopg2' 2>/dev/null; then
    echo "FAIL - /usr/bin/python3 cannot import psycopg2 (scripts/deps.sh test installs python3-psycopg2)" >&2
    exit 1
fi
find_tenantwatch

SECRET="concurrent-e2e-hs256-secret-$(date +%s)-0123456789abcdef"
THREADS="${TW_CONCURRENT_THREADS:-6}"
REQUESTS="${TW_CONCURRENT_REQUESTS:-50}"

REDIS_PID=""
MONITOR_PID=""
cleanup() {
    local rc=$?
    [ -n "$MONITOR_PID" ] && kill "$MONITOR_PID" 2>/dev/null || true
    [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null || true
    _pg_cleanup
    return "$rc"
}

pg_start ""
# pg_start set its own traps; this one stops redis too, then does what pg.sh's does.
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
work="$PG_DIR/concurrent"
mkdir -p "$work"
workload_setup saas
workload_dump_schema saas "$work/schema.sql"

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
redis-server --bind 127.0.0.1 --port "$PORT" --save '' --appendonly no --daemonize no \
    --dir "$work" --logfile "$work/redis.log" &
REDIS_PID=$!
rcli() { redis-cli -h 127.0.0.1 -p "$PORT" "$@"; }
wait_for() {  # wait_for DESCRIPTION COMMAND...: up to 10 s
    local what="$1"; shift
    for _ in $(seq 1 100); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    echo "FAIL - timed out waiting for $what" >&2
    return 1
}
wait_for "redis-server on port $PORT" rcli ping
rcli MONITOR >"$work/monitor.raw" 2>"$work/monitor.err" &
MONITOR_PID=$!
wait_for "MONITOR to start" grep -qx OK "$work/monitor.raw"

/usr/bin/python3 "$E2E_DIR/apisim/concurrent.py" --dbname saas --user app --secret "$SECRET" \
    --redis-port "$PORT" --audit "$work/audit.log" --expected "$work/expected.json" \
    --threads "$THREADS" --requests "$REQUESTS"
# Everything the workload sent has reached MONITOR once a marker sent after it has.
rcli ECHO tw-concurrent-done >/dev/null
wait_for "MONITOR to catch up" grep -q '"ECHO" "tw-concurrent-done"' "$work/monitor.raw"
kill "$MONITOR_PID" 2>/dev/null || true
MONITOR_PID=""
grep -v -x OK "$work/monitor.raw" >"$work/monitor.txt"
pg_stop
cp "$PG_LOG_STDERR" "$work/postgresql.log"
cp "$PG_LOG_CSV" "$work/postgresql.csv"
cp "$PG_LOG_JSON" "$work/postgresql.json"
e2e_ok "workload ran: $THREADS threads, $(wc -l <"$work/audit.log") requests, $(grep -c 'statement: ' "$work/postgresql.log") statements, $(grep -c '^[0-9]' "$work/monitor.txt") Redis commands"

backends="$(grep -o 'sess=[0-9a-f.]*' "$work/postgresql.log" | sort -u | wc -l)"
named="$(grep -c '"CLIENT" "SETNAME"' "$work/monitor.txt" || true)"
[ "$named" -gt 0 ] && e2e_ok "Redis: $named CLIENT SETNAME, and anonymous connections" || e2e_fail "no named Redis connection"

write_config() {
    local format="$1" file="$2" extra="${3:-}"
    cat >"$work/tenantwatch-$format.toml" <<TOML
[tenancy]
columns = ["tenant_id"]
schema = "schema.sql"
global_tables = ["tenants"]
session_setting = "app.current_tenant"
tenants = ["acme", "globex", "initech"]

[identity]
claim = "tenant_id"
host = "{tenant}.example.com"
jwt_secret = "$SECRET"

[[source]]
kind = "postgres"
path = "$file"
format = "$format"
timezone = "UTC"
$extra

[[source]]
kind = "audit"
path = "audit.log"

[[source]]
kind = "redis"
path = "monitor.txt"
TOML
}
write_config stderr postgresql.log "prefix = \"$PG_LOG_LINE_PREFIX\""
write_config csvlog postgresql.csv
write_config jsonlog postgresql.json

checks=()
for format in stderr csvlog jsonlog; do
    out="$work/findings-$format.ndjson"
    rc=0
    (cd "$work" && "$TENANTWATCH" scan --format ndjson --config "tenantwatch-$format.toml") \
        >"$out" 2>"$work/scan-$format.err" </dev/null || rc=$?
    if [ "$rc" -eq 1 ]; then
        e2e_ok "$format: scan exit 1 ($(tail -1 "$work/scan-$format.err"))"
    else
        e2e_fail "$format: scan exit status $rc, expected 1: $(head -c 600 "$work/scan-$format.err")"
    fi
    checks+=("$format=$out")
done
e2e_ok "$backends PostgreSQL sessions served the requests"

if python3 "$E2E_DIR/apisim/check_concurrent.py" "$work/expected.json" "${checks[@]}"; then
    :
else
    E2E_FAILS=$((E2E_FAILS + 1))
fi

# The store: a second scan of the same files adds nothing.
(cd "$work" && "$TENANTWATCH" scan --format ndjson --config tenantwatch-stderr.toml --store store.sqlite) >/dev/null 2>&1 || true
first="$(cd "$work" && "$TENANTWATCH" incidents --store store.sqlite --format json)"
(cd "$work" && "$TENANTWATCH" scan --format ndjson --config tenantwatch-stderr.toml --store store.sqlite) >/dev/null 2>&1 || true
second="$(cd "$work" && "$TENANTWATCH" incidents --store store.sqlite --format json)"
if [ "$first" = "$second" ] && [ -n "$first" ]; then
    e2e_ok "a second scan into the store adds nothing"
else
    e2e_fail "a second scan into the store changed it"
fi

if [ "$E2E_FAILS" -gt 0 ]; then
    if [ -n "${E2E_KEEP:-}" ]; then
        keep="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-concurrent.XXXXXX")"
        cp -r "$work/." "$keep/"
        echo "concurrent_workload: inputs and outputs kept in $keep" >&2
    fi
    exit 1
fi
