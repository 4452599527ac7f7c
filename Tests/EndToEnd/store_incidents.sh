#!/usr/bin/env bash
# `scan --store` on the sample logs: incidents recorded once (a second scan adds nothing, a line
# appended later is recorded once more), `incidents --format json` parses, ack + note show up
# in `incidents show`, an unknown id exits 1, `[store] url` is read by `incidents`/`export` without
# --store (not by scan), a corrupt store exits 2 with a clear message.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

find_tenantwatch

work="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-store.XXXXXX")"
trap 'e2e_drop_work store_incidents "$work"' EXIT
cp "$REPO_ROOT/sample-logs/postgresql.log" "$REPO_ROOT/sample-logs/schema.sql" "$REPO_ROOT/sample-logs/tenantwatch.toml" "$work/"
store="$work/state/incidents.sqlite"
tw() { (cd "$work" && "$TENANTWATCH" "$@"); }

scan() {
    local out="$1" rc=0
    # The PostgreSQL log alone: its two incidents are the ones this test follows.
    tw scan --format ndjson --store "$store" --postgres postgresql.log >"$out" 2>"$out.err" </dev/null || rc=$?
    [ "$rc" -eq 1 ] || e2e_fail "scan exit status $rc, expected 1: $(head -c 400 "$out.err")"
}

# Prints "id kinds finding_count occurrences state" per incident, from --format json.
summary() {
    tw incidents --store "$store" --format json | python3 -c '
import json, sys
for i in json.load(sys.stdin):
    print(i["id"], ",".join(i["kinds"]), i["finding_count"], i["occurrences"], i["state"])'
}

scan "$work/scan1.ndjson"
[ -f "$store" ] && e2e_ok "scan --store created $store" || e2e_fail "no store file after scan --store"
first="$(summary)"
if [ "$(printf '%s\n' "$first" | wc -l)" -eq 2 ] \
    && printf '%s\n' "$first" | grep -qx 'INC-0001 cross_tenant_query 1 1 open' \
    && printf '%s\n' "$first" | grep -qx 'INC-0002 missing_tenant_predicate 1 1 open'; then
    e2e_ok "first scan: two incidents, one finding each"
else
    e2e_fail "first scan incidents: $first"
fi
if python3 -c '
import json, sys
ids = [json.loads(l)["incident"] for l in open(sys.argv[1])]
sys.exit(0 if ids == ["INC-0001", "INC-0002"] else 1)' "$work/scan1.ndjson"; then
    e2e_ok "scan output names the stored incidents"
else
    e2e_fail "scan output incidents: $(cut -c1-160 "$work/scan1.ndjson")"
fi

scan "$work/scan2.ndjson"
second="$(summary)"
[ "$second" = "$first" ] && e2e_ok "second scan: same incidents, no duplicates" || e2e_fail "second scan changed the store: $second"
cmp -s "$work/scan1.ndjson" "$work/scan2.ndjson" && e2e_ok "second scan prints the same findings" \
    || e2e_fail "second scan output differs"

