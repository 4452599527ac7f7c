#!/usr/bin/env bash
# `live` without a human watching: `--no-tui` prints each new finding and incident as NDJSON
# while following, `--on-incident CMD` runs once per incident at or above `--severity` with the
# incident's JSON on standard input, and `--metrics 127.0.0.1:0` serves Prometheus text that a
# real HTTP client (curl, then python's urllib) scrapes. A leak appended to the followed log
# reaches all three; the time from the append to its NDJSON line is printed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
find_tenantwatch
command -v curl >/dev/null || { echo "FAIL - curl not found" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-headless.XXXXXX")"
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; fi
    e2e_drop_work live_headless "$work"
}
trap cleanup EXIT
cp "$REPO_ROOT"/sample-logs/* "$work/"
# A short correlation window: a statement whose audit line never comes is judged 2 s after.
sed -i 's/^\[cache\]/[correlation]\nwindow_seconds = 2\n\n[cache]/' "$work/tenantwatch.toml"
mkdir "$work/hooks"

wait_for() {  # wait_for SECONDS CMD...: until CMD succeeds (status 1 on timeout)
    local deadline=$((SECONDS + $1)); shift
    while [ "$SECONDS" -lt "$deadline" ]; do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.2
    done
    return 1
}
count_type() { python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["type"] == sys.argv[2]))' "$work/out.ndjson" "$1"; }
count_is() { [ "$(count_type "$1")" = "$2" ]; }          # count_is TYPE N (for wait_for: read anew each time)
count_above() { [ "$(count_type "$1")" -gt "$2" ]; }

(cd "$work" && exec "$TENANTWATCH" live --no-tui --from-start --config tenantwatch.toml --store state.sqlite \
    --on-incident 'cat > hooks/$TENANTWATCH_INCIDENT.json' --severity critical --metrics 127.0.0.1:0 \
    >out.ndjson 2>err.txt) &
pid=$!

wait_for 10 grep -q "metrics at http://127.0.0.1:" "$work/err.txt" || e2e_fail "no metrics address: $(cat "$work/err.txt")"
url="$(grep -o "http://127.0.0.1:[0-9]*/metrics" "$work/err.txt" | head -1)"

# The sample's nine findings in eight incidents, as NDJSON.
if wait_for 20 count_is incident 8; then
    e2e_ok "--no-tui --from-start: 8 incident lines"
else
    e2e_fail "incident lines: $(count_type incident) ($(head -c 300 "$work/err.txt"))"
fi
python3 - "$work/out.ndjson" <<'PY' && e2e_ok "every line is JSON; each stored finding names an incident announced before it; those announced on detection are provisional and not said again" || e2e_fail "NDJSON shape"
import json, sys
seen = set()
findings = provisional = 0
for n, line in enumerate(open(sys.argv[1]), 1):
    o = json.loads(line)
    if o["type"] == "incident":
        seen.add(o["incident"]["id"])
    else:
        assert o["type"] == "finding", o
        if o.get("provisional"):
            # Announced on detection (needs no correlation): no incident id yet.
            assert o["finding"]["incident"] is None, f"line {n}: provisional with an incident"
            assert o["finding"]["kind"] == "cross_tenant_response", f"line {n}: {o['finding']['kind']} announced early"
            provisional += 1
        else:
            assert o["finding"]["incident"] in seen, f"line {n}: {o['finding']['incident']} not announced"
        findings += 1
# Nine findings, each said once, whether on detection or when stored.
assert findings == 9, findings
PY

# --on-incident: one file per critical incident, each the incident's JSON; none for the others.
crit="$(python3 -c 'import json,sys; print(sorted(o["incident"]["id"] for o in map(json.loads, open(sys.argv[1])) if o["type"] == "incident" and o["incident"]["severity"] == "critical"))' "$work/out.ndjson")"
if wait_for 10 python3 - "$work" "$crit" <<'PY'
import ast, json, os, sys
expected = ast.literal_eval(sys.argv[2])
files = sorted(f[:-5] for f in os.listdir(os.path.join(sys.argv[1], "hooks")))
assert expected and files == expected, (files, expected)
for f in files:
    assert json.load(open(os.path.join(sys.argv[1], "hooks", f + ".json")))["severity"] == "critical"
PY
then e2e_ok "--on-incident ran once for each critical incident ($crit), with its JSON on stdin"
else e2e_fail "hooks: $(ls "$work/hooks") expected $crit"; fi

# Metrics, by curl: the findings by kind and severity, open incidents, unparsed lines.
body="$(curl -fsS "$url")"
grep -q '^tenantwatch_findings_total{kind="cross_tenant_query",severity=' <<<"$body" && e2e_ok "curl scrapes tenantwatch_findings_total by kind and severity" \
    || e2e_fail "metrics: $(head -c 400 <<<"$body")"
grep -q '^tenantwatch_open_incidents 8' <<<"$body" && e2e_ok "tenantwatch_open_incidents 8" || e2e_fail "$(grep open_incidents <<<"$body")"
grep -q '^tenantwatch_source_lag_bytes{source="postgresql.log"} 0' <<<"$body" && e2e_ok "per-source lag (0: all read)" \
    || e2e_fail "$(grep lag <<<"$body")"
[ "$(curl -s -o /dev/null -w '%{http_code}' "${url%/metrics}/other")" = 404 ] && e2e_ok "another path is 404" || e2e_fail "not 404"

