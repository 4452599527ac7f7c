#!/usr/bin/env bash
# The README's command promises that no other script drives, through the real binary, with no
# server: `check-sql` (text, JSON, exit codes, `-` for standard input), `scan` (`--fail-on`, exit 2
# on a bad config, `-` for standard input, `--format json` and `table` — the table pinned against
# the README's sample table —, bare paths told apart by their content), `verify` (a missing file,
# a size mismatch, a stripped signature with `--public-key`), `incidents resolve` / `reopen`, and
# `replay` over `.gz` archives with `--to` (in tmux).
# Every expectation comes from README.md or sample-logs/README.md, never from an earlier run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
find_tenantwatch
source "$(dirname "${BASH_SOURCE[0]}")/lib/tmux.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-cli.XXXXXX")"
session="tw-e2e-cli-$$"
cleanup() {
    tmux kill-session -t "$session" 2>/dev/null || true
    e2e_drop_work cli_commands "$work"
}
trap cleanup EXIT
cp "$REPO_ROOT"/sample-logs/* "$work/"

# run RC LABEL ARGS...: tenantwatch ARGS in the work folder; stdout in $out, stderr in $err; fails
# unless the exit status is RC. Standard input is /dev/null unless $stdin names a file.
out=""; err=""; stdin=""
run() {
    local want="$1" label="$2" rc=0
    shift 2
    (cd "$work" && "$TENANTWATCH" "$@" <"${stdin:-/dev/null}" >"$work/.out" 2>"$work/.err") || rc=$?
    out="$(cat "$work/.out")"; err="$(cat "$work/.err")"
    if [ "$rc" = "$want" ]; then return 0; fi
    e2e_fail "$label: exit $rc, expected $want; stdout: ${out:0:300}; stderr: ${err:0:300}"
    return 1
}
# json_get EXPR: evaluates a Python expression over the JSON in $out (bound to `j`).
json_get() { python3 -c "import json, sys; j = json.loads(sys.stdin.read()); print($1)" <<<"$out"; }

# --- check-sql ------------------------------------------------------------------------------
# The README's own example, exactly.
if run 0 "check-sql README example" check-sql "SELECT * FROM invoices i JOIN customers c USING (tenant_id) WHERE i.tenant_id = \$1"; then
    [ "$(head -1 <<<"$out")" = 'scoped  tables: customers, invoices  tenants: $1' ] \
        && e2e_ok "check-sql: the README's example prints 'scoped  tables: customers, invoices  tenants: \$1', exit 0" \
        || e2e_fail "check-sql README example: $out"
fi
# verdict  exit  statement   (one per verdict the README names)
while IFS='|' read -r verdict code sql; do
    if run "$code" "check-sql $verdict" check-sql "$sql"; then
        [ "$(head -1 <<<"$out" | cut -d' ' -f1)" = "$verdict" ] \
            && e2e_ok "check-sql: $verdict, exit $code: $sql" || e2e_fail "check-sql '$sql': $out"
    fi
    if run "$code" "check-sql --format json $verdict" check-sql --format json "$sql"; then
        got="$(json_get 'j["verdict"]' 2>&1)"
        [ "$got" = "$verdict" ] && e2e_ok "check-sql --format json: verdict $verdict, exit $code" \
            || e2e_fail "check-sql --format json '$sql': $got: $out"
    fi
done <<'CASES'
scoped|0|SELECT id FROM invoices WHERE tenant_id = 'acme'
unscoped|1|SELECT * FROM invoices WHERE tenant_id = 'acme' OR total > 100
multi_tenant|1|SELECT * FROM orders WHERE tenant_id IN ('acme', 'globex')
unparseable|1|SELEC * FROM invoices WHERE
rls|0|SELECT * FROM projects
not_applicable|0|SELECT * FROM tenants
CASES
if run 1 "check-sql --format json unscoped fields" check-sql --format json "SELECT * FROM invoices WHERE tenant_id = 'acme' OR total > 100"; then
    got="$(json_get '(j["tables"], j["tenants"], j["unscoped_tables"], bool(j["reason"]))' 2>&1)"
    [ "$got" = "(['invoices'], [], ['invoices'], True)" ] \
        && e2e_ok "check-sql --format json: tables, tenants, unscoped_tables and a reason, as the README shows" \
        || e2e_fail "check-sql json fields: $got"
fi
# `-`: the statement from standard input, several lines long.
printf 'SELECT *\n  FROM invoices\n WHERE id = 7\n' >"$work/stmt.sql"
stdin="$work/stmt.sql"
if run 1 "check-sql - (unscoped)" check-sql -; then
    [ "$(head -1 <<<"$out" | cut -d' ' -f1)" = unscoped ] && e2e_ok "check-sql -: a three-line statement read from standard input, unscoped, exit 1" \
        || e2e_fail "check-sql -: $out"
fi
printf "SELECT * FROM invoices WHERE tenant_id = 'acme'" >"$work/stmt.sql"
if run 0 "check-sql - (scoped)" check-sql --format json -; then
    [ "$(json_get '(j["verdict"], j["tenants"])')" = "('scoped', ['acme'])" ] && e2e_ok "check-sql --format json -: scoped to acme from standard input" \
        || e2e_fail "check-sql --format json -: $out"
fi
stdin=""
run 2 "check-sql --format xml" check-sql --format xml "SELECT 1" && e2e_ok "check-sql: an unknown --format is a usage error, exit 2"

# --- scan -----------------------------------------------------------------------------------
# The README's sample table, byte for byte (the block after `$ cd sample-logs && tenantwatch scan --format table`).
python3 - "$REPO_ROOT/README.md" >"$work/readme-table.txt" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
start = lines.index("$ cd sample-logs && tenantwatch scan --format table") + 1
end = lines.index("```", start)
print("\n".join(lines[start:end]))
PY
if run 1 "scan --format table" scan --format table; then
    if [ "$out" = "$(cat "$work/readme-table.txt")" ]; then
        e2e_ok "scan --format table in sample-logs prints the README's table exactly (exit 1: findings at or above high)"
    else
        e2e_fail "scan --format table differs from README: $(diff <(printf '%s\n' "$out") "$work/readme-table.txt" | head -8)"
    fi
    grep -qxF "189 lines, 87 events, 0 unparsed, left the correlation window: 5 statements without their request" <<<"$err" && e2e_ok "scan: the README's summary line on standard error" \
        || e2e_fail "scan summary: $err"
fi
# --format json: one array of the nine findings sample-logs/README.md lists.
expected_kinds="cross_tenant_query cross_tenant_response cross_tenant_response cross_tenant_response missing_tenant_predicate tenant_context_mismatch token_host_mismatch unscoped_cache_key unsigned_token"
if run 1 "scan --format json" scan --format json; then
    got="$(json_get '" ".join(sorted(f["kind"] for f in j)) if isinstance(j, list) else "not an array"' 2>&1)"
    [ "$got" = "$expected_kinds" ] && e2e_ok "scan --format json: one JSON array of the nine findings sample-logs/README.md lists" \
        || e2e_fail "scan --format json: $got"
fi
kinds_of_ndjson() { python3 -c 'import json, sys; print(" ".join(sorted(json.loads(l)["kind"] for l in sys.stdin if l.strip())))' <<<"$out"; }
# --fail-on against the Postgres log alone: its two findings are both high (sample-logs/README.md).
run 1 "scan --postgres, default --fail-on" scan --format ndjson --postgres postgresql.log \
    && [ "$(kinds_of_ndjson)" = "cross_tenant_query missing_tenant_predicate" ] \
    && e2e_ok "scan --postgres postgresql.log: its two high findings, exit 1 (default --fail-on high)"
run 0 "scan --fail-on critical" scan --format ndjson --fail-on critical --postgres postgresql.log \
    && [ "$(kinds_of_ndjson)" = "cross_tenant_query missing_tenant_predicate" ] \
    && e2e_ok "scan --fail-on critical: the same two findings printed, exit 0 (none critical)"
run 1 "scan --fail-on medium" scan --format ndjson --fail-on medium --postgres postgresql.log \
    && e2e_ok "scan --fail-on medium: exit 1"
run 1 "scan --fail-on critical, all sources" scan --format ndjson --fail-on critical \
    && e2e_ok "scan --fail-on critical over all sources: exit 1 (three critical cross_tenant_response)"
run 2 "scan --fail-on bogus" scan --fail-on bogus && e2e_ok "scan --fail-on bogus: exit 2"
# A bad config: the README's example, one line naming the key, exit 2, nothing on standard output.
sed 's/^global_tables = /global_table = /' "$work/tenantwatch.toml" >"$work/bad.toml"
if run 2 "scan bad config" scan --config bad.toml; then
    if [ -z "$out" ] && [ "$(grep -c . <<<"$err")" = 1 ] && grep -qF "bad.toml: tenancy.global_table: unknown key" <<<"$err"; then
        e2e_ok "scan --config bad.toml: exit 2, one line naming tenancy.global_table"
    else
        e2e_fail "bad config message: stdout ${out:0:200}; stderr: $err"
    fi
fi
run 2 "scan missing config" scan --config no-such.toml && grep -qF "no-such.toml" <<<"$err" \
    && e2e_ok "scan --config no-such.toml: exit 2 naming the file"
# `-`: the Postgres log from standard input finds what the file finds.
stdin="$work/postgresql.log"
run 1 "scan --postgres -" scan --format ndjson --postgres - \
    && [ "$(kinds_of_ndjson)" = "cross_tenant_query missing_tenant_predicate" ] \
    && e2e_ok "scan --postgres -: the log on standard input gives the same two findings"
stdin="$work/audit.log"
run 1 "scan --audit -" scan --format ndjson --postgres postgresql.log --redis redis-monitor.txt --audit - \
    && [ "$(kinds_of_ndjson)" = "$expected_kinds" ] \
    && e2e_ok "scan --audit - with the other two as files: all nine findings"
stdin=""
# Bare paths: each file's kind (and PostgreSQL format) told from its content.
for pg in postgresql.log postgresql.csv postgresql.json; do
    run 1 "scan bare $pg" scan --format ndjson "$pg" audit.log redis-monitor.txt \
        && { [ "$(kinds_of_ndjson)" = "$expected_kinds" ] \
             && e2e_ok "scan $pg audit.log redis-monitor.txt (bare paths): all nine findings" \
             || e2e_fail "bare paths with $pg: $(kinds_of_ndjson); $err"; }
done
run 1 "scan bare audit alone" scan --format ndjson audit.log \
    && grep -q '"kind":"token_host_mismatch"' <<<"$out" && ! grep -q '"kind":"cross_tenant_query"' <<<"$out" \
    && e2e_ok "scan audit.log (bare): read as an audit log (token_host_mismatch, no SQL finding)"

# --- verify -----------------------------------------------------------------------------------
run 0 "keygen" keygen --out signing || true
run 1 "scan --store" scan --store "$work/store.sqlite" || true
incident="$(cd "$work" && "$TENANTWATCH" incidents --store store.sqlite --format json | python3 -c '
import json, sys
for i in json.load(sys.stdin):
    if i["caller_tenant"] == "initech" and "cross_tenant_response" in i["kinds"]:
        print(i["id"]); break')"
run 0 "export" export "$incident" --for-tenant initech --out bundle.zip --store store.sqlite --sign-key signing.key || true
run 0 "verify intact" verify bundle.zip --public-key signing.pub && e2e_ok "verify: the intact signed bundle, exit 0"
# Variants made with Python's zipfile (an independent zip writer).
python3 - "$work" <<'PY'
import json, sys, zipfile
work = sys.argv[1]
src = zipfile.ZipFile(f"{work}/bundle.zip")
names = src.namelist()
def write(name, skip=(), replace=None):
    with zipfile.ZipFile(f"{work}/{name}", "w", zipfile.ZIP_DEFLATED) as z:
        for n in names:
            if n in skip:
                continue
            data = src.read(n)
            if replace and n in replace:
                data = replace[n](data)
            z.writestr(n, data)
write("missing.zip", skip=("report.md",))
def bigger(data):
    m = json.loads(data)
    for f in m["files"]:
        if f["path"] == "timeline.ndjson":
            f["size"] += 1
    return json.dumps(m).encode()
write("size.zip", replace={"manifest.json": bigger})
write("unsigned.zip", skip=("manifest.sig",))
PY
run 1 "verify missing file" verify missing.zip && grep -qF "report.md" <<<"$out$err" \
    && e2e_ok "verify: a listed file missing from the zip, exit 1 naming report.md"
run 1 "verify size mismatch" verify size.zip && grep -qF "timeline.ndjson" <<<"$out$err" && grep -qi "size" <<<"$out$err" \
    && e2e_ok "verify: a size the manifest does not match, exit 1 naming timeline.ndjson and its size"
run 1 "verify stripped signature" verify unsigned.zip --public-key signing.pub && grep -qF "manifest.sig" <<<"$out$err" \
    && e2e_ok "verify --public-key: manifest.sig stripped, exit 1 naming manifest.sig"
run 2 "verify no such file" verify no-such.zip && e2e_ok "verify no-such.zip: exit 2"

# --- incidents resolve / reopen ---------------------------------------------------------------
state_of() { (cd "$work" && "$TENANTWATCH" incidents show "$1" --store store.sqlite --format json) | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])'; }
run 0 "incidents resolve" incidents resolve "$incident" --store store.sqlite --author alice \
    && [ "$(state_of "$incident")" = resolved ] && e2e_ok "incidents resolve $incident: exit 0, state resolved"
run 0 "incidents --state resolved" incidents --store store.sqlite --state resolved --format json \
    && [ "$(json_get '[i["id"] for i in j]')" = "['$incident']" ] && e2e_ok "incidents --state resolved lists exactly $incident"
run 0 "incidents --state open" incidents --store store.sqlite --state open --format json \
    && [ "$(json_get "'$incident' in [i['id'] for i in j]")" = False ] && e2e_ok "incidents --state open no longer lists it"
run 0 "incidents show (history)" incidents show "$incident" --store store.sqlite \
    && grep -q "alice" <<<"$out" && e2e_ok "incidents show: the resolution is recorded with its author (alice)"
run 0 "incidents reopen" incidents reopen "$incident" --store store.sqlite --author bob \
    && [ "$(state_of "$incident")" = open ] && e2e_ok "incidents reopen $incident: exit 0, state open again"
run 1 "incidents resolve unknown" incidents resolve INC-9999 --store store.sqlite \
    && grep -qF "no such incident" <<<"$err" && e2e_ok "incidents resolve INC-9999: exit 1, no such incident"
printf 'not a database, just text\n%.0s' {1..400} >"$work/garbage.sqlite"
run 2 "incidents reopen unusable store" incidents reopen "$incident" --store garbage.sqlite \
    && grep -qF "garbage.sqlite" <<<"$err" && e2e_ok "incidents reopen on an unusable store: exit 2 naming it"

# --- replay: .gz archives, --to -----------------------------------------------------------------
mkdir "$work/gz"
for f in postgresql.log audit.log redis-monitor.txt; do gzip -c "$work/$f" >"$work/gz/$f.gz"; done
replay() {  # replay ARGS...: a fresh store each time
    rm -f "$work"/replay.sqlite* "$work/exit.txt"
    tmux kill-session -t "$session" 2>/dev/null || true
    tmux_new_session -d -s "$session" -x 160 -y 45 \
        "cd '$work' && TERM=tmux-256color '$TENANTWATCH' replay --config tenantwatch.toml --store replay.sqlite $* 2>replay-err.txt; echo \$? >exit.txt; sleep 60"
}
replay --speed max --postgres gz/postgresql.log.gz --audit gz/audit.log.gz --redis gz/redis-monitor.txt.gz
if wait_screen 60 "findings: 9" && wait_screen 5 "incidents: 8"; then
    e2e_ok "replay of the three logs gzipped: findings: 9, incidents: 8, as from the plain files"
else
    e2e_fail "replay .gz: $(screen | head -3) $(cat "$work/replay-err.txt" 2>/dev/null)"
fi
tmux send-keys -t "$session" q
exited() { [ -s "$work/exit.txt" ]; }
wait_until 20 exited && [ "$(cat "$work/exit.txt")" = 0 ] || e2e_fail "replay .gz: exit $(cat "$work/exit.txt" 2>/dev/null)"
# --to the second before the export job's statement: only the report's cross_tenant_query is replayed.
to="$(grep -F "SELECT * FROM invoices ORDER BY id" "$work/postgresql.log" | head -1 | cut -c1-19)"
replay --speed max --to "'$to'" --postgres gz/postgresql.log.gz
if wait_screen 60 "end of archive" && wait_screen 5 "findings: 1"; then
    if screen | grep -q "cross_tenant_query" && ! screen | grep -q "missing_tenant_predicate"; then
        e2e_ok "replay --to '$to' over .gz: the report's query replayed, the export job's leak after it is not"
    else
        e2e_fail "replay --to: $(screen | sed -n 1,12p)"
    fi
else
    e2e_fail "replay --to: $(screen | sed -n 1,6p) $(cat "$work/replay-err.txt" 2>/dev/null)"
fi
tmux send-keys -t "$session" q
wait_until 20 exited || e2e_fail "replay --to did not quit"
rm -f "$work"/replay.sqlite*
run 2 "replay --to garbage" replay --config tenantwatch.toml --store replay.sqlite --to "yesterday-ish" \
    && e2e_ok "replay --to with a time it cannot read: exit 2"

if [ "$E2E_FAILS" -gt 0 ]; then exit 1; fi
