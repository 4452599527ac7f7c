#!/usr/bin/env bash
# An API simulator (apisim/apisim.py: Python + psycopg2, one pooled connection, real HS256 JWTs,
# sqlcommenter tags, an audit log written after each request's statements) drives a real
# PostgreSQL 15 (stderr + csvlog + jsonlog). Each leak class is injected in its own request
# (request ids leak-<kind>-1), next to clean controls (ok-...); a background export job reads
# without a predicate. `tenantwatch scan` over each Postgres format + the audit log must report
# every leak with its kind, caller and accessed tenants, flag no control, agree across the three
# formats, and exit 1.
#
# Regressions kept from when this test was written, all fixed since: a SET undone by ROLLBACK still counted as the session tenant (a false
# tenant_context_mismatch on the next request), an IDOR whose only sqlcommenter tag is on an
# EXECUTE of a statement PREPAREd untagged at connection setup (cross_tenant_query missed), and
# `scan --postgres postgresql.csv` with a config whose postgres source says `format = "stderr"`
# (the csvlog read as stderr: nothing parsed, exit 0).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$E2E_DIR/lib/pg.sh"
source "$E2E_DIR/workload/run.sh"

if ! /usr/bin/python3 -c 'import psycopg2' 2>/dev/null; then
    echo "FAIL - /usr/bin/python3 cannot import psycopg2 (scripts/deps.sh test installs python3-psycopg2)" >&2
    exit 1
fi
find_tenantwatch

# HS256 needs a key of at least 32 bytes (RFC 7518 3.2); tenantwatch refuses shorter ones.
SECRET="apisim-e2e-hs256-secret-$(date +%s)-0123456789abcdef"

pg_start ""
work="$PG_DIR/scan"
mkdir -p "$work"
workload_setup saas
workload_dump_schema saas "$work/schema.sql"
# The regression cases (a SET undone by ROLLBACK, a tag only on an EXECUTE) always run.
known=(--known-issues)
/usr/bin/python3 "$E2E_DIR/apisim/apisim.py" --scenario e2e --dbname saas --user app \
    --secret "$SECRET" --audit "$work/audit.log" --expected "$work/expected.json" "${known[@]}"
pg_stop
cp "$PG_LOG_STDERR" "$work/postgresql.log"
cp "$PG_LOG_CSV" "$work/postgresql.csv"
cp "$PG_LOG_JSON" "$work/postgresql.json"
e2e_ok "simulator ran: $(wc -l <"$work/audit.log") audit lines, $(grep -c 'statement: ' "$work/postgresql.log") statements logged"

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

[audit]
refresh_token = "refresh.presented"
refresh_token_issued = "refresh.issued"

[[source]]
kind = "postgres"
path = "$file"
format = "$format"
timezone = "UTC"
$extra

[[source]]
kind = "audit"
path = "audit.log"
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
        e2e_ok "$format + audit: scan exit status 1 (findings present)"
    else
        e2e_fail "$format + audit: scan exit status $rc, expected 1; stderr: $(head -c 600 "$work/scan-$format.err")"
    fi
    checks+=("$format=$out")
done

if true; then
    # The command line's --postgres replaces the config's source; its format must still be found.
    out="$work/findings-csvlog-cli.ndjson"
    rc=0
    (cd "$work" && "$TENANTWATCH" scan --format ndjson --config tenantwatch-stderr.toml \
        --postgres postgresql.csv --audit audit.log) >"$out" 2>"$work/scan-csvlog-cli.err" </dev/null || rc=$?
    if [ "$rc" -eq 1 ]; then
        e2e_ok "--postgres postgresql.csv with the stderr config: exit status 1"
    else
        e2e_fail "--postgres postgresql.csv with the stderr config: exit status $rc, expected 1; stderr: $(head -c 300 "$work/scan-csvlog-cli.err")"
    fi
    checks+=("csvlog-cli=$out")
fi

if python3 "$E2E_DIR/apisim/check.py" "$work/expected.json" "${checks[@]}"; then
    :
else
    E2E_FAILS=$((E2E_FAILS + 1))
fi

if [ "$E2E_FAILS" -gt 0 ]; then
    if [ -n "${E2E_KEEP:-}" ]; then
        keep="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-api_correlation.XXXXXX")"
        cp -r "$work/." "$keep/"
        echo "api_correlation: inputs and outputs kept in $keep" >&2
    fi
    exit 1
fi
