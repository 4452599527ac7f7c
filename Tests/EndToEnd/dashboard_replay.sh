#!/usr/bin/env bash
# The real dashboard in tmux replaying the bundled sample logs (all three kinds of source):
# every finding the sample's README promises shows up, the header carries the replay clock and
# speed, `-`/`+` change the speed, space pauses, `--from` skips what came before, and q quits.
# Issue 14: `replay --speed 2` into a store numbers the incidents as `scan` does, and a second
# replay into the same store adds nothing.
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
    tmux_new_session -d -s "$session" -x 160 -y 45 \
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
# Text only the detail view draws: its breadcrumb and section rules (the list shows the id too,
# and x also works from the list).
if wait_screen 5 "Dashboard › INC-0003" && wait_screen 1 "── Timeline" && wait_screen 1 "── Actions"; then
    e2e_ok "Enter opens INC-0003's detail (breadcrumb, timeline, actions)"
else
    e2e_fail "no detail for INC-0003: $(screen | sed -n 1,8p)"
fi
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
wait_gone 5 "── Timeline" || e2e_fail "Escape left the detail open"
tmux send-keys -t "$session" q
exited() { [ -s "$work/exit.txt" ]; }
wait_until 10 exited || e2e_fail "q did not end the replay"
[ "$(cat "$work/exit.txt" 2>/dev/null)" = 0 ] && e2e_ok "q quits with status 0" || e2e_fail "exit: $(cat "$work/exit.txt" 2>/dev/null)"

# Real time: pause and speed keys act on the clock. At a quarter speed the sample's few seconds of
# log time last long enough that the end of the archive (which also shows PAUSED) is not reached
# while the keys are tested, even on a loaded machine.
replay --speed 0.25
wait_screen 10 "REPLAY" || e2e_fail "replay did not start: $(screen | head -2)"
tmux send-keys -t "$session" Space
if wait_screen 5 "PAUSED"; then e2e_ok "space pauses the replay"; else e2e_fail "no PAUSED: $(screen | head -1)"; fi
tmux send-keys -t "$session" Space
if wait_gone 5 "PAUSED"; then e2e_ok "space again resumes it"; else e2e_fail "still PAUSED: $(screen | head -1)"; fi
tmux send-keys -t "$session" +
if wait_screen 5 "×0.5"; then e2e_ok "+ doubles the speed (×0.25 → ×0.5)"; else e2e_fail "speed after +: $(screen | head -1)"; fi
tmux send-keys -t "$session" q
wait_until 10 exited || e2e_fail "q did not end the replay at speed 1"

# --from skips the first part of the archive: the report (before the export) is not replayed.
from="$(grep -F "SELECT * FROM invoices ORDER BY id" "$work/postgresql.log" | head -1 | cut -c1-19)"
replay --speed max --from "'$from'"
if wait_screen 20 "missing_tenant_predicate" && ! screen | grep -q "cross_tenant_query"; then
    e2e_ok "--from $from: the export job's leak is replayed, the earlier report is skipped"
else
    e2e_fail "--from: $(screen | sed -n 1,14p)"
fi
tmux send-keys -t "$session" q

# Issue 14: incident ids follow log time, so `replay --speed 2` numbers the incidents as `scan`
# does; and replaying the same archives into the same store again adds nothing.
cat >"$work/ids.py" <<'PY'
import json, sys
# store: "ID KINDS FINDINGS OCCURRENCES" per incident; scan: "ID KINDS" per incident.
if sys.argv[1] == "store":
    for i in sorted(json.load(sys.stdin), key=lambda i: i["id"]):
        print(i["id"], ",".join(sorted(i["kinds"])), i["finding_count"], i["occurrences"])
else:
    by = {}
    for line in sys.stdin:
        f = json.loads(line)
        by.setdefault(f["incident"], set()).add(f["kind"])
    for i in sorted(by):
        print(i, ",".join(sorted(by[i])))
PY
ids_of_store() {
    (cd "$work" && "$TENANTWATCH" incidents --store state.sqlite --format json) | python3 "$work/ids.py" store
}
(cd "$work" && "$TENANTWATCH" scan --config tenantwatch.toml --format ndjson 2>/dev/null) | python3 "$work/ids.py" scan >"$work/scan-ids.txt" || true
replay --speed 2
if wait_screen 30 "end of archive"; then
    tmux send-keys -t "$session" q
    sleep 0.5
    ids_of_store >"$work/replay-ids.txt"
    if [ -s "$work/scan-ids.txt" ] && [ "$(cut -d' ' -f1,2 "$work/replay-ids.txt")" = "$(cat "$work/scan-ids.txt")" ]; then
        e2e_ok "replay --speed 2 numbers the incidents as scan does ($(wc -l <"$work/scan-ids.txt") incidents)"
    else
        e2e_fail "incident ids differ: scan $(tr '\n' ';' <"$work/scan-ids.txt") replay $(tr '\n' ';' <"$work/replay-ids.txt")"
    fi
    # Again into the same store (not cleared): nothing added.
    rm -f "$work/exit.txt"
    tmux kill-session -t "$session" 2>/dev/null || true
    tmux new-session -d -s "$session" -x 160 -y 45 \
        "cd '$work' && TERM=tmux-256color '$TENANTWATCH' replay --config tenantwatch.toml --store state.sqlite --speed max 2>err.txt; echo \$? >exit.txt; sleep 60"
    if wait_screen 20 "end of archive"; then
        tmux send-keys -t "$session" q
        sleep 0.5
        if [ "$(ids_of_store)" = "$(cat "$work/replay-ids.txt")" ]; then
            e2e_ok "a second replay into the same store adds nothing"
        else
            e2e_fail "the second replay changed the store: $(ids_of_store | tr '\n' ';')"
        fi
    else
        e2e_fail "second replay did not finish: $(screen | head -2)"
    fi
else
    e2e_fail "replay --speed 2 did not finish: $(screen | head -2)"
fi

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
