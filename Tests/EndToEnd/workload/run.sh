# shellcheck shell=bash
# The multi-tenant workload. Source after Tests/EndToEnd/lib/pg.sh, once pg_start has run:
#   workload_setup saas     # database, schema, seed data: not logged (log_statement=none for those sessions)
#   workload_run saas       # the logged workload: psql (simple protocol) + pgbench (extended, prepared)
#   workload_dump_schema saas OUT.sql
# Every statement that touches a tenant table carries a /* tw-XNN */ marker; expected-findings.txt
# says which must be flagged and which are controls.

WORKLOAD_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Sessions with this PGOPTIONS leave no statements in the log (only connection lines).
_WL_SILENT='-c log_statement=none -c log_min_duration_statement=-1'

workload_setup() {
    local db="$1"
    PGOPTIONS="$_WL_SILENT" pg_psql -d postgres -c "CREATE DATABASE $db" >/dev/null
    PGOPTIONS="$_WL_SILENT" pg_psql -d "$db" -f "$WORKLOAD_DIR/schema.sql" >/dev/null
    PGOPTIONS="$_WL_SILENT" pg_psql -d "$db" -f "$WORKLOAD_DIR/seed.sql" >/dev/null
}

workload_dump_schema() {
    local db="$1" out="$2"
    PGOPTIONS="$_WL_SILENT" "$PG_BIN/pg_dump" --schema-only --no-owner --no-privileges -d "$db" >"$out"
}

# _wl_psql APP FILE [psql args]: one psql session as the application role `app`.
_wl_psql() {
    local app="$1" file="$2"
    shift 2
    PGAPPNAME="$app" pg_psql -U app -d "$WL_DB" "$@" -f "$file" >/dev/null
}

# _wl_pgbench APP MODE FILE TRANSACTIONS [-D var=value]...
_wl_pgbench() {
    local app="$1" mode="$2" file="$3" n="$4"
    shift 4
    local out
    if ! out="$(PGAPPNAME="$app" pg_pgbench -n -U app -M "$mode" -c 1 -t "$n" "$@" -f "$file" "$WL_DB" 2>&1)"; then
        echo "$out" >&2
        echo "workload: pgbench -M $mode -f $(basename "$file") $* failed" >&2
        return 1
    fi
    if grep -q 'aborted\|error' <<<"$out"; then
        echo "$out" >&2
        echo "workload: pgbench -M $mode -f $(basename "$file") $* reported errors" >&2
        return 1
    fi
}

workload_run() {
    WL_DB="$1"
    local w="$WORKLOAD_DIR"
    _wl_psql billing-api "$w/psql/api-acme.sql"
    _wl_pgbench billing-api extended "$w/pgbench/extended.sql" 2 -D tenant=acme
    _wl_pgbench billing-api prepared "$w/pgbench/prepared.sql" 2 -D tenant=acme -D other=globex
    _wl_psql billing-api "$w/psql/rls-and-global.sql"
    _wl_pgbench billing-api extended "$w/pgbench/extended.sql" 2 -D tenant=globex
    _wl_pgbench billing-api prepared "$w/pgbench/prepared.sql" 2 -D tenant=globex -D other=initech
    # Errors are part of the workload: these statements fail on purpose.
    _wl_psql billing-api "$w/psql/errors.sql" -v ON_ERROR_STOP=0 2>/dev/null
    _wl_pgbench billing-api extended "$w/pgbench/extended.sql" 1 -D tenant=initech
    _wl_psql export-job "$w/psql/export-job.sql"
    _wl_psql reporting "$w/psql/reports.sql"
}
