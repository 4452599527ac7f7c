#!/usr/bin/env bash
# One workload on a real PostgreSQL 15, run twice: first with `log_statement = 'all'`, then with
# pgaudit alone (`log_statement = 'none'`, `pgaudit.log = 'read, write, misc_set'`,
# `pgaudit.log_parameter = on`). `tenantwatch scan` must find the same leaks, and flag no
# control, in every format (stderr, csvlog, jsonlog) of both runs; with format and prefix left
# to auto-detection, it says on stderr what it assumed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$E2E_DIR/lib/pg.sh"
source "$E2E_DIR/workload/run.sh"

find_tenantwatch
top="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-pgaudit.XXXXXX")"
[ "$(id -u)" -eq 0 ] && chmod 755 "$top"
# Setup (schema, seed) is logged by neither: pgaudit's setting too is turned off for it.
_WL_SILENT="$_WL_SILENT -c pgaudit.log=none"

# run NAME [postgresql.conf line]...: the workload on a fresh cluster; its logs land in $top/NAME.
run() {
    local name="$1"
    shift
    pg_start "$top/$name-cluster" "$@"
    workload_setup saas
    [ -f "$top/schema.sql" ] || workload_dump_schema saas "$top/schema.sql"
    workload_run saas
    pg_stop
    mkdir -p "$top/$name"
    cp "$PG_LOG_STDERR" "$top/$name/postgresql.log"
    cp "$PG_LOG_CSV" "$top/$name/postgresql.csv"
    cp "$PG_LOG_JSON" "$top/$name/postgresql.json"
    rm -rf "$top/$name-cluster"
}

run statement-all
PG_PGAUDIT=1 run pgaudit-only "log_statement = 'none'" "pgaudit.log = 'read, write, misc_set'"

audit_lines=$(grep -c 'AUDIT: ' "$top/pgaudit-only/postgresql.log" || true)
statement_lines=$(grep -cE 'LOG:  (statement|execute [^:]*):' "$top/pgaudit-only/postgresql.log" || true)
if [ "$audit_lines" -gt 20 ] && [ "$statement_lines" -eq 0 ]; then
    e2e_ok "pgaudit-only log: $audit_lines AUDIT lines, no log_statement line"
else
    e2e_fail "pgaudit-only log: $audit_lines AUDIT lines, $statement_lines log_statement lines"
fi
if grep -q "AUDIT: SESSION,[0-9]*,1,MISC,SET,,,\"\?SET app.current_tenant" "$top/pgaudit-only/postgresql.log"; then
    e2e_ok "misc_set logs the session setting"
else
    e2e_fail "no misc_set AUDIT line for SET app.current_tenant"
fi

cat >"$top/tenantwatch.toml" <<TOML
[tenancy]
columns = ["tenant_id"]
schema = "schema.sql"
global_tables = ["tenants"]
session_setting = "app.current_tenant"
TOML

checks=()
for name in statement-all pgaudit-only; do
    for file in postgresql.log postgresql.csv postgresql.json; do
        out="$top/findings-$name-$file.ndjson"
        err="$top/scan-$name-$file.err"
        rc=0
        # Bare path: kind, format and (stderr) prefix are detected.
        (cd "$top" && "$TENANTWATCH" scan --format ndjson --config tenantwatch.toml "$name/$file") \
            >"$out" 2>"$err" </dev/null || rc=$?
        if [ "$rc" -eq 1 ]; then
            e2e_ok "$name/$file: scan exit status 1 (findings present)"
        else
            e2e_fail "$name/$file: scan exit status $rc, expected 1; stderr: $(head -c 600 "$err")"
        fi
        if grep -q "^tenantwatch: $name/$file: assumed format" "$err"; then
            e2e_ok "$name/$file: says what it assumed: $(grep -m1 'assumed format' "$err" | cut -c1-160)"
        else
            e2e_fail "$name/$file: no 'assumed format' line on stderr: $(head -c 600 "$err")"
        fi
        if grep -q ' events, 0 unparsed' "$err"; then
            e2e_ok "$name/$file: no unparsed line"
        else
            e2e_fail "$name/$file: unparsed lines: $(grep -m1 unparsed "$err")"
        fi
        checks+=("$name-$file=$out")
    done
done

if python3 "$E2E_DIR/lib/check_findings.py" "$E2E_DIR/workload/expected-findings.txt" "${checks[@]}"; then
    :
else
    E2E_FAILS=$((E2E_FAILS + 1))
fi

e2e_drop_work pgaudit_only "$top"
[ "$E2E_FAILS" -eq 0 ]
