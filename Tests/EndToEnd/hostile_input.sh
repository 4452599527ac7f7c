#!/usr/bin/env bash
# Hostile input (issue 8), through the real binary:
# 1. every source (stderr, csvlog, jsonlog, audit, redis) with random bytes, invalid UTF-8, NUL
#    bytes, a 10 MB line, lines cut mid-quote, unclosed csv records, JSON nested 100k deep, huge
#    numbers, bad JWTs, sqlcommenter garbage, statements libpg_query rejects and terminal escapes,
#    each sandwiched between the sample logs' leaking lines (lib/hostile.py): no crash, the bad
#    lines counted with their position, exactly the sample's findings still found;
# 2. the forged-prefix capture: a log_forgery finding, no statement taken from the forged text;
# 3. one response naming 20,000 tenants: stored, shown and exported (pseudonymised) in bounded time;
# 4. escape sequences in logged values (lib/escape_logs.py) shown escaped in `scan --format table`,
#    `incidents show`, an export's report.md/report.html, and on the live dashboard in tmux (the
#    raw pane, with tmux's clipboard open to OSC 52, holds no escape and no clipboard write).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
find_tenantwatch
source "$(dirname "${BASH_SOURCE[0]}")/lib/tmux.sh"
for tool in unzip python3; do
    command -v "$tool" >/dev/null || { e2e_fail "$tool is missing (bash scripts/deps.sh test installs it)"; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-hostile.XXXXXX")"
session="tw-e2e-hostile-$$"
# A tmux server of its own (lib/tmux.sh calls `tmux`, this function): its clipboard option is
# opened to OSC 52 below, and no other test's sessions come and go on it.
tmux() { command tmux -L "tw-hostile-$$" -f /dev/null "$@"; }
cleanup() {
    tmux kill-server 2>/dev/null || true
    e2e_drop_work hostile_input "$work"
}
trap cleanup EXIT

# --- 1. every source, every case, through scan -------------------------------------------------
if ! python3 "$E2E_DIR/lib/hostile.py" "$TENANTWATCH" "$REPO_ROOT/sample-logs" "$work/matrix"; then
    E2E_FAILS=$((E2E_FAILS + 1))
fi
rm -rf "$work/matrix"

# --- 2. the forged prefix ------------------------------------------------------------------------
mkdir -p "$work/forged"
cp "$REPO_ROOT/Tests/TenantWatchCoreTests/Fixtures/pg15_phase3_appname_injection_stderr.log" "$work/forged/pg.log"
cat >"$work/forged/tenantwatch.toml" <<'TOML'
[tenancy]
tables = ["customers"]
TOML
rc=0
(cd "$work/forged" && "$TENANTWATCH" scan --postgres pg.log --format ndjson >out.ndjson 2>err.txt) || rc=$?
if python3 - "$work/forged/out.ndjson" <<'PY'; then e2e_ok "forged prefix: a log_forgery finding, no statement taken from the forged application name (exit $rc)"; else e2e_fail "forged prefix (exit $rc): $(cat "$work/forged/err.txt")"; fi
import json, sys
f = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
kinds = [x["kind"] for x in f]
assert "log_forgery" in kinds, kinds
assert not any("customers" in (x.get("statement") or "") and x["kind"] != "log_forgery" for x in f), f
PY
grep -q " 0 unparsed" "$work/forged/err.txt" && e2e_ok "forged prefix: every line read ($(tail -1 "$work/forged/err.txt"))" \
    || e2e_fail "forged prefix summary: $(tail -1 "$work/forged/err.txt")"

# --- 3. one response naming 20,000 tenants: stored, shown, exported for the caller -------------
# (each step was quadratic in the tenants: minutes for the store, hours for the export)
many="$work/many"
mkdir -p "$many"
cp "$REPO_ROOT"/sample-logs/{schema.sql,tenantwatch.toml,postgresql.log,redis-monitor.txt,audit.log} "$many/"
python3 - "$many/audit.log" <<'PY'
import json, sys
line = json.loads(open(sys.argv[1]).readline())
line.update(request_id="req-many", response={"tenant_ids": ["acme"] + ["t%d" % i for i in range(20000)]})
open(sys.argv[1], "a").write(json.dumps(line) + "\n")
PY
rc=0
(cd "$many" && timeout 120 "$TENANTWATCH" scan --store state.sqlite --format table >table.txt 2>err.txt) || rc=$?
inc="$(cd "$many" && "$TENANTWATCH" incidents --store state.sqlite --format json | python3 -c '
import json, sys
for i in json.load(sys.stdin):
    if len(i["exposed_tenants"]) >= 20000: print(i["id"])')"
if [ "$rc" = 1 ] && [ -n "$inc" ]; then e2e_ok "a response naming 20,000 tenants: stored as $inc"
else e2e_fail "20,000 tenants: scan --store exit $rc, incident '$inc': $(tail -2 "$many/err.txt")"; fi
if [ -n "$inc" ]; then
    rc=0
    (cd "$many" && timeout 120 "$TENANTWATCH" incidents show "$inc" --store state.sqlite >show.txt \
        && timeout 120 "$TENANTWATCH" export "$inc" --for-tenant acme --out many.zip --store state.sqlite 2>export.err \
        && "$TENANTWATCH" verify many.zip >verify.txt) || rc=$?
    [ "$rc" = 0 ] && unzip -p "$many/many.zip" report.md >"$many/report.md"
    if [ "$rc" = 0 ] && grep -q "tenant-20000" "$many/report.md" && ! grep -qw "t19999" "$many/report.md"; then
        e2e_ok "20,000 tenants: incidents show, export for acme (all pseudonymised), verify"
    else
        e2e_fail "20,000 tenants: exit $rc $(cat "$many/export.err" 2>/dev/null | head -c 300)"
    fi
fi
rm -rf "$many"

# --- 4. escapes in logged values -----------------------------------------------------------------
esc="$work/esc"
mkdir -p "$esc"
cp "$REPO_ROOT/sample-logs/schema.sql" "$REPO_ROOT/sample-logs/tenantwatch.toml" "$esc/"
python3 "$E2E_DIR/lib/escape_logs.py" "$esc"
tw() { (cd "$esc" && "$TENANTWATCH" "$@"); }

# raw_controls FILE: the control bytes (C0 but \n \t, DEL, C1, bidi controls) FILE holds, as a count.
raw_controls() {
    python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
print(len(re.findall("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]", t)))
PY
}
# shows_escaped FILE: the escapes are there, in their visible form (shows_escaped_head: the
# head of them, for a table whose column cuts the rest).
shows_escaped() { grep -qF '\x1b[31mRED\x1b]52;c;ZXZpbA==\x07\x9b1m\u202egnp.exe' "$1"; }
shows_escaped_head() { grep -qF '\x1b[2J\x1b[31mRED\x1b]52;c;' "$1"; }

rc=0
tw scan --format table --store "$esc/state.sqlite" >"$esc/table.txt" 2>"$esc/err.txt" || rc=$?
n="$(raw_controls "$esc/table.txt")"
if [ "$rc" = 1 ] && [ "$n" = 0 ] && shows_escaped_head "$esc/table.txt"; then
    e2e_ok "scan --format table: escapes shown escaped, no raw control byte"
else
    e2e_fail "scan table (exit $rc): $n raw control characters; $(head -c 600 "$esc/table.txt")"
fi
grep -q "0 unparsed" "$esc/err.txt" || e2e_fail "escape logs not all read: $(cat "$esc/err.txt")"

# check-sql echoes table names and tenant literals of the statement it is given.
printf 'SELECT * FROM "\033[2Jinv\342\200\256" WHERE tenant_id = '"'"'a\033]52;c;eA==\007'"'"'' \
    | tw check-sql - >"$esc/check.txt" 2>&1 || true
n="$(raw_controls "$esc/check.txt")"
if [ "$n" = 0 ] && grep -qF '\x1b[2Jinv\u202e' "$esc/check.txt"; then e2e_ok "check-sql: table names and tenants shown escaped"
else e2e_fail "check-sql: $n raw control characters: $(cat -v "$esc/check.txt")"; fi

incident="$(tw incidents --store state.sqlite --format json | python3 -c '
import json, sys
for i in json.load(sys.stdin):
    if "cross_tenant_response" in i["kinds"]:
        print(i["id"]); break')"
statement_incident="$(tw incidents --store state.sqlite --format json | python3 -c '
import json, sys
for i in json.load(sys.stdin):
    if "missing_tenant_predicate" in i["kinds"]:
        print(i["id"]); break')"
if [ -z "$incident" ] || [ -z "$statement_incident" ]; then
    e2e_fail "expected a cross_tenant_response and a missing_tenant_predicate incident: $(tw incidents --store state.sqlite)"
else
    for inc in "$incident" "$statement_incident"; do
        tw incidents show "$inc" --store state.sqlite >"$esc/show.txt"
        n="$(raw_controls "$esc/show.txt")"
        if [ "$n" = 0 ] && shows_escaped "$esc/show.txt"; then e2e_ok "incidents show $inc: escapes shown escaped"
        else e2e_fail "incidents show $inc: $n raw control characters; $(head -c 600 "$esc/show.txt")"; fi
        tw incidents list --store state.sqlite >"$esc/list.txt" 2>/dev/null || tw incidents --store state.sqlite >"$esc/list.txt"
        [ "$(raw_controls "$esc/list.txt")" = 0 ] || e2e_fail "incidents list: raw control characters"
    done
    rc=0
    tw export "$incident" --for-tenant acme --out "$esc/acme.zip" --store state.sqlite 2>"$esc/export.err" || rc=$?
    if [ "$rc" = 0 ]; then
        mkdir -p "$esc/bundle" && (cd "$esc/bundle" && unzip -q "$esc/acme.zip")
        for f in report.md report.html incident.json timeline.ndjson; do
            n="$(raw_controls "$esc/bundle/$f")"
            if [ "$n" = 0 ]; then e2e_ok "export $f: no raw control character"; else e2e_fail "export $f: $n raw control characters"; fi
        done
        shows_escaped "$esc/bundle/report.md" && e2e_ok "report.md shows the route's escapes escaped" \
            || e2e_fail "report.md: $(grep -a esc "$esc/bundle/report.md" | head -3)"
        shows_escaped "$esc/bundle/report.html" && e2e_ok "report.html shows the route's escapes escaped" \
            || e2e_fail "report.html: $(grep -a esc "$esc/bundle/report.html" | head -3)"
        # A bundle sent back with an extra entry whose name carries escapes: verify names it escaped.
        cp "$esc/acme.zip" "$esc/evil.zip"
        python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "a").writestr("evidence/\x1b]52;c;eA==\x07\u202ex", "x")' "$esc/evil.zip"
        rc=0; tw verify "$esc/evil.zip" >"$esc/verify.txt" 2>&1 || rc=$?
        n="$(raw_controls "$esc/verify.txt")"
        if [ "$rc" = 1 ] && [ "$n" = 0 ] && grep -qF '\x1b]52;c;eA==\x07\u202ex' "$esc/verify.txt"; then
            e2e_ok "verify names a hostile entry escaped (exit 1)"
        else
            e2e_fail "verify of a hostile entry: exit $rc, $n raw control characters: $(cat -v "$esc/verify.txt")"
        fi
    else
        e2e_fail "export for acme: exit $rc $(cat "$esc/export.err")"
    fi
