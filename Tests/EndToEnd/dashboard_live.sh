#!/usr/bin/env bash
# The real dashboard in tmux (160x45), `tenantwatch live` following log files a test writer
# appends to: the header's counters, the incidents pane, the incident detail, the help overlay,
# a resize down to 80x24 and back, acknowledging from the keyboard, quitting with q (exit 0,
# terminal restored), SIGTERM, and a `kill -9` in the middle of a stream: after the restart
# every line is read exactly once (the store's checkpoints) and each finding is stored once.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
find_tenantwatch
source "$(dirname "${BASH_SOURCE[0]}")/lib/tmux.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-live.XXXXXX")"
session="tw-e2e-live-$$"
cleanup() {
    tmux kill-session -t "$session" 2>/dev/null || true
    e2e_drop_work dashboard_live "$work"
}
trap cleanup EXIT

cp "$REPO_ROOT/sample-logs/schema.sql" "$work/"
sample="$REPO_ROOT/sample-logs/postgresql.log"
prefix="$(sed -n 's/^prefix = "\(.*\)"$/\1/p' "$REPO_ROOT/sample-logs/tenantwatch.toml" | head -1)"
cat >"$work/tenantwatch.toml" <<TOML
[tenancy]
schema = "schema.sql"
global_tables = ["tenants"]

[correlation]
window_seconds = 2      # the export job's statement carries a trace id whose audit line never comes

[[source]]
kind = "postgres"
path = "postgresql.log"
format = "stderr"
prefix = "$prefix"
TOML
: >"$work/postgresql.log"

start_live() {
    rm -f "$work/exit.txt"
    tmux_new_session -d -s "$session" -x 160 -y 45 \
        "cd '$work' && TERM=tmux-256color SWIFT_BACKTRACE=interactive=no '$TENANTWATCH' live --config tenantwatch.toml --store state.sqlite 2>err.txt; echo \$? >exit.txt; sleep 60"
}
wait_exit() {
    local deadline=$((SECONDS + 10))
    while [ "$SECONDS" -lt "$deadline" ]; do
        [ -s "$work/exit.txt" ] && { cat "$work/exit.txt"; return 0; }
        sleep 0.2
    done
    echo timeout
}
# The live process under this test's tmux pane (a pattern over all processes would also match
# another run of the same binary: a soak, a second checkout's test).
live_pid() {
    local shell
    shell="$(tmux display-message -p -t "$session" '#{pane_pid}' 2>/dev/null)" || return 0
    pgrep -P "$shell" -f "live --config" | head -1 || true
}

# --- first run: follow, show, resize, act, quit ---------------------------------------------
start_live
if wait_screen 15 "findings: 0"; then e2e_ok "dashboard up: header shows findings: 0"; else e2e_fail "no dashboard: $(screen | head -5) $(cat "$work/err.txt" 2>/dev/null)"; fi

# First the part with the report's two-tenant query, then (after a restart) the export job's leak.
half=$(( $(grep -nF "SELECT * FROM invoices ORDER BY id" "$sample" | head -1 | cut -d: -f1) - 1 ))
head -n "$half" "$sample" >>"$work/postgresql.log"
if wait_screen 10 "findings: 1"; then
    e2e_ok "lines appended to the followed file show up: findings: 1 (the report's two-tenant query)"
else
    e2e_fail "after appending $half lines: $(screen | head -3)"
fi
screen | grep -q "cross_tenant_query" && e2e_ok "the incidents pane lists cross_tenant_query" \
    || e2e_fail "incidents pane: $(screen | sed -n 3,12p)"
screen | grep -q "incidents: 1" && e2e_ok "header shows incidents: 1" || e2e_fail "header: $(screen | head -1)"

# The header ends in "tenantwatch" at the right edge: at 80 columns that is only true once the
# dashboard has redrawn for the new size (the old 160-column frame cut at 80 columns is not).
header_at() { screen | head -1 | grep -q "tenantwatch *\$" && [ "$(screen | head -1 | sed 's/ *$//' | wc -L)" -le "$1" ] \
    && [ "$(screen | head -1 | sed 's/ *$//' | wc -L)" -gt $(($1 - 10)) ]; }
tmux resize-window -t "$session" -x 80 -y 24
wait_until 10 header_at 80 || e2e_fail "no redraw at 80x24: $(screen | head -1)"
small="$(screen)"
# Widths in characters, not bytes (mawk's length): "→" and an active incident's "●" are 3 bytes.
if grep -q "findings: 1" <<<"$small" && grep -q "incidents: 1" <<<"$small" \
    && [ "$(python3 -c 'import sys; print(max((len(l) for l in sys.stdin.read().splitlines()), default=0))' <<<"$small")" -le 80 ] \
    && [ "$(wc -l <<<"$small")" -le 24 ]; then
    e2e_ok "resized to 80x24: counters still visible, nothing drawn past the edge"
else
    e2e_fail "80x24 screen: $(head -3 <<<"$small")"
fi
tmux resize-window -t "$session" -x 160 -y 45
wait_until 10 header_at 160 || e2e_fail "no redraw at 160x45: $(screen | head -1)"
screen | grep -q "cross_tenant_query" && e2e_ok "resized back to 160x45" || e2e_fail "after resizing back: $(screen | head -5)"

