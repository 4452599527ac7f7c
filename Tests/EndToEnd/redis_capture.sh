#!/usr/bin/env bash
# A real redis-server, watched by `redis-cli MONITOR`, serves two tenants' API connections:
# tenant-scoped keys (acme:..., tenant:globex:..., t=acme|...), a hash, a binary key, an allowed
# global key (plans:pro), and the seed story: acme caches `project:1041`, globex's request reads
# `project:1041` and gets acme's payload. `tenantwatch scan --redis` must report exactly one
# unscoped_cache_key (pattern project:{id}, cache_key project:1041) and no control. With the
# API's audit log (each connection names its request with CLIENT SETNAME), the poisoned read is
# a cross_tenant_response of globex's request whose evidence is the whole chain: acme's request,
# its SET, globex's GET; globex's second request (its own keys only) is not flagged.
#
# TW_REDIS_SAVE_CAPTURE=FILE copies the captured MONITOR output to FILE (how
# Tests/TenantWatchCoreTests/Fixtures/redis_seed_story.txt was made).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

for tool in redis-server redis-cli python3; do
    command -v "$tool" >/dev/null || { echo "FAIL - $tool not found (apt-get install redis-server python3)" >&2; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-redis.XXXXXX")"
REDIS_PID=""
MONITOR_PID=""
cleanup() {
    local rc=$?
    if [ -n "$MONITOR_PID" ]; then kill "$MONITOR_PID" 2>/dev/null || true; wait "$MONITOR_PID" 2>/dev/null || true; fi
    if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
    if [ "$rc" -ne 0 ] && [ -n "${E2E_KEEP:-}" ]; then
        echo "redis_capture: inputs and outputs kept in $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

# A free port: bind port 0, read what the kernel chose, let it go.
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
redis-server --bind 127.0.0.1 --port "$PORT" --save '' --appendonly no --daemonize no \
    --dir "$work" --logfile "$work/redis.log" &
REDIS_PID=$!
rcli() { redis-cli -h 127.0.0.1 -p "$PORT" "$@"; }

wait_for() {  # wait_for DESCRIPTION COMMAND...: up to 10 s
    local what="$1"; shift
    for _ in $(seq 1 100); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    echo "FAIL - timed out waiting for $what" >&2
    return 1
}
wait_for "redis-server on port $PORT" rcli ping

rcli MONITOR >"$work/monitor.txt" 2>"$work/monitor.err" &
MONITOR_PID=$!
wait_for "MONITOR to start" grep -qx OK "$work/monitor.txt"

# One connection per tenant's API process: redis-cli reads commands from standard input
# (double-quoted arguments take \xNN escapes, single-quoted ones are literal).
now() { python3 -c 'import datetime; print(datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"))'; }
# An unsigned JWT is enough here: the caller's tenant is read from the claims (unverified).
token() { printf 'eyJhbGciOiJIUzI1NiJ9.%s.c2ln' "$(printf '{"tenant_id":"%s","sub":"u-%s"}' "$1" "$1" | base64 -w0 | tr '+/' '-_' | tr -d '=')"; }
audit() {  # audit REQUEST_ID TENANT RESPONSE_TENANTS_JSON
    printf '{"ts":"%s","request_id":"%s","route":"/projects/:id","status":200,"host":"%s.example.com","headers":{"authorization":"Bearer %s"},"response":{"tenant_ids":%s}}\n' \
        "$(now)" "$1" "$2" "$(token "$2")" "$3" >>"$work/audit.log"
}

rcli >/dev/null <<'ACME'
CLIENT SETNAME request_id=req-acme-1
SET acme:project:1041 '{"tenant":"acme","name":"Apollo","budget":120000}'
GET acme:project:1041
HSET tenant:acme:invoice:7 total 1200 currency EUR
HGETALL tenant:acme:invoice:7
SET "acme:avatar:\xff\xd8\xff\xe0 \"raw\"" "\x89PNG\r\n\x1a\n"
GET "acme:avatar:\xff\xd8\xff\xe0 \"raw\""
SETEX t=acme|session|5f2b 300 '{"user":"ann"}'
SET plans:pro '{"price":49,"seats":10}'
GET plans:pro
SET project:1041 '{"tenant":"acme","name":"Apollo","budget":120000}'
EXPIRE project:1041 3600
ACME
audit req-acme-1 acme '["acme"]'

rcli >/dev/null <<'GLOBEX'
CLIENT SETNAME request_id=req-globex-1
SET globex:project:1041 '{"tenant":"globex","name":"Zeus"}'
GET globex:project:1041
HSET tenant:globex:invoice:7 total 80 currency USD
HMGET tenant:globex:invoice:7 total currency
MGET globex:project:1041 tenant:globex:invoice:7:pdf
GET plans:pro
GET project:1041
GLOBEX
# The API does not know the payload was acme's: its audit line lists no tenant.
audit req-globex-1 globex '[]'
rcli >/dev/null <<'GLOBEX2'
CLIENT SETNAME request_id=req-globex-2
GET globex:project:1041
GLOBEX2
audit req-globex-2 globex '["globex"]'

# A sentinel tells us MONITOR has written everything before it.
rcli ECHO end-of-scenario >/dev/null
wait_for "MONITOR to catch up" grep -q '"ECHO" "end-of-scenario"' "$work/monitor.txt"
kill "$MONITOR_PID"; wait "$MONITOR_PID" 2>/dev/null || true; MONITOR_PID=""
rcli SHUTDOWN NOSAVE >/dev/null 2>&1 || true
wait "$REDIS_PID" 2>/dev/null || true; REDIS_PID=""
e2e_ok "redis-server $(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p') on port $PORT: $(grep -c '^[0-9]' "$work/monitor.txt") commands captured"

if [ -n "${TW_REDIS_SAVE_CAPTURE:-}" ]; then
    cp "$work/monitor.txt" "$TW_REDIS_SAVE_CAPTURE"
    e2e_ok "capture saved to $TW_REDIS_SAVE_CAPTURE"
fi

find_tenantwatch

cat >"$work/tenantwatch.toml" <<'TOML'
[tenancy]
tenants = ["acme", "globex"]

[cache]
allowed = ["plans:*"]
TOML

rc=0
(cd "$work" && "$TENANTWATCH" scan --format ndjson --config tenantwatch.toml --redis monitor.txt) \
    >"$work/findings.ndjson" 2>"$work/scan.err" </dev/null || rc=$?
# unscoped_cache_key is medium; `--fail-on` defaults to high.
if [ "$rc" -eq 0 ]; then
    e2e_ok "scan exit status 0 (no finding at or above high)"
else
    e2e_fail "scan exit status $rc, expected 0; stderr: $(head -c 600 "$work/scan.err")"
fi

if python3 - "$work/findings.ndjson" <<'PY'; then :; else E2E_FAILS=$((E2E_FAILS + 1)); fi
import json, sys

failures = 0
def ok(msg): print(f"ok - {msg}")
def fail(msg):
    global failures
    failures += 1
    print(f"FAIL - {msg}")

findings = []
with open(sys.argv[1], encoding="utf-8") as f:
    for n, raw in enumerate(f, 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except ValueError as e:
            fail(f"line {n} is not JSON: {e}")
            continue
        if isinstance(obj, dict) and "kind" in obj:
            findings.append(obj)

cache = [f for f in findings if f.get("kind") == "unscoped_cache_key"]
if len(cache) == 1:
    ok("exactly one unscoped_cache_key finding")
else:
    fail(f"{len(cache)} unscoped_cache_key findings, expected 1: {[f.get('cache_key') for f in cache]}")

leak = next((f for f in cache if f.get("cache_key") == "project:1041"), None)
if leak is None:
    fail("the seed story (project:1041 shared by acme and globex) was not reported")
else:
    ok("seed story found: cache_key project:1041")
    if "project:{id}" in (leak.get("fingerprint") or "") + " " + (leak.get("message") or ""):
        ok("its key pattern is project:{id}")
    else:
        fail(f"pattern project:{{id}} not named: {leak.get('fingerprint')!r} / {leak.get('message')!r}")
    if leak.get("severity") == "medium":
        ok("severity medium")
    else:
        fail(f"severity {leak.get('severity')!r}, expected medium")
    evidence = leak.get("evidence") or []
    if evidence and all(isinstance(e, dict) and e.get("line") for e in evidence):
        ok(f"evidence points at monitor lines {[e['line'] for e in evidence]}")
    else:
        fail(f"no usable evidence: {evidence!r}")

controls = ["acme:", "globex:", "tenant:", "t=acme", "plans:"]
for f in cache:
    key = f.get("cache_key") or ""
    if any(key.startswith(c) for c in controls):
        fail(f"control flagged: {key!r}")
if not any((f.get("cache_key") or "").startswith(tuple(controls)) for f in cache):
    ok("no control flagged (tenant-scoped keys, the hash, the binary key, the allowed plans:pro)")

sys.exit(1 if failures else 0)
PY


# --- the poisoned read, with the audit log ---------------------------------------------------
rc=0
(cd "$work" && "$TENANTWATCH" scan --format ndjson --config tenantwatch.toml --redis monitor.txt --audit audit.log) \
    >"$work/findings-audit.ndjson" 2>"$work/scan-audit.err" </dev/null || rc=$?
if [ "$rc" -eq 1 ]; then
    e2e_ok "scan with the audit log exits 1 (a critical finding)"
else
    e2e_fail "scan with the audit log exited $rc, expected 1; stderr: $(head -c 600 "$work/scan-audit.err")"
fi
if python3 - "$work/findings-audit.ndjson" "$work/monitor.txt" <<'PY'; then :; else E2E_FAILS=$((E2E_FAILS + 1)); fi
import json, sys

failures = 0
def ok(msg): print(f"ok - {msg}")
def fail(msg):
    global failures
    failures += 1
    print(f"FAIL - {msg}")

findings = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
monitor = open(sys.argv[2], encoding="utf-8", errors="replace").read().split("\n")
def line_of(needle, after=0):
    for n, text in enumerate(monitor, 1):
        if n > after and needle in text:
            return n
    return None

responses = [f for f in findings if f["kind"] == "cross_tenant_response"]
if len(responses) == 1 and responses[0].get("request_id") == "req-globex-1":
    ok("one cross_tenant_response, for globex's request that read project:1041")
else:
    fail(f"cross_tenant_response findings: {[(f.get('request_id'), f.get('cache_key')) for f in responses]}")
for f in responses[:1]:
    if f.get("caller_tenant") == "globex" and f.get("accessed_tenants") == ["acme"] and f.get("cache_key") == "project:1041":
        ok("caller globex, exposed acme, cache_key project:1041")
    else:
        fail(f"wrong fields: {f.get('caller_tenant')!r} {f.get('accessed_tenants')!r} {f.get('cache_key')!r}")
    lines = {(e["source"].rsplit("/", 1)[-1], e["line"]) for e in f.get("evidence", [])}
    set_line = line_of('"SET" "project:1041"')
    get_line = line_of('"GET" "project:1041"', after=set_line or 0)
    want = {("audit.log", 1), ("audit.log", 2), ("monitor.txt", set_line), ("monitor.txt", get_line)}
    if want <= lines:
        ok(f"evidence is the chain: acme's request, SET (line {set_line}), globex's request, GET (line {get_line})")
    else:
        fail(f"evidence {sorted(lines)} lacks {sorted(want - lines)}")
    if "client name" in f.get("message", ""):
        ok("the message says how the cache commands were tied (client name)")
    else:
        fail(f"message does not say how it was tied: {f.get('message')!r}")
others = [f for f in findings if f.get("request_id") == "req-globex-2" or f.get("request_id") == "req-acme-1"]
if not others:
    ok("controls not flagged (acme's own reads, globex's own keys)")
else:
    fail(f"controls flagged: {[(f['kind'], f.get('request_id')) for f in others]}")
sys.exit(1 if failures else 0)
PY

if [ "$E2E_FAILS" -gt 0 ]; then exit 1; fi
