#!/usr/bin/env bash
# Privileged paths (issue 20) on a real PostgreSQL 15: staffsim/staffsim.py (apisim's application:
# psycopg2, one pooled connection, sqlcommenter tags, HS256 JWTs) runs support staff impersonating
# customers (an `impersonated_tenant` claim and an RFC 8693 `act` token), administrators reading
# across tenants, internal routes used correctly and wrongly (a customer's token, no token, an
# unscoped statement), and forged admin tokens (the attacker's own key, alg none).
# `scan` over stderr, csvlog and jsonlog must give exactly the expected findings for every request
# (apisim/check.py: kinds, callers, accessed tenants; controls silent; formats agree), with
# precision and recall 1.00 (staffsim/measure.py); a staff-access incident's bundle must say
# "Staff access" and no breach; a privileged claim without a verifying key is a config error.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$E2E_DIR/lib/pg.sh"
source "$E2E_DIR/workload/run.sh"

if ! /usr/bin/python3 -c 'import psycopg2' 2>/dev/null; then
    echo "FAIL - /usr/bin/python3 cannot import psycopg2 (scripts/deps.sh test installs python3-psycopg2)" >&2
    exit 1
fi
find_tenantwatch
SECRET="staffsim-e2e-hs256-secret-$(date +%s)-0123456789abcdef"

pg_start ""
work="$PG_DIR/scan"
mkdir -p "$work"
workload_setup saas
workload_dump_schema saas "$work/schema.sql"
/usr/bin/python3 "$E2E_DIR/staffsim/staffsim.py" --dbname saas --user app --secret "$SECRET" \
    --audit "$work/audit.log" --expected "$work/expected.json"
pg_stop
cp "$PG_LOG_STDERR" "$work/postgresql.log"
cp "$PG_LOG_CSV" "$work/postgresql.csv"
cp "$PG_LOG_JSON" "$work/postgresql.json"
e2e_ok "staffsim ran: $(wc -l <"$work/audit.log") audit lines"

write_config() {
    local format="$1" file="$2" extra="${3:-}"
    cat >"$work/tenantwatch-$format.toml" <<TOML
[tenancy]
schema = "schema.sql"
global_tables = ["tenants"]
tenants = ["acme", "globex", "initech"]

[identity]
claim = "tenant_id"
jwt_secret = "$SECRET"
privileged = {claim = "role", values = ["support", "admin"]}

[audit]
internal_routes = ["/internal/*", "/admin/*"]

[[source]]
kind = "postgres"
path = "$file"
format = "$format"
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
    [ "$rc" -eq 1 ] && e2e_ok "$format: scan exit 1 (leaks present)" \
        || e2e_fail "$format: scan exit $rc, expected 1: $(head -c 600 "$work/scan-$format.err")"
    checks+=("$format=$out")
    if m="$(python3 "$E2E_DIR/staffsim/measure.py" "$work/expected.json" "$out")"; then
        e2e_ok "$format: $m"
    else
        e2e_fail "$format: $m"
    fi
done
python3 "$E2E_DIR/apisim/check.py" "$work/expected.json" "${checks[@]}" || E2E_FAILS=$((E2E_FAILS + 1))

# Never a leak: no privileged_access above info, and no incident of staff access is critical.
if python3 - "$work/findings-stderr.ndjson" <<'PY'
import json, sys
fs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
staff = [f for f in fs if f["kind"] == "privileged_access"]
assert staff and all(f["severity"] == "info" for f in staff), "privileged_access must be info"
assert all("alice@corp.example" in f["message"] or "sam@corp.example" in f["message"] for f in staff), "staff identity missing"
assert any("ticket 4711" in f["message"] for f in staff), "reason claim missing"
inc = {f["incident"] for f in staff}
assert not inc & {f["incident"] for f in fs if f["kind"] != "privileged_access"}, "staff access shares an incident with a leak"
PY
then e2e_ok "privileged_access is info, names staff and reason, in incidents of its own"
else e2e_fail "privileged_access findings are not what an access log needs"; fi

# The bundle a customer is given for staff access: its own section, no breach.
store="$work/store.sqlite"
(cd "$work" && "$TENANTWATCH" scan --config tenantwatch-csvlog.toml --store "$store" --format ndjson) >"$work/stored.ndjson" 2>/dev/null </dev/null || true
incident="$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    f = json.loads(l)
    if f["kind"] == "privileged_access" and f["accessed_tenants"] == ["globex"] and f["request_id"] == "staff-admin-one-1":
        print(f["incident"]); break
' "$work/stored.ndjson")"
if [ -n "$incident" ] && "$TENANTWATCH" export "$incident" --for-tenant globex --out "$work/globex.zip" --store "$store" \
        --config "$work/tenantwatch-csvlog.toml" >/dev/null 2>"$work/export.err"; then
    mkdir -p "$work/bundle" && (cd "$work/bundle" && unzip -q ../globex.zip)
    if grep -q '^## Staff access' "$work/bundle/report.md" && grep -q '^## What was accessed' "$work/bundle/report.md" && grep -q 'alice@corp.example' "$work/bundle/report.md" \
        && ! grep -q 'Confidentiality breach' "$work/bundle/report.md" && grep -q 'No breach' "$work/bundle/art33.json"; then
        e2e_ok "bundle for globex ($incident): a Staff access section naming alice, no breach"
    else
        e2e_fail "bundle for globex ($incident): report.md lacks the staff access section or calls it a breach"
    fi
else
    e2e_fail "export of the staff access incident '$incident' failed: $(cat "$work/export.err" 2>/dev/null)"
fi

# `live` judges a held statement at once (a preview) before its audit line says who called: the
# admin's unscoped read must end as the access record, not stay a missing predicate.
live_findings() { python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["type"] == "finding"))' "$work/live.ndjson"; }
live_done() { [ "$(live_findings)" -ge 29 ]; }
(cd "$work" && exec "$TENANTWATCH" live --no-tui --from-start --config tenantwatch-csvlog.toml --store live.sqlite \
    >live.ndjson 2>live.err) &
