#!/usr/bin/env bash
# A full disk: the store and the export target on a small tmpfs that a filler file fills.
# - scan --store while full: one line naming the store and "no space left", a non-zero exit, and
#   the store intact (PRAGMA integrity_check, `incidents` after freeing space, the findings
#   committed before the fill all there, none of the failed batch);
# - export while full: one line naming the bundle and "no space left", exit 1, nothing at the
#   target path and no temporary file or staging directory left beside it;
# - after freeing space both work again (and the bundle verifies).
# Needs a tmpfs: mounted directly as root, else inside `unshare --user --map-root-user --mount`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
find_tenantwatch

work="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-full.XXXXXX")"
disk="$work/disk"
mkdir -p "$disk"
if [ -z "${TW_FULL_DISK_NS:-}" ]; then
    if ! mount -t tmpfs -o size=3m tmpfs "$disk" 2>/dev/null; then
        rmdir "$disk"; rm -rf "$work"
        if unshare --user --map-root-user --mount true 2>/dev/null; then
            exec env TW_FULL_DISK_NS=1 unshare --user --map-root-user --mount bash "$0" "$@"
        fi
        echo "FAIL - cannot mount a tmpfs: not root, and unprivileged user namespaces are not allowed (unshare --user --map-root-user --mount)"
        exit 1
    fi
else
    mount -t tmpfs -o size=3m tmpfs "$disk" || { echo "FAIL - cannot mount a tmpfs even in a user namespace"; exit 1; }
fi
cleanup() {
    umount "$disk" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cp -r "$REPO_ROOT/sample-logs" "$work/logs"
store="$disk/state.sqlite"
fill() { dd if=/dev/zero of="$disk/filler" bs=16k 2>/dev/null || true; sync; }
count_findings() {
    python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM finding').fetchone()[0])" "$store"
}
integrity() {
    python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])" "$store"
}

# --- the store ---------------------------------------------------------------------------------
(cd "$work/logs" && "$TENANTWATCH" scan --store "$store" --format ndjson >"$work/first.ndjson" 2>"$work/first.err") || true
before="$(count_findings)"
[ "$before" -gt 0 ] && e2e_ok "findings committed before the fill: $before" || e2e_fail "nothing stored by the first scan"

# A bigger log with many new findings, scanned while the disk is full.
python3 "$REPO_ROOT/scripts/gen-bench-log.py" --lines 30000 --seed 5 --out "$work/big.log" 2>/dev/null
fill
set +e
(cd "$work/logs" && "$TENANTWATCH" scan --config tenantwatch.toml --postgres "$work/big.log" --store "$store" \
    --format ndjson >"$work/full.ndjson" 2>"$work/full.err")
code=$?
set -e
err="$(grep -v '^[0-9]* lines, ' "$work/full.err" || true)"
[ "$code" -ne 0 ] && [ "$code" -ne 1 ] && e2e_ok "scan --store on a full disk exits $code" || e2e_fail "scan --store on a full disk exits $code"
if [ "$(wc -l <<<"$err")" = 1 ] && grep -qF "$store" <<<"$err" && grep -qi "no space left" <<<"$err"; then
    e2e_ok "one line naming the store and the cause: $err"
else
    e2e_fail "error on a full disk: $(cat "$work/full.err")"
fi
rm -f "$disk/filler"
[ "$(integrity)" = ok ] && e2e_ok "PRAGMA integrity_check: ok after the failed write" || e2e_fail "integrity_check: $(integrity)"
if "$TENANTWATCH" incidents --store "$store" --format json >"$work/incidents.json" 2>"$work/incidents.err"; then
    e2e_ok "incidents opens the store after space is freed ($(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/incidents.json") incidents)"
else
    e2e_fail "incidents after the fill: $(cat "$work/incidents.err")"
fi
[ "$(count_findings)" = "$before" ] && e2e_ok "the findings committed before the fill are all there, none of the failed batch" \
    || e2e_fail "findings after the failed write: $(count_findings), before: $before"
(cd "$work/logs" && "$TENANTWATCH" scan --config tenantwatch.toml --postgres "$work/big.log" --store "$store" \
    --format ndjson >/dev/null 2>"$work/again.err") || [ $? = 1 ] || e2e_fail "scan after freeing space: $(cat "$work/again.err")"
[ "$(count_findings)" -gt "$before" ] && e2e_ok "with space again, the same scan is stored ($(count_findings) findings)" \
    || e2e_fail "nothing stored after freeing space"

# --- export ------------------------------------------------------------------------------------
# The store on a disk with room, the bundle on the full one: the zip itself meets the full disk.
cp "$store" "$work/export.sqlite"
store="$work/export.sqlite"
incident="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' "$work/incidents.json")"
tenant="$(python3 -c 'import json,sys; i=json.load(open(sys.argv[1]))[0]; print((i.get("exposed_tenants") or [i.get("caller_tenant")])[0])' "$work/incidents.json")"
fill
set +e
(cd "$work/logs" && "$TENANTWATCH" export "$incident" --for-tenant "$tenant" --out "$disk/bundle.zip" --store "$store" \
    >/dev/null 2>"$work/export.err")
code=$?
set -e
[ "$code" = 1 ] && e2e_ok "export on a full disk exits 1" || e2e_fail "export on a full disk exits $code: $(cat "$work/export.err")"
if [ "$(wc -l <"$work/export.err")" = 1 ] && grep -qF "$disk/bundle.zip" "$work/export.err" && grep -qi "no space left" "$work/export.err"; then
    e2e_ok "one line naming the bundle and the cause: $(cat "$work/export.err")"
else
    e2e_fail "export error on a full disk: $(cat "$work/export.err")"
fi
leftovers="$(ls -A "$disk" | grep -v -e '^filler$' -e '^state\.sqlite' || true)"
[ -z "$leftovers" ] && e2e_ok "no bundle, temporary zip or staging directory left on the full disk" \
    || e2e_fail "left on the full disk: $leftovers"
rm -f "$disk/filler"
(cd "$work/logs" && "$TENANTWATCH" export "$incident" --for-tenant "$tenant" --out "$disk/bundle.zip" --store "$store" \
    >/dev/null 2>"$work/export2.err") || e2e_fail "export after freeing space: $(cat "$work/export2.err")"
"$TENANTWATCH" verify "$disk/bundle.zip" >/dev/null 2>&1 && e2e_ok "with space again the export is written and verifies" \
    || e2e_fail "the bundle written after freeing space does not verify"

if [ "$E2E_FAILS" -gt 0 ]; then exit 1; fi
