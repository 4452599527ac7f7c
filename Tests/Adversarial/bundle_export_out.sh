#!/usr/bin/env bash
# Issue 15, "export --out overwrites anything": an existing target is refused (exit 2, untouched)
# unless --force; the open store (by any name: itself, a symlink, a hard link, its -wal), the
# signing key, the config and any other SQLite store are refused even with --force — every
# incident and note is still there afterwards.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/bundle.sh"
adv_setup bundle_export_out
incident="$(adv_incident)"
tw keygen --out "$work/sign" >/dev/null
tw incidents note "$incident" "a note that must survive" --store "$store" --author ana >/dev/null
before="$(sha256sum <"$work/sign.key")"
count_before="$(tw incidents --store "$store" --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"

export_to() {  # TARGET [--force]
    erc=0
    eout="$(tw export "$incident" --for-tenant initech --out "$1" --store "$store" --sign-key "$work/sign.key" "${@:2}" 2>&1)" || erc=$?
}

echo "precious" >"$work/existing.zip"
export_to "$work/existing.zip"
[ "$erc" -eq 2 ] && [ "$(cat "$work/existing.zip")" = precious ] && [[ "$eout" == *"--force"* ]] \
    && e2e_ok "an existing file is refused (exit 2, untouched): $eout" || e2e_fail "existing file: exit $erc: $eout"
export_to "$work/existing.zip" --force
[ "$erc" -eq 0 ] && tw verify "$work/existing.zip" >/dev/null && e2e_ok "--force replaces it with a bundle that verifies" \
    || e2e_fail "--force: exit $erc: $eout"

ln -s "$store" "$work/store-link.zip"
ln "$store" "$work/store-hardlink.zip"
tw scan --store "$work/other.sqlite" --format ndjson >/dev/null 2>&1 || true
for target in "$store" "state/incidents.sqlite" "$work/state/./incidents.sqlite" "$work/store-link.zip" "$work/store-hardlink.zip" \
              "$store-wal" "$work/sign.key" "$work/sign.pub" "$work/tenantwatch.toml" "$work/other.sqlite"; do
    [ -e "$target" ] || [ -e "$work/$target" ] || continue
    export_to "$target" --force
    [ "$erc" -eq 2 ] && [[ "$eout" == *"never overwritten"* ]] && e2e_ok "--out $(basename "$target") --force refused: ${eout#*: }" \
        || e2e_fail "--out $target --force: exit $erc: $eout"
done
[ "$(sha256sum <"$work/sign.key")" = "$before" ] && e2e_ok "the signing key is unchanged" || e2e_fail "the signing key changed"
count_after="$(tw incidents --store "$store" --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
notes="$(tw incidents show "$incident" --store "$store")"
[ "$count_after" = "$count_before" ] && [[ "$notes" == *"a note that must survive"* ]] \
    && e2e_ok "the store still holds its $count_after incidents and the note" || e2e_fail "store after: $count_after incidents (was $count_before)"
[ "$E2E_FAILS" -eq 0 ]
