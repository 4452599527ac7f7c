#!/usr/bin/env bash
# Issue 15, "another tenant's data in a customer's bundle":
# - row data in SQL literals that span lines, use a backslash escape (E'CEO\'s salary … SSN …')
#   or dollar quotes ($q$…$q$) is cut (PostgreSQL's own lexer finds the literals);
# - another tenant's audit line keeps only the allow-list (route, status, time, pseudonymised
#   tenant): no client IP, email, company, salary, phone, base64 cursor; the customer's own line
#   loses a base64 cursor that decodes to another tenant;
# - pseudonyms are not given in alphabetical order (16 fresh stores: tenant-1 is not always the
#   same tenant).
# The sample logs are changed the way the real ones would carry such data (PostgreSQL tab-indents
# a statement's continuation lines, a literal's newline included).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/bundle.sh"
ADV_NO_SCAN=1 adv_setup bundle_pseudonymise

python3 - "$work" <<'PY'
import json, sys, base64
work = sys.argv[1]
p = work + "/postgresql.log"
text = open(p).read()
old = "\t   AND status <> 'open'\n"
assert old in text
text = text.replace(old, old
    + "\t   AND note <> E'CEO\\'s salary 250000, SSN 078-05-1120'\n"
    + "\t   AND memo <> 'multi-line: phone +1 555 0100\n\t078-05-1120 it''s globex''s'\n"
    + "\t   AND body <> $q$dollar SSN 078-05-1120 it's globex's$q$\n", 1)
open(p, "w").write(text)
a = work + "/audit.log"
lines = open(a).read().split("\n")
o = json.loads(lines[3])            # req-0104: initech's request that got globex's order
o.update({"client_ip": "198.51.100.77", "user": "ceo@initech.example", "company": "Initech LLC",
          "salary": 250000, "phone": "+1 555 0199",
          "cursor": base64.b64encode(b"tenant=initech&after=9").decode(),
          "next": base64.urlsafe_b64encode(b"tenant=globex&after=3").decode().rstrip("=")})
lines[3] = json.dumps(o, separators=(",", ":"))
open(a, "w").write("\n".join(lines))
PY
rc=0; tw scan --format ndjson --store "$store" >"$work/scan.ndjson" 2>"$work/scan.err" || rc=$?
[ "$rc" -eq 1 ] || { e2e_fail "scan: exit $rc $(head -c 300 "$work/scan.err")"; exit 1; }
cp "$store" "$work/pristine.sqlite"   # before any export: no pseudonym assigned yet

# The report-worker statement (acme and globex): exported for acme, globex's literals go.
query_incident="$(tw incidents --store "$store" --format json | python3 -c '
import json, sys
for i in json.load(sys.stdin):
    if "cross_tenant_query" in i["kinds"] and "globex" in i["exposed_tenants"]: print(i["id"]); break')"
[ -n "$query_incident" ] || { e2e_fail "no cross_tenant_query incident"; exit 1; }
tw export "$query_incident" --for-tenant acme --out "$work/acme.zip" --store "$store" 2>/dev/null
mkdir "$work/acme" && (cd "$work/acme" && unzip -q "$work/acme.zip")
grep -q "FROM orders" "$work/acme/evidence/postgresql.log" && e2e_ok "the statement is quoted in acme's evidence" \
    || e2e_fail "the statement is not in the evidence"
for secret in 078-05-1120 250000 "555 0100" CEO "dollar SSN" globex; do
    hits="$(grep -ril -- "$secret" "$work/acme" || true)"
    [ -z "$hits" ] && e2e_ok "acme's bundle: '$secret' nowhere" || e2e_fail "acme's bundle: '$secret' in $hits: $(grep -rih -- "$secret" "$work/acme" | head -2)"
done
lines_in="$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print([s["line_ranges"] for s in m["sources"] if s["name"]=="postgresql.log"][0])' "$work/acme/manifest.json")"
e2e_ok "postgresql.log lines quoted: $lines_in"

# The cache leak (initech got globex's order): exported for globex, initech's request keeps only the allow-list.
incident="$(adv_incident)"
tw export "$incident" --for-tenant globex --out "$work/globex.zip" --store "$store" 2>/dev/null
mkdir "$work/globex" && (cd "$work/globex" && unzip -q "$work/globex.zip")
line="$(grep -h '/orders/:id' "$work/globex/evidence/audit.log" | head -1)"
[ -n "$line" ] && e2e_ok "initech's request is quoted for globex: ${line:0:160}" || e2e_fail "initech's request not quoted"
for secret in 198.51.100.77 ceo@ "Initech LLC" 250000 "555 0199" dGVuYW50 initech user-agent; do
    hits="$(grep -ril -- "$secret" "$work/globex" || true)"
    [ -z "$hits" ] && e2e_ok "globex's bundle: '$secret' nowhere" || e2e_fail "globex's bundle: '$secret' in $hits"
done
python3 - "$line" <<'PY' && e2e_ok "the audit line keeps route, status, time and the pseudonymised tenants only" || e2e_fail "allow-list: $line"
import json, sys
o = json.loads(sys.argv[1].split("\t", 1)[1])
assert set(o) <= {"ts", "method", "route", "status", "response", "tenantwatch_redaction"}, o
assert o["route"] == "/orders/:id" and o["status"] == 200 and o["ts"]
assert set(o["response"]) == {"tenant_ids"} and "globex" in o["response"]["tenant_ids"], o
PY

# initech's own request keeps its own data, but not globex hidden in its base64 `next` cursor.
tw export "$incident" --for-tenant initech --out "$work/initech.zip" --store "$store" 2>/dev/null
mkdir "$work/initech" && (cd "$work/initech" && unzip -q "$work/initech.zip")
next="$(python3 -c 'import base64; print(base64.urlsafe_b64encode(b"tenant=globex&after=3").decode().rstrip("="))')"
hits="$(grep -rl -- "$next" "$work/initech" || true)"
[ -z "$hits" ] && grep -q "encoded data of another tenant removed" "$work/initech/evidence/audit.log" \
    && e2e_ok "initech's bundle: the base64 cursor naming globex is removed" || e2e_fail "initech's bundle: cursor in ${hits:-?}"

# Pseudonyms: 16 fresh copies of the store, one acme bundle each; who is tenant-1 varies.
firsts=""
for n in $(seq 1 16); do
    cp "$work/pristine.sqlite" "$work/copy.sqlite"
    rm -f "$work/copy.sqlite-wal" "$work/copy.sqlite-shm" "$work/p.zip"
    tw export "$query_incident" --for-tenant acme --out "$work/p.zip" --store "$work/copy.sqlite" 2>/dev/null
    first="$(python3 - "$work/copy.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT tenant FROM bundle_pseudonym WHERE for_tenant = 'acme' AND pseudonym = 'tenant-1'").fetchone()[0])
PY
)"
    firsts="$firsts $first"
done
distinct="$(echo "$firsts" | tr ' ' '\n' | sed '/^$/d' | sort -u | wc -l)"
[ "$distinct" -gt 1 ] && e2e_ok "tenant-1 was$(echo "$firsts" | tr ' ' '\n' | sed '/^$/d' | sort | uniq -c | tr -s ' \n' ' ') over 16 fresh stores: not alphabetical" \
    || e2e_fail "tenant-1 was always $firsts"
[ "$E2E_FAILS" -eq 0 ]