# A new leak appended to the followed log: NDJSON line, metrics counter.
before="$(count_type finding)"
start_ns="$(date +%s%N)"
echo "2026-11-25 00:54:30.000 UTC [19999] app@saas/export-job sess=6b0631ae.4e01 LOG:  statement: SELECT * FROM invoices WHERE amount > 100;" >>"$work/postgresql.log"
if wait_for 15 count_above finding "$before"; then
    ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
    e2e_ok "an appended leak is an NDJSON finding line ${ms} ms later (it waits for a 2 s correlation window)"
else
    e2e_fail "no new finding line after the append: $(tail -2 "$work/out.ndjson")"
fi
python3 - "$url" <<'PY' && e2e_ok "python's urllib scrapes the new missing_tenant_predicate finding" || e2e_fail "urllib scrape"
import sys, urllib.request
body = urllib.request.urlopen(sys.argv[1], timeout=5).read().decode()
assert any(l.startswith('tenantwatch_findings_total{kind="missing_tenant_predicate"') and not l.endswith(" 0") for l in body.splitlines()), body
PY

# A leak that needs no correlation (the response named another tenant: the audit line alone is
# the evidence) is announced on detection, provisional, and not said again when it is stored.
probe_lines() { python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l).get("finding", {}).get("request_id") == "req-0190" and json.loads(l)["finding"]["kind"] == "cross_tenant_response"))' "$work/out.ndjson"; }
# Its incident is new (a route of its own), first seen at the probe's log time.
probe_incident() { python3 -c 'import json,sys; sys.exit(0 if any(o["type"] == "incident" and (o["incident"]["first_seen"] or "").startswith("2026-11-25T00:54:31") for o in map(json.loads, open(sys.argv[1]))) else 1)' "$work/out.ndjson"; }
# req-0107's token: initech's, presented on initech's host (so no token_host_mismatch beside it).
token="$(grep '"request_id":"req-0107"' "$work/audit.log" | grep -o '"authorization":"Bearer [^"]*"')"
start_ns="$(date +%s%N)"
printf '{"ts":"2026-11-25T00:54:31.000Z","request_id":"req-0190","method":"GET","route":"/alert-probe","headers":{%s},"host":"initech.example.com","status":200,"response":{"tenant_ids":["globex"],"items":1},"duration_ms":0.5}\n' "$token" >>"$work/audit.log"
if wait_for 15 python3 -c 'import json,sys; sys.exit(0 if any(o.get("provisional") and o["finding"].get("request_id") == "req-0190" and o["finding"]["incident"] is None for o in map(json.loads, open(sys.argv[1]))) else 1)' "$work/out.ndjson"; then
    ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
    e2e_ok "a cross_tenant_response needing no correlation is a provisional NDJSON line ${ms} ms after the append"
else
    e2e_fail "no provisional line for req-0190: $(tail -3 "$work/out.ndjson")"
fi
python3 - "$url" <<'PY' && e2e_ok "the metrics counted it on detection" || e2e_fail "metrics did not count the provisional finding"
import sys, urllib.request
body = urllib.request.urlopen(sys.argv[1], timeout=5).read().decode()
line = [l for l in body.splitlines() if l.startswith('tenantwatch_findings_total{kind="cross_tenant_response",severity="critical"}')]
assert line, body
PY
crit_before="$(curl -fsS "$url" | grep '^tenantwatch_findings_total{kind="cross_tenant_response",severity="critical"}' | awk '{print $2}')"
# Stored once it is settled: a new incident line, no second finding line, no second count.
if wait_for 20 probe_incident; then
    [ "$(probe_lines)" = 1 ] && e2e_ok "stored: its incident is announced, the finding is not said a second time" \
        || e2e_fail "req-0190 finding lines: $(probe_lines)"
    crit_after="$(curl -fsS "$url" | grep '^tenantwatch_findings_total{kind="cross_tenant_response",severity="critical"}' | awk '{print $2}')"
    [ "$crit_after" = "$crit_before" ] && e2e_ok "stored: not counted again ($crit_after)" || e2e_fail "counted again: $crit_before -> $crit_after"
else
    e2e_fail "req-0190 never stored: $(tail -3 "$work/out.ndjson")"
fi

# Stopping is how a follower ends: SIGTERM, status 0, the store has what was printed.
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
[ "$rc" = 0 ] && e2e_ok "SIGTERM ends --no-tui with status 0" || e2e_fail "exit $rc: $(cat "$work/err.txt")"
stored="$("$TENANTWATCH" incidents --store "$work/state.sqlite" --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
[ "$stored" = "$(count_type incident)" ] && e2e_ok "the store holds the $stored incidents printed" || e2e_fail "store $stored, printed $(count_type incident)"

# Refused before anything starts: an address that is not loopback.
rc=0
(cd "$work" && "$TENANTWATCH" live --no-tui --config tenantwatch.toml --store x.sqlite --metrics 0.0.0.0:9464 >/dev/null 2>"$work/bad.txt") || rc=$?
[ "$rc" = 2 ] && grep -q "loopback only" "$work/bad.txt" && e2e_ok "--metrics 0.0.0.0: refused (loopback only), exit 2" || e2e_fail "0.0.0.0: exit $rc $(cat "$work/bad.txt")"

if [ "$E2E_FAILS" -gt 0 ]; then exit 1; fi
