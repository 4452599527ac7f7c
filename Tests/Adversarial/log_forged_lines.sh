#!/usr/bin/env bash
# Forged log lines (issue 15), written by real PostgreSQL 15 clients (psycopg2) into a real
# server's stderr, csvlog and jsonlog, then read by `scan`:
# 1. a literal spanning lines whose continuation line is a whole log line: it must neither
#    fabricate a missing_tenant_predicate (framing) nor hide the real unscoped read it is part
#    of (the statement cut at the quote); stderr says log_forgery;
# 2. application_name set to a fake prefix (`psql sess=aa.1 LOG:  statement: SELECT 1 --`), then
#    `SELECT * FROM invoices`: the real statement is found and log_forgery raised; the mirror image
#    (a harmless statement framed as `SELECT * FROM invoices`) is not a leak.
# Both for the prefix with fields after %a (`%m [%p] %q%u@%d/%a sess=%c `) and the one with %a
# last (`%m [%p] %q%u@%d/%a `). The three formats must report the same statements.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../EndToEnd/lib/common.sh"
find_tenantwatch
# python3-psycopg2 is a Debian package: the system interpreter has it, a pyenv one may not.
PY=/usr/bin/python3
$PY -c 'import psycopg2' 2>/dev/null || { e2e_fail "python3-psycopg2 is missing (bash scripts/deps.sh test)"; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/tw-adv-forged.XXXXXX")"
chmod 755 "$work"

run_case() {  # NAME PREFIX SEP
    local name="$1" prefix="$2" sep="$3" dir="$work/$1"
    mkdir -p "$dir"
    (
        export PG_LOG_LINE_PREFIX="$prefix"
        source "$here/../EndToEnd/lib/pg.sh"
        pg_start "$dir/pg"
        pg_psql -d postgres -c "CREATE TABLE invoices (id int, tenant_id text, note text);
                                INSERT INTO invoices (id, tenant_id, note) VALUES (1, 'acme', 'x'), (2, 'globex', 'y');"
        $PY "$here/lib/forge_client.py" continuation
        $PY "$here/lib/forge_client.py" appname "$sep"
        pg_stop
        cp "$PG_LOG_STDERR" "$dir/postgresql.log"
        cp "$PG_LOG_CSV" "$dir/postgresql.csv"
        cp "$PG_LOG_JSON" "$dir/postgresql.json"
    ) >"$dir/pg.out" 2>&1 || { e2e_fail "$name: PostgreSQL session failed: $(tail -5 "$dir/pg.out")"; return; }
    local fmt rc
    for fmt in log csv json; do
        cat >"$dir/tw-$fmt.toml" <<TOML
[tenancy]
tables = ["invoices"]
[[source]]
kind = "postgres"
path = "postgresql.$fmt"
prefix = "$prefix"
timezone = "UTC"
TOML
        rc=0
        (cd "$dir" && "$TENANTWATCH" scan --config "tw-$fmt.toml" --format ndjson >"$fmt.ndjson" 2>"$fmt.err") || rc=$?
        [ "$rc" = 1 ] && e2e_ok "$name/$fmt: exit 1 (findings)" || e2e_fail "$name/$fmt: exit $rc: $(tail -2 "$dir/$fmt.err")"
        # The real unscoped reads: the one whose literal holds a fake record, the one behind a
        # forged application_name. Nothing else is a missing predicate (not the fake
        # `WHERE true` inside the scoped read's literal, not the framed scoped read).
        if $PY "$here/lib/findings.py" "$dir/$fmt.ndjson" \
            "missing_tenant_predicate:WHERE note <> 'b" "missing_tenant_predicate:SELECT * FROM invoices" \
            "missing_tenant_predicate=2" "!missing_tenant_predicate:tenant_id = 'acme'"; then
            e2e_ok "$name/$fmt: the hidden reads are found, nothing is framed"
        else
            e2e_fail "$name/$fmt: findings"
        fi
        local forged=2
        # stderr only: + the two literals holding a log line, + the SET statements' own
        # ` LOG:  ` marker (one finding: the two SETs share a fingerprint).
        [ "$fmt" = log ] && forged=5
        $PY "$here/lib/findings.py" "$dir/$fmt.ndjson" "log_forgery=$forged" \
            && e2e_ok "$name/$fmt: $forged log_forgery findings" || e2e_fail "$name/$fmt: log_forgery count"
    done
    # The three formats read the same statements: compare the leak findings' statements.
    if $PY - "$dir" <<'PY'; then e2e_ok "$name: stderr, csvlog and jsonlog agree"; else e2e_fail "$name: formats disagree"; fi
import json, sys
def leaks(f):
    return sorted(x["statement"] for x in map(json.loads, open(f"{sys.argv[1]}/{f}.ndjson")) if x["kind"] == "missing_tenant_predicate")
a, b, c = leaks("log"), leaks("csv"), leaks("json")
assert a == b == c, (a, b, c)
PY
    grep -q "Terminating process" "$dir"/*.ndjson && e2e_fail "$name: libpg_query terminated" || true
    # Without `prefix` the reader infers one, which may not isolate %a: the forged lines may
    # then be misread, but never silently — each is a log_forgery naming the text.
    printf '[tenancy]\ntables = ["invoices"]\n' >"$dir/tw-inferred.toml"
    rc=0
    (cd "$dir" && "$TENANTWATCH" scan --config tw-inferred.toml --postgres postgresql.log --format ndjson >inferred.ndjson 2>inferred.err) || rc=$?
    if $PY "$here/lib/findings.py" "$dir/inferred.ndjson" "log_forgery:statement: SELECT * FROM invoices" \
        "log_forgery:WHERE note <> 'b"; then
        e2e_ok "$name/inferred prefix: the forged lines are reported (exit $rc)"
    else
        e2e_fail "$name/inferred prefix: forged lines not reported"
    fi
}

run_case fields_after_app '%m [%p] %q%u@%d/%a sess=%c ' ' sess=aa.1 '
run_case app_last '%m [%p] %q%u@%d/%a ' ' '

e2e_drop_work log_forged_lines "$work"
[ "$E2E_FAILS" -eq 0 ]
