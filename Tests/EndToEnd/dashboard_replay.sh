#!/usr/bin/env bash
# The real dashboard in tmux replaying the bundled sample logs (all three kinds of source):
# every finding the sample's README promises shows up, the header carries the replay clock and
# speed, `-`/`+` change the speed, space pauses, `--from` skips what came before, and q quits.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
find_tenantwatch
source "$(dirname "${BASH_SOURCE[0]}")/lib/tmux.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-replay.XXXXXX")"
session="tw-e2e-replay-$$"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"' EXIT
cp "$REPO_ROOT"/sample-logs/* "$work/"

replay() {  # replay ARGS...: a fresh store each time
    rm -f "$work"/state.sqlite* "$work/exit.txt"
    tmux kill-session -t "$session" 2>/dev/null || true
    tmux new-session -d -s "$session" -x 160 -y 45 \
        "cd '$work' && TERM=tmux-256color '$TENANTWATCH' replay --config tenantwatch.toml --store state.sqlite $* 2>err.txt; echo \$? >exit.txt; sleep 60"
}

# The sample's README: nine findings in eight incidents over all sources.
replay --speed max
if wait_screen 20 "findings: 9"; then e2e_ok "replay at max speed: findings: 9, as sample-logs/README.md promises"; else e2e_fail "$(screen | head -2) $(cat "$work/err.txt" 2>/dev/null)"; fi
screen | grep -q "incidents: 8" && e2e_ok "incidents: 8" || e2e_fail "header: $(screen | head -1)"
# At the end of the archives the header says so (not PAUSED, no frozen rate).
screen | head -1 | grep -Eq "replay finished — [0-9]+ events, 8 incidents" && e2e_ok "the header says the replay finished, with its counts" \
    || e2e_fail "end of replay: $(screen | head -1)"
for kind in cross_tenant_query missing_tenant_predicate cross_tenant_response token_host_mismatch unsigned_token unscoped_cache_key; do
    screen | grep -q "$kind" || e2e_fail "incidents pane lacks $kind"
done
e2e_ok "the incidents pane lists every kind the sample holds"
# Export from the incident detail: x writes a bundle for each exposed tenant, verifiable.
row="$(screen | grep -n "INC-0003" | head -1 | cut -d: -f1)"
first="$(screen | grep -n "INC-00" | head -1 | cut -d: -f1)"
for _ in $(seq 1 $((row - first))); do tmux send-keys -t "$session" Down; done
tmux send-keys -t "$session" Enter
wait_screen 3 "INC-0003" || e2e_fail "no detail for INC-0003"
tmux send-keys -t "$session" x
if wait_screen 10 "wrote INC-0003-globex.zip"; then
    e2e_ok "x in the incident detail exports INC-0003 for globex (the exposed tenant)"
else
    e2e_fail "export from the dashboard: $(screen | tail -2)"
fi
if "$TENANTWATCH" verify "$work/tenantwatch-bundles/INC-0003-globex.zip" >/dev/null 2>&1; then
    e2e_ok "the dashboard's bundle verifies"
else
    e2e_fail "the dashboard's bundle does not verify"
fi
tmux send-keys -t "$session" Escape
tmux send-keys -t "$session" q
sleep 1
[ "$(cat "$work/exit.txt" 2>/dev/null)" = 0 ] && e2e_ok "q quits with status 0" || e2e_fail "exit: $(cat "$work/exit.txt" 2>/dev/null)"

# Real time: pause and speed keys act on the clock.
replay --speed 1
wait_screen 10 "REPLAY" || e2e_fail "replay did not start: $(screen | head -2)"
tmux send-keys -t "$session" Space
if wait_screen 3 "PAUSED"; then e2e_ok "space pauses the replay"; else e2e_fail "no PAUSED: $(screen | head -1)"; fi
tmux send-keys -t "$session" Space
sleep 0.5
tmux send-keys -t "$session" +
if wait_screen 3 "×2"; then e2e_ok "+ doubles the speed (×2)"; else e2e_fail "speed after +: $(screen | head -1)"; fi
tmux send-keys -t "$session" q
sleep 1

# --from skips the first part of the archive: the report (before the export) is not replayed.
from="$(grep -F "SELECT * FROM invoices ORDER BY id" "$work/postgresql.log" | head -1 | cut -c1-19)"
replay --speed max --from "'$from'"
if wait_screen 20 "missing_tenant_predicate" && ! screen | grep -q "cross_tenant_query"; then
    e2e_ok "--from $from: the export job's leak is replayed, the earlier report is skipped"
else
    e2e_fail "--from: $(screen | sed -n 1,14p)"
fi
tmux send-keys -t "$session" q

# Without a terminal, or with a theme that does not exist: one line, exit 2, no screen touched.
rc=0
(cd "$work" && "$TENANTWATCH" replay --config tenantwatch.toml --store state.sqlite </dev/null >"$work/notty.out" 2>&1) || rc=$?
[ "$rc" = 2 ] && grep -q "needs a terminal" "$work/notty.out" && e2e_ok "no terminal: exit 2 and says why" \
    || e2e_fail "no terminal: exit $rc: $(head -c 300 "$work/notty.out")"
rc=0
(cd "$work" && "$TENANTWATCH" replay --config tenantwatch.toml --store state.sqlite --theme no-such-theme </dev/null >"$work/theme.out" 2>&1) || rc=$?
[ "$rc" = 2 ] && grep -q "no-such-theme" "$work/theme.out" && e2e_ok "unknown theme: exit 2 naming it" \
    || e2e_fail "unknown theme: exit $rc: $(head -c 300 "$work/theme.out")"

if [ "$E2E_FAILS" -gt 0 ]; then exit 1; fi
