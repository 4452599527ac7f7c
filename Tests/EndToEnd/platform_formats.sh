#!/usr/bin/env bash
# The managed-platform and syslog fixtures (Tests/TenantWatchCoreTests/Fixtures/platforms, see its
# README for where each shape comes from), given to the real binary as bare paths, plain and
# gzipped: format and prefix are detected and said on stderr, every line is read, the one leak
# (a multi-line SELECT on invoices without a tenant predicate) is found at its line, and the
# number of queries pgBadger 12 counts on the same file (pgBadger is run here) equals ours as
# `PgBadgerQueryCount` defines it; scan says statements executed and pgBadger's count on stderr.
# Then the same cross-check on every unedited real capture pgBadger can read.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

find_tenantwatch
bench="$(dirname "$TENANTWATCH")/TenantWatchBench"
fixtures="$REPO_ROOT/Tests/TenantWatchCoreTests/Fixtures/platforms"
work="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-platforms.XXXXXX")"

cat >"$work/tenantwatch.toml" <<'TOML'
[tenancy]
columns = ["tenant_id"]
tables = ["invoices", "customers"]
TOML

# file | what detection must say | pgBadger's -f and -p | line of the leaking statement
cases=(
    "rds_postgresql.log.2024-03-01-10|assumed format stderr, assumed log_line_prefix '%t:%r:%u@%d:[%p]:' (AWS RDS/Aurora)|rds||6"
    "pgbadger_default.log|assumed format stderr, assumed log_line_prefix '%t [%p]: [%l-1] user=%u,db=%d ' (pgBadger)|stderr|%t [%p]: [%l-1] user=%u,db=%d |6"
    "azure_postgresql.log|assumed format stderr, assumed log_line_prefix '%t-%c-' (Azure Database for PostgreSQL)|stderr|%t-%c-|6"
    "syslog_rsyslog.log|assumed format syslog, assumed log_line_prefix '%m [%p] %q%u@%d ' (Debian/Ubuntu default)|syslog|%m [%p] %q%u@%d |6"
    "journald_short_iso.log|assumed format syslog, assumed log_line_prefix '%m [%p] %q%u@%d ' (Debian/Ubuntu default)|syslog2|%m [%p] %q%u@%d |7"
    "heroku_logplex.log|assumed format syslog (Heroku logplex), assumed log_line_prefix 'sql_error_code = %e ' (Heroku Postgres)|logplex||6"
    "cloudsql_export.json|assumed format cloudsql, assumed log_line_prefix '%m [%p]: [%l-1] db=%d,user=%u ' (Google Cloud SQL)|jsonlog||6"
    "cloudnativepg.json|assumed format cnpg|-||7"
    "azure_diagnostics.json|assumed format azure, assumed log_line_prefix '%t-%c-' (Azure Database for PostgreSQL)|-||5"
)

# TenantWatchBench's counts of a file: $statements (executions read) and $pgb_ours (the records
# pgBadger 12 counts as queries, `PgBadgerQueryCount`), format and prefix detected.
counts() {
    local line
    line=$("$bench" parse "$1" --format auto --prefix "" --runs 1 2>"$work/bench.err")
    statements=$(sed -n 's/.*events, \([0-9]*\) statements, .*/\1/p' <<<"$line")
    pgb_ours=$(sed -n 's/.* \([0-9]*\) pgBadger queries).*/\1/p' <<<"$line")
    # The bench says on stderr when any line went unparsed.
    [ -s "$work/bench.err" ] && e2e_fail "$1: $(head -c 300 "$work/bench.err")"
    [ -n "$statements" ] && [ -n "$pgb_ours" ] || e2e_fail "$1: no counts from TenantWatchBench: $line"
    return 0
}
pgbadger_queries() {
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["overall_stat"]["queries_number"])' "$1" 2>/dev/null || echo "?"
}

for c in "${cases[@]}"; do
    IFS='|' read -r file said pgb_format pgb_prefix leak_line <<<"$c"
    cp "$fixtures/$file" "$work/$file"
    # Statements read and pgBadger-comparable queries (TenantWatchBench, format and prefix
    # detected), checked against pgBadger's count below; scan says both on stderr.
    counts "$work/$file"
    gzip -c "$fixtures/$file" >"$work/$file.gz"
    for input in "$file" "$file.gz"; do
        rc=0
        (cd "$work" && "$TENANTWATCH" scan --format ndjson --config tenantwatch.toml "$input") \
            >"$work/out.ndjson" 2>"$work/err.txt" </dev/null || rc=$?
        [ "$rc" -eq 1 ] && e2e_ok "$input: exit 1" || e2e_fail "$input: exit $rc: $(head -c 400 "$work/err.txt")"
        if grep -qF "tenantwatch: $input: $said" "$work/err.txt"; then
            e2e_ok "$input: $said"
        else
            e2e_fail "$input: stderr does not say \"$said\": $(head -c 400 "$work/err.txt")"
        fi
        grep -q ' events, 0 unparsed' "$work/err.txt" && e2e_ok "$input: 0 unparsed" \
            || e2e_fail "$input: $(grep unparsed "$work/err.txt")"
        grep -qF "tenantwatch: $input: $statements statements executed" "$work/err.txt" \
            && e2e_ok "$input: scan says $statements statements executed" \
            || e2e_fail "$input: scan does not say its $statements statements: $(grep executed "$work/err.txt")"
        if python3 - "$work/out.ndjson" "$input" "$leak_line" <<'PY'
