#!/usr/bin/env bash
# `export` / `verify` / `keygen` on a store built by scanning the sample logs: the incident where
# initech got globex's order (req-0104) exported for initech and for globex, signed; every hash
# checked with sha256sum, the signature with openssl, no other tenant's id anywhere in the
# unzipped bundle, a one-byte change caught by verify (exit 1), acme refused (exit 2).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

find_tenantwatch
for tool in unzip openssl sha256sum python3; do
    command -v "$tool" >/dev/null || { e2e_fail "$tool is missing (bash scripts/deps.sh test installs it)"; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-export.XXXXXX")"
trap 'e2e_drop_work export_bundle "$work"' EXIT
cp "$REPO_ROOT"/sample-logs/{postgresql.log,audit.log,redis-monitor.txt,schema.sql,tenantwatch.toml} "$work/"
store="$work/state/incidents.sqlite"
tw() { (cd "$work" && "$TENANTWATCH" "$@"); }

rc=0
tw scan --format ndjson --store "$store" >"$work/scan.ndjson" 2>"$work/scan.err" </dev/null || rc=$?
[ "$rc" -eq 1 ] || e2e_fail "scan exit status $rc, expected 1: $(head -c 400 "$work/scan.err")"

incident="$(tw incidents --store "$store" --format json | python3 -c '
import json, sys
for i in json.load(sys.stdin):
    if i["kinds"] == ["cross_tenant_response"] and i["caller_tenant"] == "initech" and i["exposed_tenants"] == ["globex"]:
        print(i["id"]); break')"
[ -n "$incident" ] && e2e_ok "the cross_tenant_response incident initech -> globex is $incident" \
    || { e2e_fail "no cross_tenant_response incident initech -> globex"; exit 1; }
out="$(tw incidents note "$incident" "measures: order cache keyed by tenant; globex informed" --customer-visible \
    --store "$store" --author ana)"
[ "$out" = "$incident: customer-visible note added" ] || e2e_fail "note --customer-visible said: $out"
# Internal: a note (the default) and the state note of an acknowledge, by an author no bundle may name.
tw incidents ack "$incident" --store "$store" --author zoltan-oncall >/dev/null
out="$(tw incidents note "$incident" "measures: suspect the friday deploy 7f3a" --store "$store" --author zoltan-oncall)"
[ "$out" = "$incident: internal note added" ] || e2e_fail "note without a flag said: $out"
shown="$(tw incidents show "$incident" --store "$store")"
[[ "$shown" == *"[customer-visible] ana: measures: order cache"* && "$shown" == *"[internal] zoltan-oncall: measures: suspect"* ]] \
    && e2e_ok "incidents show marks the customer-visible and the internal note" || e2e_fail "show: $shown"

tw keygen --out "$work/sign" >/dev/null
[ -f "$work/sign.key" ] && [ -f "$work/sign.pub" ] && [ "$(stat -c %a "$work/sign.key")" = 600 ] \
    && e2e_ok "keygen wrote sign.key (0600) and sign.pub" || e2e_fail "keygen files"
rc=0; tw keygen --out "$work/sign" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] && e2e_ok "keygen refuses to overwrite (exit 2)" || e2e_fail "keygen over existing files: exit $rc"

