#!/usr/bin/env bash
# Issue 15, "identity and secrets": claim names are matched exactly (`TENANT_ID` is not
# `tenant_id`), and a tenant claim given as an array or object, a claim key given twice, `exp` as
# a string, or an expired token on an audit line without a readable time are each reported as an
# ambiguity (an `unsigned_token` finding saying why) — never read as a verified tenant. Tokens are
# real HS256 JWTs signed with the configured secret.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/bundle.sh"
ADV_NO_SCAN=1 adv_setup secrets_claims
secret="claims-test-hs256-secret-0123456789abcdef"
cat >"$work/claims.toml" <<TOML
[tenancy]
tenants = ["acme", "globex", "initech"]
[identity]
claim = "tenant_id"
host = "{tenant}.example.com"
jwt_secret = "$secret"
[[source]]
kind = "audit"
path = "claims-audit.log"
TOML
python3 - "$work/claims-audit.log" "$secret" <<'PY'
import base64, hashlib, hmac, json, sys
path, secret = sys.argv[1], sys.argv[2].encode()
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def token(payload_text):
    head = b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(payload_text.encode())
    return head + "." + b64(hmac.new(secret, head.encode(), hashlib.sha256).digest())
exp = 1795571648   # 2026-11-25T01:54Z, after the lines' time
cases = [
    ("upper", '{"sub":"u1","TENANT_ID":"globex","exp":%d}' % exp, True),
    ("array", '{"sub":"u2","tenant_id":["acme","globex"],"exp":%d}' % exp, True),
    ("object", '{"sub":"u3","tenant_id":{"id":"globex"},"exp":%d}' % exp, True),
    ("duplicate", '{"sub":"u4","tenant_id":"acme","tenant_id":"globex","exp":%d}' % exp, True),
    ("exp-string", '{"sub":"u5","tenant_id":"globex","exp":"%d"}' % exp, True),
    ("untimed-expired", '{"sub":"u6","tenant_id":"globex","exp":1000000000}', False),
    ("good", '{"sub":"u7","tenant_id":"globex","exp":%d}' % exp, True),
]
with open(path, "w") as f:
    for n, (name, payload, timed) in enumerate(cases):
        line = {"request_id": "req-" + name, "method": "GET", "route": "/orders", "host": "globex.example.com",
                "headers": {"authorization": "Bearer " + token(payload)}, "status": 200,
                "response": {"tenant_ids": ["globex"], "items": 1}}
        if timed:
            line["ts"] = "2026-11-25T00:54:%02d.000Z" % (10 + n)
        f.write(json.dumps(line) + "\n")
PY
rc=0
tw scan --config claims.toml --format ndjson >"$work/scan.ndjson" 2>"$work/scan.err" || rc=$?
python3 - "$work/scan.ndjson" <<'PY' && e2e_ok "every ambiguous token is reported, the good one is not" || e2e_fail "findings: $(cat "$work/scan.ndjson" | head -c 1500)"
import json, sys
found = {}
for l in open(sys.argv[1]):
    f = json.loads(l)
    if f["kind"] == "unsigned_token":
        found[f.get("request_id")] = f["message"]
for name, why in [("upper", "TENANT_ID"), ("array", "array"), ("object", "object"), ("duplicate", "2 times"),
                  ("exp-string", "string"), ("untimed-expired", "no readable time")]:
    m = found.get("req-" + name)
    assert m and "ambiguous" in m and why in m, (name, m)
    print("  req-%s: %s" % (name, m))
assert "req-good" not in found, found["req-good"]
PY
python3 - "$work/scan.ndjson" <<'PY' && e2e_ok "no finding takes an ambiguous token's tenant as the verified caller" || e2e_fail "an ambiguous token was trusted"
import json, sys
for l in open(sys.argv[1]):
    f = json.loads(l)
    if f.get("request_id") not in (None, "req-good"):
        assert f.get("caller_tenant") is None, f
PY
[ "$E2E_FAILS" -eq 0 ]