fi

# The live dashboard, following the same logs as they are written: tmux accepts OSC 52 from the
# pane (set-clipboard on), so an escape that got through would leave a paste buffer behind; the
# pane must show the visible form instead.
live="$work/live"
mkdir -p "$live"
cp "$esc/schema.sql" "$esc/tenantwatch.toml" "$live/"
: >"$live/postgresql.log"; : >"$live/audit.log"; : >"$live/redis-monitor.txt"
tmux_new_session -d -s "$session" -x 200 -y 50 \
    "cd '$live' && TERM=tmux-256color SWIFT_BACKTRACE=interactive=no '$TENANTWATCH' live --config tenantwatch.toml --store state.sqlite 2>err-live.txt; sleep 60"
tmux set-option -s set-clipboard on
buffers_before="$(tmux list-buffers 2>/dev/null | wc -l)"
wait_screen 15 "findings: 0" || e2e_fail "live dashboard did not start: $(screen | head -3) $(cat "$live/err-live.txt")"
for f in postgresql.log audit.log redis-monitor.txt; do cat "$esc/$f" >>"$live/$f"; done
if wait_screen 20 "findings: 2"; then e2e_ok "live dashboard shows the two findings of the escape logs"
else e2e_fail "live dashboard: $(screen | head -5) $(cat "$live/err-live.txt" 2>/dev/null)"; fi
raw_pane() { tmux capture-pane -t "$session" -p -e >"$esc/pane.txt"; tmux capture-pane -t "$session" -p >"$esc/pane-text.txt"; }
check_pane() {  # NAME [TEXT...]: also requires each TEXT on the screen (what only that view draws)
    raw_pane
    local want missing=""
    for want in "${@:2}"; do grep -qF -- "$want" "$esc/pane-text.txt" || missing="$missing [$want]"; done
    # capture-pane -e writes SGR (ESC [ ... m) for the dashboard's own colours: only those may be there.
    local other
    other="$(python3 - "$esc/pane.txt" <<'PY'
import re, sys
t = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
t = re.sub("\x1b\\[[0-9;:]*m", "", t)
print(len(re.findall("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]", t)))
PY
)"
    if [ -z "$missing" ] && [ "$other" = 0 ] && grep -qF '\x1b[2J\x1b[31mRED' "$esc/pane-text.txt" && grep -q "findings: 2" "$esc/pane-text.txt"; then
        e2e_ok "$1: escapes shown escaped, the raw pane holds no escape but the dashboard's colours"
    else
        e2e_fail "$1: $other foreign control characters; missing:${missing:- nothing}; $(grep -a 'RED' "$esc/pane-text.txt" | head -3)"
    fi
}
check_pane "dashboard (incidents and stream)"
grep -qF '\u202e' "$esc/pane-text.txt" && e2e_ok "dashboard: the bidi override is shown as \\u202e" \
    || e2e_fail "dashboard: no visible bidi escape: $(grep -a 'RED' "$esc/pane-text.txt" | head -2)"
