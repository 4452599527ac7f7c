#!/usr/bin/env bash
# Issue 15, "the store holds 16 full bearer tokens, created 0644": a scan under umask 022 creates
# .tenantwatch/ 0700 and the store (and any -wal/-shm) 0600; no JWT is stored whole — each is a
# hash plus its claims; an older store (0644, a whole token in a quoted line) is tightened when
# opened, and `incidents show`/`--format json` print its token masked.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/bundle.sh"
ADV_NO_SCAN=1 adv_setup secrets_store
command -v sqlite3 >/dev/null || { e2e_fail "sqlite3 is missing"; exit 1; }
jwt_re='eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+'
tokens_in_logs="$(grep -oE "$jwt_re" "$work/audit.log" | sort -u | wc -l)"

rc=0
(umask 022 && cd "$work" && "$TENANTWATCH" scan --format ndjson --store .tenantwatch/incidents.sqlite >/dev/null 2>"$work/scan.err") || rc=$?
[ "$rc" -eq 1 ] || { e2e_fail "scan: exit $rc"; exit 1; }
db="$work/.tenantwatch/incidents.sqlite"
[ "$(stat -c %a "$work/.tenantwatch")" = 700 ] && e2e_ok ".tenantwatch/ is 0700" || e2e_fail ".tenantwatch/ is $(stat -c %a "$work/.tenantwatch")"
for f in "$db" "$db-wal" "$db-shm"; do
    [ -e "$f" ] || continue
    [ "$(stat -c %a "$f")" = 600 ] && e2e_ok "$(basename "$f") is 0600" || e2e_fail "$(basename "$f") is $(stat -c %a "$f")"
done
whole="$(sqlite3 "$db" .dump | { grep -oE "$jwt_re" || true; } | sort -u | wc -l)"
hashed="$(sqlite3 "$db" .dump | { grep -oE '\[jwt sha256:[0-9a-f]{16} [^]]*tenant_id=[a-z]+' || true; } | sort -u | wc -l)"
[ "$whole" -eq 0 ] && [ "$hashed" -gt 0 ] && e2e_ok "the store holds no whole JWT ($tokens_in_logs in the logs), $hashed as hash + claims" \
    || e2e_fail "the store holds $whole whole JWTs, $hashed hashed"

# An older store: group/world-readable, with a whole token in a quoted line.
token="$(grep -oE "$jwt_re" "$work/audit.log" | head -1)"
sqlite3 "$db" "UPDATE timeline_event SET raw = '{\"authorization\":\"Bearer $token\"}' WHERE rowid = (SELECT min(rowid) FROM timeline_event)"
chmod 0644 "$db"
out="$(tw incidents --store "$db" --format json)"
[ "$(stat -c %a "$db")" = 600 ] && e2e_ok "an older 0644 store is tightened to 0600 when opened" || e2e_fail "older store left $(stat -c %a "$db")"
shown=""
for id in $(echo "$out" | python3 -c 'import json,sys; print(" ".join(i["id"] for i in json.load(sys.stdin)))'); do
    shown+="$(tw incidents show "$id" --store "$db")$(tw incidents show "$id" --store "$db" --format json 2>/dev/null || true)"
done
leaked="$(echo "$shown" | { grep -oE "$jwt_re" || true; } | wc -l)"
[ "$leaked" -eq 0 ] && [[ "$shown" == *"Bearer [masked]"* || "$shown" == *"[JWT masked]"* ]] \
    && e2e_ok "incidents show (text and json) prints the older store's token masked" || e2e_fail "incidents show prints $leaked whole tokens"
[ "$E2E_FAILS" -eq 0 ]
