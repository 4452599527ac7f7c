#!/usr/bin/env bash
# Issue 14: without tenancy configured (no [tenancy] schema or tables) no table is known to be
# tenant-owned and every statement would be `not_applicable`. `check-sql` must not pass a CI gate
# silently (exit 2, a line saying why); `scan` says so on standard error.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
find_tenantwatch

work="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-notenancy.XXXXXX")"
trap 'e2e_drop_work no_tenancy "$work"' EXIT
cp "$REPO_ROOT/sample-logs/postgresql.log" "$work/"

rc=0
(cd "$work" && "$TENANTWATCH" check-sql "SELECT * FROM invoices") >"$work/check.out" 2>"$work/check.err" || rc=$?
if [ "$rc" = 2 ] && grep -q "no tenancy configured" "$work/check.err" && [ ! -s "$work/check.out" ]; then
    e2e_ok "check-sql without a config: exit 2, $(head -c 80 "$work/check.err")"
else
    e2e_fail "check-sql without a config: exit $rc, stdout $(head -c 200 "$work/check.out"), stderr $(head -c 200 "$work/check.err")"
fi

rc=0
(cd "$work" && "$TENANTWATCH" scan --postgres postgresql.log) >"$work/scan.out" 2>"$work/scan.err" || rc=$?
if grep -q "no tenancy configured" "$work/scan.err" && tail -1 "$work/scan.err" | grep -q " lines, "; then
    e2e_ok "scan without a config says no tenancy is configured (exit $rc)"
else
    e2e_fail "scan without a config: exit $rc, stderr $(head -c 300 "$work/scan.err")"
fi

# With the sample's config the same statement is judged (exit 1: unscoped).
rc=0
"$TENANTWATCH" check-sql --config "$REPO_ROOT/sample-logs/tenantwatch.toml" "SELECT * FROM invoices" >"$work/check2.out" 2>&1 || rc=$?
if [ "$rc" = 1 ] && grep -q "^unscoped" "$work/check2.out"; then
    e2e_ok "with the sample config: unscoped, exit 1"
else
    e2e_fail "with the sample config: exit $rc: $(head -c 200 "$work/check2.out")"
fi

if [ "$E2E_FAILS" -gt 0 ]; then exit 1; fi
