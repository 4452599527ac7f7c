#!/usr/bin/env bash
# Issue 15, "verify passes forged content under a valid signature": a signed genuine bundle, then
# hostile variants made with Python's zipfile — a directory-mode entry without a trailing `/`
# (which unzip and extractall write out as a file), `..`, absolute, backslash, duplicate and
# case-duplicate names, a symlink, a stray directory, a missing file. For each: what the
# extractors would write is shown to be the attack, and `verify --public-key` exits 1 (TAMPERED)
# naming the entry. A genuine bundle re-zipped with its `evidence/` directory entry still verifies.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/bundle.sh"
adv_setup bundle_zip_entries
incident="$(adv_incident)"
tw keygen --out "$work/sign" >/dev/null
tw export "$incident" --for-tenant initech --out "$work/genuine.zip" --store "$store" --sign-key "$work/sign.key" 2>/dev/null
forge() { python3 "$ADV_LIB/zipforge.py" forge "$work/genuine.zip" "$work/$1.zip" "$1"; }

adv_verify "$work/genuine.zip" --public-key "$work/sign.pub"
[ "$vrc" -eq 0 ] && [[ "$vout" == *"signature valid"* ]] && e2e_ok "the genuine bundle verifies" || e2e_fail "genuine: $vrc $vout"

# The critical one: the forged report.md is what extractall leaves on disk.
forge dirmode-report
rm -rf "$work/x" && python3 "$ADV_LIB/zipforge.py" extract "$work/dirmode-report.zip" "$work/x" >/dev/null
grep -q forged "$work/x/report.md" && e2e_ok "extractall of the dirmode-report zip writes the forged report.md (the attack is real)" \
    || e2e_fail "extractall did not write the forged report.md: the test no longer shows the attack"
rm -rf "$work/u" && mkdir "$work/u" && (cd "$work/u" && unzip -qo "$work/dirmode-report.zip" >/dev/null 2>&1 || true)
grep -q forged "$work/u/report.md" 2>/dev/null && e2e_ok "unzip -o writes the forged report.md too" \
    || echo "  (unzip did not write the forged report.md here)"

for case in dirmode-report dirmode-replace dirmode-injected dotdot evidence-dotdot absolute backslash duplicate case-duplicate symlink stray-directory missing; do
    [ -f "$work/$case.zip" ] || forge "$case"
    for key in "--public-key $work/sign.pub" ""; do
        # shellcheck disable=SC2086
        adv_verify "$work/$case.zip" $key
        if [ "$vrc" -eq 1 ] && [[ "$vout" == *TAMPERED* ]] && [[ "$vout" != *intact* ]]; then
            e2e_ok "$case${key:+ (with the key)}: TAMPERED, exit 1 — ${vout#*TAMPERED: }"
        else
            e2e_fail "$case${key:+ (with the key)}: exit $vrc: $vout"
        fi
    done
done

forge with-directory
adv_verify "$work/with-directory.zip" --public-key "$work/sign.pub"
[ "$vrc" -eq 0 ] && e2e_ok "a genuine bundle with its evidence/ directory entry still verifies" || e2e_fail "with-directory: $vrc $vout"

# Data before the archive (extractors shift every offset for it) and after the end record.
{ head -c 64 /dev/urandom; cat "$work/genuine.zip"; } >"$work/prefixed.zip"
{ cat "$work/genuine.zip"; printf 'trailing'; } >"$work/trailing.zip"
for z in prefixed trailing; do
    adv_verify "$work/$z.zip" --public-key "$work/sign.pub"
    [ "$vrc" -eq 1 ] && [[ "$vout" == *TAMPERED* ]] && e2e_ok "$z data: TAMPERED — ${vout#*TAMPERED: }" || e2e_fail "$z: $vrc $vout"
done

[ "$E2E_FAILS" -eq 0 ]
