#!/usr/bin/env bash
# Issue 15, "verify of a 3 MB zip whose manifest.json inflates to 3 GiB peaks at 6.3 GB": what
# verify inflates is capped — manifest.json (16 MiB), manifest.sig (1 KiB), and each listed file
# at the size the manifest gives it, even when the zip's headers lie about the size. Each bomb
# fails with a message (exit 1) within a small, measured peak RSS.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/bundle.sh"
adv_setup bundle_inflate_caps
incident="$(adv_incident)"
tw keygen --out "$work/sign" >/dev/null
tw export "$incident" --for-tenant initech --out "$work/genuine.zip" --store "$store" --sign-key "$work/sign.key" 2>/dev/null

# bomb NAME ZIP-MAKER: builds $work/NAME.zip with Python, runs verify under /usr/bin/time.
limit_kb=$((200 * 1024))
bomb() {
    local name="$1" rc=0
    python3 - "$work/genuine.zip" "$work/$name.zip" "$name" <<'PY'
import sys, zipfile, zlib
src, dst, name = sys.argv[1:4]
MiB = 1 << 20
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
    for i in zin.infolist():
        data = zin.read(i.filename)
        big = (name in ("manifest-bomb", "manifest-lying") and i.filename == "manifest.json") or \
              (name == "signature-bomb" and i.filename == "manifest.sig") or \
              (name == "lying-size" and i.filename == "report.md")
        if not big:
            zout.writestr(i, data)
            continue
        total = 512 * MiB if name != "signature-bomb" else 64 * MiB
        zi = zipfile.ZipInfo(i.filename, date_time=(2026, 11, 25, 0, 0, 0))
        zi.compress_type = zipfile.ZIP_DEFLATED
        with zout.open(zi, "w") as w:
            chunk = b" " * MiB
            for _ in range(total // MiB):
                w.write(chunk)
PY
    if [ "$name" = manifest-lying ]; then
        # The headers say manifest.json is 4 KiB; it inflates to 512 MiB.
        python3 "$ADV_LIB/zipforge.py" patch-size "$work/$name.zip" manifest.json 4096
    fi
    if [ "$name" = lying-size ]; then
        # The headers say report.md has the size the manifest gives it; its data inflates to 512 MiB.
        size="$(unzip -p "$work/genuine.zip" manifest.json | python3 -c 'import json,sys; print([f["size"] for f in json.load(sys.stdin)["files"] if f["path"]=="report.md"][0])')"
        python3 "$ADV_LIB/zipforge.py" patch-size "$work/$name.zip" report.md "$size"
    fi
    vrc=0
    /usr/bin/time -f '%M' -o "$work/$name.rss" "$TENANTWATCH" verify "$work/$name.zip" --public-key "$work/sign.pub" \
        >"$work/$name.out" 2>&1 || vrc=$?
    vout="$(cat "$work/$name.out")"
    rss="$(tail -1 "$work/$name.rss")"
}

for name in manifest-bomb manifest-lying signature-bomb lying-size; do
    bomb "$name"
    zip_size="$(stat -c %s "$work/$name.zip")"
    if [ "$vrc" -eq 1 ] && [[ "$vout" == *TAMPERED* ]] && [ "$rss" -lt "$limit_kb" ]; then
        e2e_ok "$name ($((zip_size / 1024)) KiB zip): exit 1, peak RSS $((rss / 1024)) MiB — ${vout#*TAMPERED: }"
    else
        e2e_fail "$name: exit $vrc, peak RSS ${rss} KiB (limit $limit_kb): $vout"
    fi
done

[ "$E2E_FAILS" -eq 0 ]