check_bundle() {
    local tenant="$1" others="$2" zip="$work/$1.zip" dir="$work/$1"
    local rc=0
    tw export "$incident" --for-tenant "$tenant" --out "$zip" --store "$store" --sign-key "$work/sign.key" \
        2>"$work/$tenant.err" || rc=$?
    [ "$rc" -eq 0 ] && [ -f "$zip" ] || { e2e_fail "export for $tenant: exit $rc, $(cat "$work/$tenant.err")"; return; }
    e2e_ok "export for $tenant wrote $(basename "$zip")"
    mkdir -p "$dir" && (cd "$dir" && unzip -q "$zip")
    local f
    for f in manifest.json manifest.sig incident.json timeline.ndjson report.md report.html art33.json; do
        [ -f "$dir/$f" ] || e2e_fail "$tenant bundle lacks $f"
    done
    ls "$dir"/evidence/* >/dev/null 2>&1 || e2e_fail "$tenant bundle has no evidence/"
    # The hashes, checked by sha256sum from the manifest (not by tenantwatch).
    python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
for f in m["files"]:
    print(f["sha256"] + "  " + f["path"])' "$dir/manifest.json" >"$work/$tenant.sums"
    if (cd "$dir" && sha256sum --quiet -c "$work/$tenant.sums"); then
        e2e_ok "$tenant: sha256sum -c passes for all $(wc -l <"$work/$tenant.sums") files in the manifest"
    else
        e2e_fail "$tenant: sha256sum -c"
    fi
    # Nothing in the zip that the manifest does not list.
    local listed actual
    listed="$( (cut -d' ' -f3- "$work/$tenant.sums"; echo manifest.json; echo manifest.sig) | sort)"
    actual="$(cd "$dir" && find . -type f | sed 's|^\./||' | sort)"
    [ "$listed" = "$actual" ] && e2e_ok "$tenant: the manifest lists every file" || e2e_fail "$tenant: files vs manifest: $actual"
    python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
assert m["for_tenant"] == sys.argv[2], m["for_tenant"]
assert m["tool_version"] and m["exported_at"] and m["chain"]["sequence"] >= 1
assert any(s["available"] and s["sha256"] and s["line_ranges"] for s in m["sources"])' "$dir/manifest.json" "$tenant" \
        && e2e_ok "$tenant: manifest names tenant, version, time, chain and the sources hashed" || e2e_fail "$tenant: manifest fields"
    if openssl pkeyutl -verify -pubin -inkey "$work/sign.pub" -rawin -in "$dir/manifest.json" -sigfile "$dir/manifest.sig" >/dev/null 2>&1; then
        e2e_ok "$tenant: openssl verifies manifest.sig"
    else
        e2e_fail "$tenant: openssl pkeyutl -verify"
    fi
    # Every entry of the zip itself, read by python's zipfile (not by unzip): no internal note's
    # text, author or state note; the customer-visible one in incident.json, report.md and art33.json.
    if python3 - "$zip" <<'PY'
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    names = z.namelist()
    assert len(names) > 5, names
    for name in names:
        text = z.read(name).decode("utf-8", "replace").lower()
        for secret in ("zoltan", "friday deploy", "state: acknowledged"):
            assert secret not in text, f"{name} carries {secret!r}"
    notes = json.loads(z.read("incident.json"))["notes"]
    assert [n["author"] for n in notes] == ["ana"] and "order cache keyed by tenant" in notes[0]["text"], notes
    for name in ("report.md", "art33.json"):
        assert "order cache keyed by tenant" in z.read(name).decode(), name
PY
    then
        e2e_ok "$tenant: python zipfile finds no internal note, author or state note; the customer-visible note is in"
    else
        e2e_fail "$tenant: note visibility in the zip"
    fi
    local other hits
    for other in $others; do
        hits="$(grep -ril -- "$other" "$dir" || true)"
        [ -z "$hits" ] && e2e_ok "$tenant: '$other' appears nowhere in the bundle" || e2e_fail "$tenant: '$other' in $hits"
    done
    hits="$(grep -rl 'eyJ' "$dir" || true)"
    [ -z "$hits" ] && e2e_ok "$tenant: no JWT in the bundle" || e2e_fail "$tenant: JWT in $hits"
    grep -q 'tenant-[0-9]' "$dir/incident.json" && e2e_ok "$tenant: other tenants pseudonymised (tenant-N)" \
        || e2e_fail "$tenant: no pseudonym in incident.json"
    rc=0; tw verify "$zip" --public-key "$work/sign.pub" >"$work/$tenant.verify" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] && e2e_ok "$tenant: verify --public-key exits 0" || e2e_fail "$tenant: verify exit $rc: $(cat "$work/$tenant.verify")"
}

check_bundle initech "acme globex"
check_bundle globex "acme initech"

# One byte changed in one file (the zip rewritten with it): verify exits 1 and names the file.
python3 - "$work/initech.zip" "$work/tampered.zip" <<'PY'
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        data = zin.read(info.filename)
        if info.filename == "report.md":
            data = bytearray(data); data[20] ^= 0x01; data = bytes(data)
        zout.writestr(info.filename, data)
PY
rc=0; tw verify "$work/tampered.zip" >"$work/tampered.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q 'report.md' "$work/tampered.out" && e2e_ok "one byte changed in report.md: verify exits 1 naming it" \
    || e2e_fail "tampered report.md: exit $rc, $(cat "$work/tampered.out")"
# One raw byte flipped in the middle of the zip itself.
cp "$work/initech.zip" "$work/flipped.zip"
python3 - "$work/flipped.zip" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 3] ^= 0xFF
open(p, "wb").write(b)
PY
rc=0; tw verify "$work/flipped.zip" --public-key "$work/sign.pub" >"$work/flipped.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] && e2e_ok "a byte flipped in the zip: verify exits 1 ($(head -c 160 "$work/flipped.out"))" \
    || e2e_fail "flipped zip: exit $rc, $(cat "$work/flipped.out")"
# A signature that is not over this manifest.
tw keygen --out "$work/other" >/dev/null
rc=0; tw verify "$work/initech.zip" --public-key "$work/other.pub" >"$work/wrongkey.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q 'manifest.sig' "$work/wrongkey.out" && e2e_ok "another key: verify exits 1 (signature)" \
    || e2e_fail "wrong key: exit $rc, $(cat "$work/wrongkey.out")"

# The chain: a second bundle for initech links the first.
tw export "$incident" --for-tenant initech --out "$work/initech-2.zip" --store "$store" 2>/dev/null
first_hash="$(sha256sum "$work/initech/manifest.json" | cut -d' ' -f1)"
second_prev="$(unzip -p "$work/initech-2.zip" manifest.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["chain"]["previous_manifest_sha256"])')"
[ "$first_hash" = "$second_prev" ] && e2e_ok "the second bundle for initech chains the first manifest's hash" \
    || e2e_fail "chain: previous $second_prev, expected $first_hash"

# A key made by OpenSSL signs as well, and tenantwatch verifies with OpenSSL's public key.
openssl genpkey -algorithm ed25519 -out "$work/ossl.key" 2>/dev/null && openssl pkey -in "$work/ossl.key" -pubout -out "$work/ossl.pub"
rc=0
tw export "$incident" --for-tenant initech --out "$work/ossl.zip" --store "$store" --sign-key "$work/ossl.key" 2>/dev/null \
    && tw verify "$work/ossl.zip" --public-key "$work/ossl.pub" >/dev/null || rc=$?
[ "$rc" -eq 0 ] && e2e_ok "an OpenSSL-generated Ed25519 key signs; verify checks it with OpenSSL's public key" \
    || e2e_fail "OpenSSL key: exit $rc"
rm -f "$work/ossl.zip"

# A tenant the incident does not concern.
rc=0
tw export "$incident" --for-tenant acme --out "$work/acme.zip" --store "$store" >/dev/null 2>"$work/acme.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q 'does not concern' "$work/acme.err" && [ ! -e "$work/acme.zip" ] \
    && e2e_ok "export for acme refused: exit 2, no file" || e2e_fail "export for acme: exit $rc, $(cat "$work/acme.err")"

# Every incident of the sample logs, for every tenant it concerns: no other tenant, no JWT, intact.
matrix_fail=0
while read -r inc tenant; do
    rm -rf "$work/m" "$work/m.zip"
    tw export "$inc" --for-tenant "$tenant" --out "$work/m.zip" --store "$store" 2>"$work/m.err" \
        || { e2e_fail "export $inc for $tenant: $(cat "$work/m.err")"; matrix_fail=1; continue; }
    mkdir "$work/m" && (cd "$work/m" && unzip -q "$work/m.zip")
    for other in acme globex initech eyJ; do
        [ "$other" = "$tenant" ] && continue
        hits="$(grep -ril -- "$other" "$work/m" || true)"
        [ -z "$hits" ] || { e2e_fail "$inc for $tenant: '$other' in $hits"; matrix_fail=1; }
    done
    tw verify "$work/m.zip" >/dev/null || { e2e_fail "$inc for $tenant: verify"; matrix_fail=1; }
done < <(tw incidents --store "$store" --format json | python3 -c '
import json, sys
for i in json.load(sys.stdin):
    for t in dict.fromkeys(([i["caller_tenant"]] if i["caller_tenant"] else []) + i["exposed_tenants"]):
        print(i["id"], t)')
[ "$matrix_fail" -eq 0 ] && e2e_ok "every incident, for every tenant it concerns: no other tenant, no JWT, verify passes"
rm -rf "$work/m" "$work/m.zip"

# A killed export: its bundle name never appears; the next export clears what it left. It is
# killed at the last moment before the rename, deterministically: strace holds the export's second
# fsync() (the first comes when the zip is created; the second flushes the finished zip just
# before the rename) for a minute, and SIGKILL comes once that temporary zip is whole (unzip reads
# it). Should the export ever flush only once, nothing is held, the export completes, and the
# checks below fail loudly rather than pass on an export killed before it wrote anything.
rm -f "$work/killed.zip"
( cd "$work" && exec strace -f -qq -o /dev/null -e trace=fsync \
    -e inject=fsync:delay_enter=60000000:when=2+ \
    "$TENANTWATCH" export "$incident" --for-tenant initech --out "$work/killed.zip" --store "$store" 2>/dev/null ) &
tracer=$!
complete_temporary() {  # the temporary zip is whole: unzip reads its central directory
    local t
    for t in "$work"/killed.zip.tmp-*; do
        [ -f "$t" ] && unzip -tq "$t" >/dev/null 2>&1 && return 0
    done
    return 1
}
if wait_until 60 complete_temporary; then
    e2e_ok "the export under strace wrote its whole temporary zip: $(basename "$(ls "$work"/killed.zip.tmp-* | grep -v '\.d$' | head -1)")"
else
    e2e_fail "no complete temporary zip appeared: $(ls "$work" | head -20)"
fi
# SIGKILL to the export itself, then to strace (a stopped tracee dies once its tracer is gone);
# then wait until the export's pid is gone for good: a zombie not yet reaped would rightly keep
# the next export from removing its temporaries (their pid still "runs").
exporter="$(pgrep -P "$tracer" | head -1 || true)"
[ -n "$exporter" ] && kill -KILL "$exporter" 2>/dev/null
kill -KILL "$tracer" 2>/dev/null || true
wait "$tracer" 2>/dev/null || true
exporter_reaped() { [ -z "$exporter" ] || ! kill -0 "$exporter" 2>/dev/null; }
wait_until 60 exporter_reaped || e2e_fail "the killed export $exporter was never reaped"
if [ ! -e "$work/killed.zip" ] && compgen -G "$work/killed.zip.tmp-*" >/dev/null; then
    e2e_ok "killed with its zip written and flushing, before the rename: no killed.zip, only its temporary"
else
    e2e_fail "after the kill: $(ls -la "$work" | grep killed)"
fi
tw export "$incident" --for-tenant initech --out "$work/killed.zip" --store "$store" 2>/dev/null \
    && tw verify "$work/killed.zip" >/dev/null && e2e_ok "the next export to that name writes it whole" \
    || e2e_fail "the export after the killed one failed"
: >"$work/killed.zip.tmp-999999" && mkdir -p "$work/killed.zip.tmp-999999.d"
# (the killed export may have finished first: export refuses an existing --out, so it goes)
rm -f "$work/killed.zip"
tw export "$incident" --for-tenant initech --out "$work/killed.zip" --store "$store" 2>/dev/null
rm -f "$work/killed.zip"

leftovers="$(find "$work" -maxdepth 1 -name '*.tmp-*' | head -3)"
[ -z "$leftovers" ] && e2e_ok "no temporary files left" || e2e_fail "left behind: $leftovers"

[ "$E2E_FAILS" -eq 0 ]
