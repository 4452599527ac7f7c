#!/usr/bin/env bash
# Issue 15: a bundle without manifest.sig is "not signed" — never "intact" as if vouched for, and
# never "TAMPERED" when nothing was changed. A signed bundle stripped of its signature is
# tampered (its manifest says it was signed).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/bundle.sh"
adv_setup bundle_not_signed
incident="$(adv_incident)"
tw keygen --out "$work/sign" >/dev/null
tw export "$incident" --for-tenant initech --out "$work/unsigned.zip" --store "$store" 2>/dev/null
tw export "$incident" --for-tenant initech --out "$work/signed.zip" --store "$store" --sign-key "$work/sign.key" 2>/dev/null

adv_verify "$work/unsigned.zip"
[ "$vrc" -eq 0 ] && [[ "$vout" == *"not signed"* ]] && [[ "$vout" != *intact* ]] && [[ "$vout" != *TAMPERED* ]] \
    && e2e_ok "unsigned, no key: 'not signed', exit 0 ($vout)" || e2e_fail "unsigned, no key: exit $vrc: $vout"
adv_verify "$work/unsigned.zip" --public-key "$work/sign.pub"
[ "$vrc" -eq 1 ] && [[ "$vout" == *"NOT SIGNED"* ]] && [[ "$vout" != *TAMPERED* ]] \
    && e2e_ok "unsigned, with a key: 'NOT SIGNED', exit 1, not TAMPERED" || e2e_fail "unsigned, with a key: exit $vrc: $vout"

python3 "$ADV_LIB/zipforge.py" forge "$work/signed.zip" "$work/stripped.zip" unsigned
for key in "--public-key $work/sign.pub" ""; do
    # shellcheck disable=SC2086
    adv_verify "$work/stripped.zip" $key
    [ "$vrc" -eq 1 ] && [[ "$vout" == *TAMPERED*"manifest.sig has been removed"* ]] \
        && e2e_ok "signed then stripped${key:+ (with the key)}: TAMPERED, signature removed" \
        || e2e_fail "stripped${key:+ (with the key)}: exit $vrc: $vout"
done

adv_verify "$work/signed.zip"
[ "$vrc" -eq 0 ] && [[ "$vout" == *"not checked"* ]] && e2e_ok "signed, no key: intact, signature present but not checked" \
    || e2e_fail "signed, no key: exit $vrc: $vout"
adv_verify "$work/signed.zip" --public-key "$work/sign.pub"
[ "$vrc" -eq 0 ] && [[ "$vout" == *"signature valid"* ]] && e2e_ok "signed, with the key: signature valid" \
    || e2e_fail "signed, with the key: exit $vrc: $vout"
[ "$E2E_FAILS" -eq 0 ]