# Text only the help overlay draws (the key bar always shows "quit" and "help").
tmux send-keys -t "$session" '?'
if wait_screen 5 "close this help" && wait_screen 1 "─ Keys"; then e2e_ok "? opens the help overlay"; else e2e_fail "no help overlay: $(screen | sed -n 4,8p)"; fi
tmux send-keys -t "$session" Escape
wait_gone 5 "close this help" || e2e_fail "Escape left the help overlay open"
tmux send-keys -t "$session" Enter
if wait_screen 5 "── Timeline" && wait_screen 1 "Dashboard › INC-"; then e2e_ok "Enter opens the incident detail with its timeline"; else e2e_fail "no detail: $(screen | head -8)"; fi
tmux send-keys -t "$session" a
if wait_screen 3 "acknowledged"; then e2e_ok "a acknowledges the incident"; else e2e_fail "acknowledge: $(screen | sed -n 1,6p)"; fi
tmux send-keys -t "$session" Escape
wait_gone 5 "── Timeline" || e2e_fail "Escape left the detail open"
tmux send-keys -t "$session" q
code="$(wait_exit)"
[ "$code" = 0 ] && e2e_ok "q quits with status 0" || e2e_fail "exit status after q: $code ($(cat "$work/err.txt"))"
# The terminal is restored: the pane is back in normal mode, no alternate screen.
[ "$(tmux display-message -p -t "$session" '#{alternate_on}')" = 0 ] && e2e_ok "terminal restored (alternate screen off)" \
    || e2e_fail "alternate screen still on after quitting"
state="$("$TENANTWATCH" incidents --store "$work/state.sqlite" --state acknowledged --format json \
    | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
[ "$state" = 1 ] && e2e_ok "the acknowledgement is in the store" || e2e_fail "acknowledged incidents in the store: $state"
tmux kill-session -t "$session"

# --- kill -9 in the middle, restart: nothing read twice, nothing skipped ----------------------
start_live
wait_screen 15 "findings: 1" || e2e_fail "restart: $(screen | head -3)"
tail -n +"$((half + 1))" "$sample" >>"$work/postgresql.log"
if wait_screen 10 "findings: 2"; then e2e_ok "after restart, the rest of the file: findings: 2 (the export job)"; else e2e_fail "rest of file: $(screen | head -2)"; fi
# Where the store says reading stood (the resume line itself is a correlation context behind):
# polled until it reaches the end of the file, not assumed after a pause.
checkpoint_line() {
    python3 - "$work/state.sqlite" <<'PY' 2>/dev/null || echo 0
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=5)
row = db.execute("SELECT coalesce(read_line, line) FROM checkpoint WHERE path LIKE '%postgresql.log'").fetchone()
print(row[0] if row else 0)
PY
}
at_line() { [ "$(checkpoint_line)" = "$1" ]; }
wait_until 30 at_line "$(wc -l <"$work/postgresql.log")" || e2e_fail "checkpoint before the kill: $(checkpoint_line)"
pid="$(live_pid)"
kill -9 "$pid"
wait_until 10 pid_gone "$pid" || e2e_fail "kill -9 did not end $pid"
# The export job runs its leak again while tenantwatch is down.
grep -F "SELECT * FROM invoices ORDER BY id" "$sample" | head -1 >>"$work/postgresql.log"
tmux kill-session -t "$session"
start_live
# The restart has read the line written while it was down: its checkpoint reaches the end.
wait_until 30 at_line "$(wc -l <"$work/postgresql.log")" || e2e_fail "restart never read to the end: line $(checkpoint_line)"
wait_screen 15 "findings: 2" || e2e_fail "after restart: $(screen | head -2)"
pid="$(live_pid)"
kill -TERM "$pid"
code="$(wait_exit)"
[ "$code" = 143 ] && e2e_ok "SIGTERM ends it with status 143, terminal restored" || e2e_fail "exit after SIGTERM: $code"
lines="$(wc -l <"$work/postgresql.log")"
if python3 - "$work/state.sqlite" "$lines" <<'PY'; then :; else E2E_FAILS=$((E2E_FAILS + 1)); fi
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ok = True
def check(cond, msg):
    global ok
    print(("ok - " if cond else "FAIL - ") + msg)
    ok = ok and cond
line = db.execute("SELECT line FROM checkpoint WHERE path LIKE '%postgresql.log'").fetchone()
check(line is not None and line[0] == int(sys.argv[2]), f"checkpoint at line {line and line[0]} of {sys.argv[2]}: every line read")
rows = db.execute("SELECT kind, count FROM finding ORDER BY kind").fetchall()
kinds = [k for k, _ in rows]
check(kinds == ["cross_tenant_query", "missing_tenant_predicate"], f"each finding stored once: {rows}")
counts = dict(rows)
check(counts.get("missing_tenant_predicate") == 2, f"the export job's leak counted twice (before and while down), not more: {counts}")
check(counts.get("cross_tenant_query") == 1, f"the report's query counted once across three runs: {counts}")
sys.exit(0 if ok else 1)
PY

if [ "$E2E_FAILS" -gt 0 ]; then exit 1; fi
