#!/usr/bin/env bash
# Issue 15: renderings meant for reading escape control characters. A statement carrying raw ESC
# and OSC 52 (clipboard write) bytes, and an audit line whose JSON escapes a CSI (\u009b) and an
# OSC 52, end up in bundles (evidence/, reports, the re-written audit line) and in `incidents
# show`: no raw C0/C1 control character (tab and newline aside) is written anywhere.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/bundle.sh"
ADV_NO_SCAN=1 adv_setup secrets_control_chars
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
p = work + "/postgresql.log"
text = open(p).read()
old = "\t   AND status <> 'open'\n"
assert old in text
text = text.replace(old, "\t   AND status <> 'open\x1b]52;c;ZXZpbA==\x07\x1b[2J'\n", 1)
open(p, "w").write(text)
a = work + "/audit.log"
lines = open(a).read().split("\n")
o = json.loads(lines[3])
o["route"] = "/orders/:id\u009b31m\u001b]52;c;ZXZpbA==\u0007"
o["note"] = "\u009b2J globex"
lines[3] = json.dumps(o, separators=(",", ":"))        # ensure_ascii: the controls stay \u-escaped
open(a, "w").write("\n".join(lines))
PY
rc=0; tw scan --format ndjson --store "$store" >/dev/null 2>"$work/scan.err" || rc=$?
[ "$rc" -eq 1 ] || { e2e_fail "scan: exit $rc"; exit 1; }

raw_controls() {  # FILE...: prints files holding a raw C0 (but tab/newline) or C1 control
    python3 - "$@" <<'PY'
import re, sys
bad = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")
for p in sys.argv[1:]:
    if p.endswith("manifest.sig"):
        continue
    m = bad.search(open(p, "rb").read())
    if m:
        print(p, repr(m.group()))
PY
}
query_incident="$(tw incidents --store "$store" --format json | python3 -c '
import json, sys
for i in json.load(sys.stdin):
    if "cross_tenant_query" in i["kinds"]: print(i["id"]); break')"
incident="$(adv_incident)"
for spec in "$query_incident acme" "$incident initech" "$incident globex"; do
    set -- $spec
    rm -rf "$work/b" "$work/b.zip"
    tw export "$1" --for-tenant "$2" --out "$work/b.zip" --store "$store" 2>/dev/null
    mkdir "$work/b" && (cd "$work/b" && unzip -q "$work/b.zip")
    bad="$(raw_controls $(find "$work/b" -type f))"
    [ -z "$bad" ] && e2e_ok "$1 for $2: no raw control character in any file of the bundle" || e2e_fail "$1 for $2: $bad"
done
tw incidents show "$incident" --store "$store" >"$work/show.txt"
tw incidents show "$query_incident" --store "$store" >>"$work/show.txt"
bad="$(raw_controls "$work/show.txt")"
[ -z "$bad" ] && grep -q '\\x1b' "$work/show.txt" && e2e_ok "incidents show prints the controls escaped (\\x1b)" || e2e_fail "incidents show: ${bad:-no escaped \\x1b shown}"
[ "$E2E_FAILS" -eq 0 ]