# The export job runs its leak again later: appended to the same file, recorded once.
export_line="$(grep -nF "SELECT * FROM invoices ORDER BY id" "$work/postgresql.log" | head -1 | cut -d: -f1)"
python3 - "$work/postgresql.log" <<'PY'
import datetime, sys
path = sys.argv[1]
lines = open(path, encoding="utf-8").read().splitlines()
leak = next(l for l in lines if "SELECT * FROM invoices ORDER BY id" in l)
last = datetime.datetime.strptime(lines[-1][:23], "%Y-%m-%d %H:%M:%S.%f")
later = (last + datetime.timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S.%f")[:23]
open(path, "a", encoding="utf-8").write(later + leak[23:] + "\n")
PY
scan "$work/scan3.ndjson"
scan "$work/scan4.ndjson"
third="$(summary)"
if printf '%s\n' "$third" | grep -qx 'INC-0002 missing_tenant_predicate 1 2 open' \
    && printf '%s\n' "$third" | grep -qx 'INC-0001 cross_tenant_query 1 1 open'; then
    e2e_ok "an appended sighting is recorded once (occurrences 2), the rest untouched"
else
    e2e_fail "after appending: $third"
fi

tw incidents ack INC-0002 --store "$store" --author ana >/dev/null
tw incidents note INC-0002 "acme's export contained every tenant's invoices" --store "$store" --author bo >/dev/null
show="$(tw incidents show INC-0002 --store "$store")"
if grep -q 'acknowledged' <<<"$show" && grep -q "bo: acme's export contained" <<<"$show" \
    && grep -q "postgresql.log:$export_line" <<<"$show" && grep -q 'SELECT \* FROM invoices ORDER BY id' <<<"$show"; then
    e2e_ok "show: state, note, timeline with source line and quoted statement"
else
    e2e_fail "show output: $(head -c 800 <<<"$show")"
fi
[ "$(tw incidents --store "$store" --state acknowledged --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 1 ] \
    && e2e_ok "--state acknowledged lists one" || e2e_fail "--state acknowledged"
if tw incidents show INC-0002 --store "$store" --format json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["state"] == "acknowledged" and d["notes"][-1]["author"] == "bo"
assert any(e["kind"] == "statement" and e["line"] == 133 for e in d["timeline"])'; then
    e2e_ok "show --format json parses"
else
    e2e_fail "show --format json"
fi

rc=0
tw incidents show INC-0099 --store "$store" >/dev/null 2>"$work/unknown.err" || rc=$?
[ "$rc" -eq 1 ] && grep -q 'no such incident' "$work/unknown.err" && e2e_ok "unknown incident: exit 1, no such incident" \
    || e2e_fail "unknown incident: exit $rc, $(cat "$work/unknown.err")"

# `[store] url` in the config: `incidents` and `export` read it when --store is not given (a
# relative path is relative to the config file); `scan` still writes only with --store.
mkdir -p "$work/elsewhere"
cp "$work/tenantwatch.toml" "$work/schema.sql" "$work/elsewhere/"
printf '\n[store]\nurl = "../state/incidents.sqlite"\n' >>"$work/elsewhere/tenantwatch.toml"
tw_in() { (cd "$work/elsewhere" && "$TENANTWATCH" "$@"); }
expected="$(tw incidents --store "$store" --format json)"
[ "$(tw_in incidents --format json)" = "$expected" ] && e2e_ok "incidents (no --store) reads the config's [store] url" \
    || e2e_fail "incidents without --store: $(tw_in incidents --format json 2>&1 | head -c 300)"
[ "$(tw incidents list --config elsewhere/tenantwatch.toml --format json)" = "$expected" ] \
    && e2e_ok "incidents list --config F reads F's [store] url" || e2e_fail "incidents list --config"
tw_in incidents note INC-0001 "seen from the config's store" --author cy >/dev/null
tw incidents show INC-0001 --store "$store" | grep -q "cy: seen from the config's store" \
    && e2e_ok "incidents note (no --store) writes to the config's store" || e2e_fail "note went elsewhere"
[ ! -e "$work/elsewhere/.tenantwatch" ] && e2e_ok "no default store created beside the config" \
    || e2e_fail "a default store appeared in $work/elsewhere/.tenantwatch"
rc=0
tw_in export INC-0002 --for-tenant acme --out "$work/from-config.zip" 2>"$work/export.err" || rc=$?
[ "$rc" -eq 0 ] && python3 -c 'import json,sys,zipfile; assert json.load(zipfile.ZipFile(sys.argv[1]).open("incident.json"))["incident"] == "INC-0002"' "$work/from-config.zip" \
    && e2e_ok "export (no --store) reads the config's store" || e2e_fail "export from the config's store: exit $rc, $(head -c 300 "$work/export.err")"
before="$(tw incidents --store "$store" --format json)"
# A copy under another name: recorded, its sightings would add occurrences.
cp "$work/postgresql.log" "$work/elsewhere/copy.log"
rc=0; (cd "$work/elsewhere" && "$TENANTWATCH" scan --format ndjson --postgres copy.log >/dev/null 2>&1 </dev/null) || rc=$?
[ "$rc" -eq 1 ] && [ "$(tw incidents --store "$store" --format json)" = "$before" ] && [ ! -e "$work/elsewhere/.tenantwatch" ] \
    && e2e_ok "scan without --store writes nothing, [store] url or not" || e2e_fail "scan without --store: exit $rc or the store changed"
# A --store given wins over the config, and a broken config is not read when --store is given.
printf 'this is = not [toml\n' >"$work/elsewhere/tenantwatch.toml"
[ "$(tw_in incidents --store "$store" --format json)" = "$(tw incidents --store "$store" --format json)" ] \
    && e2e_ok "incidents --store ignores a broken config" || e2e_fail "incidents --store read the broken config"
rc=0; tw_in incidents >/dev/null 2>"$work/broken.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q 'tenantwatch.toml' "$work/broken.err" && e2e_ok "incidents without --store: a broken config exits 2 naming it" \
    || e2e_fail "broken config: exit $rc, $(cat "$work/broken.err")"

head -c 4096 /dev/urandom >"$work/corrupt.sqlite"
rc=0
tw incidents --store "$work/corrupt.sqlite" >/dev/null 2>"$work/corrupt.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q 'corrupt.sqlite' "$work/corrupt.err" && e2e_ok "corrupt store: exit 2 naming the file" \
    || e2e_fail "corrupt store: exit $rc, $(cat "$work/corrupt.err")"

[ "$E2E_FAILS" -eq 0 ]