import json, sys
findings = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
want = (sys.argv[2], int(sys.argv[3]))
got = [(f["kind"], f["tables"], [(e["source"].split("/")[-1], e["line"]) for e in f["evidence"]]) for f in findings]
ok = len(findings) == 1 and findings[0]["kind"] == "missing_tenant_predicate" and findings[0]["tables"] == ["invoices"] \
    and any((e["source"].split("/")[-1], e["line"]) == want for e in findings[0]["evidence"])
print(("ok - " if ok else "FAIL - ") + f"{sys.argv[2]}: findings {got}")
sys.exit(0 if ok else 1)
PY
        then :; else E2E_FAILS=$((E2E_FAILS + 1)); fi
    done
    ours=$pgb_ours
    # pgBadger refuses to start while /tmp/pgbadger.pid exists (another run on this machine).
    args=(-q --pid-dir "$work" -f "$pgb_format" -o "$work/pgbadger.json")
    [ -n "$pgb_prefix" ] && args+=(-p "$pgb_prefix")
    if [ "$pgb_format" = "-" ]; then
        # pgBadger 12 reads neither CloudNativePG's nor Azure's JSON: nothing to compare with.
        [ "$statements" = 5 ] && e2e_ok "$file: $ours statements read (pgBadger 12 cannot read this format)" \
            || e2e_fail "$file: $statements statements read, expected 5"
    elif command -v pgbadger >/dev/null; then
        pgbadger "${args[@]}" "$work/$file" >/dev/null 2>&1 || true
        theirs=$(pgbadger_queries "$work/pgbadger.json")
        [ -n "$ours" ] && [ "$ours" = "$theirs" ] && e2e_ok "$file: $ours queries as pgBadger counts them, pgBadger counts $theirs" \
            || e2e_fail "$file: $ours queries as pgBadger counts them, pgBadger counts $theirs"
    else
        e2e_fail "pgbadger is not installed (apt-get install pgbadger): no cross-check for $file"
    fi
done

# Real captures, unedited (Fixtures/pg15_* from a PG15 server; platforms/*_capture.log from public
# repositories, see platforms/README.md): 0 unparsed, and the queries pgBadger counts equal ours.
# file | pgBadger's -f and -p | the file pgBadger reads (empty: the same one)
pg15_prefix='%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h '
pg15_verbose='%m [%p] %q%u@%d/%a %r sess=%c l=%l vxid=%v xid=%x sqlstate=%e qid=%Q bt=%b tag=%i t=%t n=%n '
real=(
    # The stderr capture switches log_line_prefix by a reload before its last record, which
    # pgBadger (one -p a run) cannot follow: its csvlog twin, the same session, is the reference.
    "pg15_phase1_stderr.log|csv||pg15_phase1.csv"
    "pg15_phase1.csv|csv||"
    "pg15_phase1.json|jsonlog||"
    "pg15_phase2_verbose_pgaudit_logrows_stderr.log|stderr|$pg15_verbose|"
    "pg15_phase2_verbose_pgaudit_logrows.csv|csv||"
    "pg15_phase2_verbose_pgaudit_logrows.json|jsonlog||"
    "pg15_phase3_appname_injection_stderr.log|stderr|$pg15_verbose|"
    "pg15_phase3_appname_injection.json|jsonlog||"
    "platforms/debian_pgbench_capture.log|stderr|%m [%p] %q%u@%d |"
    "platforms/cloudsql_server_capture.log|stderr|%m [%p]: [%l-1] db=%d,user=%u,host=%h |"
)
fixtures_root="$REPO_ROOT/Tests/TenantWatchCoreTests/Fixtures"
for c in "${real[@]}"; do
    IFS='|' read -r file pgb_format pgb_prefix pgb_file <<<"$c"
    counts "$fixtures_root/$file"
    args=(-q --pid-dir "$work" -f "$pgb_format" -o "$work/pgbadger.json")
    [ -n "$pgb_prefix" ] && args+=(-p "$pgb_prefix")
    rm -f "$work/pgbadger.json"
    if command -v pgbadger >/dev/null; then
        pgbadger "${args[@]}" "$fixtures_root/${pgb_file:-$file}" >/dev/null 2>&1 || true
        theirs=$(pgbadger_queries "$work/pgbadger.json")
        [ -n "$pgb_ours" ] && [ "$pgb_ours" = "$theirs" ] \
            && e2e_ok "$file: $statements statements executed, $pgb_ours queries as pgBadger counts them; pgBadger counts $theirs" \
            || e2e_fail "$file: $statements statements executed, $pgb_ours queries as pgBadger counts them; pgBadger counts $theirs"
    else
        e2e_fail "pgbadger is not installed (apt-get install pgbadger): no cross-check for $file"
    fi
done

e2e_drop_work platform_formats "$work"
[ "$E2E_FAILS" -eq 0 ]