# The incident detail (Enter on each incident) shows the statement and the request route.
# Each check waits for, and requires, text only the detail view draws (breadcrumb, section rules):
# on the main screen they fail.
for k in 1 2; do
    tmux send-keys -t "$session" Enter
    wait_screen 5 "── Timeline" || e2e_fail "incident detail $k did not open: $(screen | sed -n 1,5p)"
    check_pane "incident detail $k" "Dashboard › INC-" "── Timeline" "── Actions"
    tmux send-keys -t "$session" Escape
    wait_gone 5 "── Timeline" || e2e_fail "Escape left incident detail $k open"
    tmux send-keys -t "$session" Down
done
buffers_after="$(tmux list-buffers 2>/dev/null | wc -l)"
[ "$buffers_after" = "$buffers_before" ] && e2e_ok "no OSC 52 clipboard write reached tmux" \
    || e2e_fail "tmux got a paste buffer from the pane: $(tmux list-buffers | head -2)"
# While following: a 10 MB line, then another leak. The line is cut and counted, the leak found.
python3 -c 'import sys; sys.stdout.write("A" * (10 << 20) + "\n")' >>"$live/postgresql.log"
echo "2026-11-25 00:55:09.100 UTC [31338] app@sample/billing-api sess=6b0631ad.7a6a LOG:  statement: SELECT * FROM invoices WHERE id > 7" \
    >>"$live/postgresql.log"
if wait_screen 20 "findings: 3"; then e2e_ok "live: after a 10 MB line, the next leak is still found (findings: 3)"
else e2e_fail "live after a 10 MB line: $(screen | head -3)"; fi
tmux send-keys -t "$session" q
sleep 1

if [ "$E2E_FAILS" -gt 0 ]; then exit 1; fi
