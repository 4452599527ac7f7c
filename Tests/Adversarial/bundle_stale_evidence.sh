#!/usr/bin/env bash
# Issue 15, "stale evidence": after audit.log is rotated and replaced by a file holding an
# unrelated customer's requests at the same line numbers, `export` quotes the text stored when the
# line was read, says the source has changed, and marks it not available (manifest
# `changed_since_read`) — never what now sits at that line. Unchanged, it is marked available.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/bundle.sh"
adv_setup bundle_stale_evidence
incident="$(adv_incident)"

tw export "$incident" --for-tenant initech --out "$work/before.zip" --store "$store" 2>/dev/null
changed="$(unzip -p "$work/before.zip" manifest.json | python3 -c 'import json,sys; print([(s["available"], s["changed_since_read"]) for s in json.load(sys.stdin)["sources"]])')"
[ "$changed" = "[(True, False)]" ] && e2e_ok "unchanged audit.log: available, not changed" || e2e_fail "before rotation: $changed"

# Rotation: audit.log moves away; a new audit.log holds someone else's requests.
mv "$work/audit.log" "$work/audit.log.1"
python3 - "$work/audit.log" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for n in range(1, 40):
        f.write(json.dumps({"ts": "2026-11-26T09:00:%02d.000Z" % (n % 60), "request_id": "other-%d" % n, "method": "POST",
                            "route": "/unrelated", "host": "initech.example.com", "status": 201,
                            "body": {"secret": "UNRELATED-CUSTOMER-DATA-%d" % n}}) + "\n")
PY
tw export "$incident" --for-tenant initech --out "$work/after.zip" --store "$store" 2>/dev/null
mkdir "$work/after" && (cd "$work/after" && unzip -q "$work/after.zip")
hits="$(grep -rl "UNRELATED-CUSTOMER-DATA\|other-" "$work/after" || true)"
[ -z "$hits" ] && e2e_ok "nothing of the replacement file is quoted" || e2e_fail "the new file's lines are quoted in $hits"
grep -q "req-0104" "$work/after/evidence/audit.log" && e2e_ok "the stored line (req-0104) is quoted" \
    || e2e_fail "the stored line is missing: $(cat "$work/after/evidence/audit.log")"
grep -q "has changed since tenantwatch read it" "$work/after/evidence/audit.log" && e2e_ok "the evidence says the source has changed" \
    || e2e_fail "no 'has changed' note"
state="$(python3 -c 'import json,sys; print([(s["available"], s["changed_since_read"], s["sha256"]) for s in json.load(open(sys.argv[1]))["sources"]])' "$work/after/manifest.json")"
[ "$state" = "[(False, True, None)]" ] && e2e_ok "manifest: available false, changed_since_read true, no hash of the new file" \
    || e2e_fail "manifest sources after rotation: $state"
tw verify "$work/after.zip" >/dev/null && e2e_ok "the bundle verifies" || e2e_fail "verify after rotation"
[ "$E2E_FAILS" -eq 0 ]
