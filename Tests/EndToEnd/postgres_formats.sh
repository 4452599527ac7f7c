#!/usr/bin/env bash
# A real PostgreSQL 15 writes the same multi-tenant workload as stderr (non-default prefix),
# csvlog and jsonlog; `tenantwatch scan` must find the same leaks in all three, and no control.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$E2E_DIR/lib/pg.sh"
source "$E2E_DIR/workload/run.sh"

find_tenantwatch

pg_start "" "log_min_duration_statement = 0"
work="$PG_DIR/scan"
mkdir -p "$work"
workload_setup saas
workload_dump_schema saas "$work/schema.sql"
workload_run saas
pg_stop
cp "$PG_LOG_STDERR" "$work/postgresql.log"
cp "$PG_LOG_CSV" "$work/postgresql.csv"
cp "$PG_LOG_JSON" "$work/postgresql.json"
e2e_ok "workload ran: $(wc -l <"$work/postgresql.log") stderr lines, schema $(grep -c '^CREATE TABLE' "$work/schema.sql") tables"

# One config per format; paths are relative to the config file.
write_config() {
    local format="$1" file="$2" extra="${3:-}"
    cat >"$work/tenantwatch-$format.toml" <<TOML
[tenancy]
columns = ["tenant_id"]
schema = "schema.sql"
global_tables = ["tenants"]
session_setting = "app.current_tenant"

[[source]]
kind = "postgres"
path = "$file"
format = "$format"
timezone = "UTC"
$extra
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
        e2e_ok "$format: scan exit status 1 (findings present)"
    else
        e2e_fail "$format: scan exit status $rc, expected 1; stderr: $(head -c 600 "$work/scan-$format.err")"
    fi
    log="$(sed -n 's/^path = "\(.*\)"$/\1/p' "$work/tenantwatch-$format.toml" | head -1)"
    case "$log" in /*) ;; *) log="$work/$log" ;; esac
    checks+=("$format=$out@$log")
done

if python3 "$E2E_DIR/lib/check_findings.py" "$E2E_DIR/workload/expected-findings.txt" "${checks[@]}"; then
    :
else
    E2E_FAILS=$((E2E_FAILS + 1))
fi

if [ "$E2E_FAILS" -gt 0 ]; then
    if [ -n "${E2E_KEEP:-}" ]; then
        keep="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-postgres_formats.XXXXXX")"
        cp -r "$work/." "$keep/"
        echo "postgres_formats: inputs and outputs kept in $keep" >&2
    fi
    exit 1
fi