live_pid=$!
wait_until 60 live_done || e2e_fail "live: $(live_findings) findings after 60 s: $(head -c 300 "$work/live.err")"
kill -TERM "$live_pid"
rc=0
wait "$live_pid" || rc=$?
if [ "$rc" -eq 0 ] && python3 - "$work/live.ndjson" "$work/findings-csvlog.ndjson" <<'PY'
import json, sys
from collections import Counter
live = Counter((o["finding"]["kind"], o["finding"]["request_id"]) for o in map(json.loads, open(sys.argv[1])) if o["type"] == "finding")
scan = Counter((f["kind"], f["request_id"]) for f in map(json.loads, open(sys.argv[2])))
if live != scan:
    print("live - scan:", live - scan, "scan - live:", scan - live)
    sys.exit(1)
PY
then e2e_ok "live --no-tui --from-start reports what scan reports (29 findings, staff access included)"
else e2e_fail "live differs from scan (exit $rc)"; fi

# A privileged claim nobody verifies proves nothing: refused, one line naming the key, exit 2.
sed '/^jwt_secret/d' "$work/tenantwatch-csvlog.toml" >"$work/nokey.toml"
rc=0
(cd "$work" && "$TENANTWATCH" scan --config nokey.toml) >/dev/null 2>"$work/nokey.err" </dev/null || rc=$?
if [ "$rc" -eq 2 ] && [ "$(wc -l <"$work/nokey.err")" -eq 1 ] && grep -q 'identity.privileged: needs a key' "$work/nokey.err"; then
    e2e_ok "privileged without a key: exit 2, $(cat "$work/nokey.err")"
else
    e2e_fail "privileged without a key: exit $rc, stderr: $(cat "$work/nokey.err")"
fi

if [ "$E2E_FAILS" -gt 0 ]; then
    if [ -n "${E2E_KEEP:-}" ]; then
        keep="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-privileged_paths.XXXXXX")"
        cp -r "$work/." "$keep/"
        echo "privileged_paths: inputs and outputs kept in $keep" >&2
    fi
    exit 1
fi
