#!/usr/bin/env bash
# The managed-platform and syslog fixtures (Tests/TenantWatchCoreTests/Fixtures/platforms, see its
# README for where each shape comes from), given to the real binary as bare paths, plain and
# gzipped: format and prefix are detected and said on stderr, every line is read, the one leak
# (a multi-line SELECT on invoices without a tenant predicate) is found at its line, and the
# number of statements read equals pgBadger 12's count on the same file.
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

for c in "${cases[@]}"; do
    IFS='|' read -r file said pgb_format pgb_prefix leak_line <<<"$c"
    cp "$fixtures/$file" "$work/$file"
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
    # Statements read (TenantWatchBench, format and prefix detected) against pgBadger's count.
    ours=$("$bench" parse "$work/$file" --format auto --prefix "" --runs 1 2>"$work/bench.err" \
        | sed -n 's/.*events, \([0-9]*\) statements).*/\1/p')
    args=(-q -f "$pgb_format" -o "$work/pgbadger.json")
    [ -n "$pgb_prefix" ] && args+=(-p "$pgb_prefix")
    if [ "$pgb_format" = "-" ]; then
        # pgBadger 12 reads neither CloudNativePG's nor Azure's JSON: nothing to compare with.
        [ "$ours" = 5 ] && e2e_ok "$file: $ours statements read (pgBadger 12 cannot read this format)" \
            || e2e_fail "$file: $ours statements read, expected 5"
    elif command -v pgbadger >/dev/null; then
        pgbadger "${args[@]}" "$work/$file" >/dev/null 2>&1 || true
        theirs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["overall_stat"]["queries_number"])' "$work/pgbadger.json" 2>/dev/null || echo "?")
        [ -n "$ours" ] && [ "$ours" = "$theirs" ] && e2e_ok "$file: $ours statements read, pgBadger counts $theirs" \
            || e2e_fail "$file: $ours statements read, pgBadger counts $theirs"
    else
        e2e_fail "pgbadger is not installed (apt-get install pgbadger): no cross-check for $file"
    fi
done

e2e_drop_work platform_formats "$work"
[ "$E2E_FAILS" -eq 0 ]
