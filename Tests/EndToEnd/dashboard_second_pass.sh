#!/usr/bin/env bash
# Issue 17 on the real dashboard in tmux, over the bundled sample logs: `live` says where it
# started reading and `--from-start` finds what the files already hold; a critical incident is
# resolved only after y and can be reopened (the store agrees); Enter on a stream row opens its
# incident; `/` finds a request id that is only in the evidence; TERM=xterm (8 colours) draws
# no black text and TERM=dumb gets a message, not a broken screen.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
find_tenantwatch
source "$(dirname "${BASH_SOURCE[0]}")/lib/tmux.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-second.XXXXXX")"
session="tw-e2e-second-$$"
cleanup() {
    tmux kill-session -t "$session" 2>/dev/null || true
    e2e_drop_work dashboard_second_pass "$work"
}
trap cleanup EXIT
cp "$REPO_ROOT"/sample-logs/* "$work/"

run_tw() {  # run_tw TERM ARGS...: the dashboard in a fresh 160x45 session
    local term="$1"; shift
    rm -f "$work/exit.txt"
    tmux kill-session -t "$session" 2>/dev/null || true
    tmux new-session -d -s "$session" -x 160 -y 45 \
        "cd '$work' && TERM=$term '$TENANTWATCH' $* 2>err.txt; echo \$? >exit.txt; sleep 60"
}
wait_exit() {
    local deadline=$((SECONDS + 10))
    while [ "$SECONDS" -lt "$deadline" ]; do
        [ -s "$work/exit.txt" ] && { cat "$work/exit.txt"; return 0; }
        sleep 0.2
    done
    echo timeout
}

# --- live: where reading started -------------------------------------------------------------
run_tw tmux-256color live --config tenantwatch.toml --store end.sqlite
if wait_screen 10 "reading from the end of the files"; then
    e2e_ok "live over files that hold leaks says it reads from their end"
else
    e2e_fail "no origin line: $(screen | sed -n 1,4p) $(cat "$work/err.txt" 2>/dev/null)"
fi
screen | grep -q "no incidents yet" && e2e_ok "... and so shows no incidents yet" || e2e_fail "$(screen | sed -n 4,6p)"
tmux send-keys -t "$session" q
[ "$(wait_exit)" = 0 ] || e2e_fail "live did not quit"

run_tw tmux-256color live --from-start --config tenantwatch.toml --store start.sqlite
if wait_screen 20 "incidents: 8"; then
    e2e_ok "live --from-start finds the 8 incidents the files already hold"
else
    e2e_fail "--from-start: $(screen | sed -n 1,3p) $(cat "$work/err.txt" 2>/dev/null)"
fi
screen | grep -q "reading from the start of the files" && e2e_ok "... and says it read them from the start" \
    || e2e_fail "origin: $(screen | sed -n 3p)"
tmux send-keys -t "$session" q
wait_exit >/dev/null

# --- replay: confirm, reopen, stream Enter, evidence search -----------------------------------
run_tw tmux-256color replay --speed max --config tenantwatch.toml --store replay.sqlite
wait_screen 20 "replay finished" || e2e_fail "replay did not finish: $(screen | head -1)"
# The first critical incident in the list.
crit="$(screen | grep -m1 -o "CRIT INC-[0-9]*" | cut -d' ' -f2)"
first="$(screen | grep -n -m1 " INC-0" | cut -d: -f1)"
row="$(screen | grep -n -m1 "CRIT $crit" | cut -d: -f1)"
for _ in $(seq 1 $((row - first))); do tmux send-keys -t "$session" Down; done
tmux send-keys -t "$session" r
if wait_screen 3 "resolve critical incident $crit?"; then e2e_ok "r on critical $crit asks first"; else e2e_fail "no confirmation: $(screen | tail -1)"; fi
tmux send-keys -t "$session" n
wait_screen 3 "not done: $crit stays open" && e2e_ok "any key but y keeps it open" || e2e_fail "after n: $(screen | tail -1)"
tmux send-keys -t "$session" r
wait_screen 3 "resolve critical incident" || true
tmux send-keys -t "$session" y
if wait_screen 3 "$crit resolved — u reopens"; then e2e_ok "y resolves it and says how to undo"; else e2e_fail "after y: $(screen | tail -1)"; fi
stored_state() { "$TENANTWATCH" incidents show "$crit" --store "$work/replay.sqlite" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])'; }
[ "$(stored_state)" = resolved ] && e2e_ok "the store has $crit resolved" || e2e_fail "store state: $(stored_state)"
tmux send-keys -t "$session" u
if wait_screen 3 "$crit reopened"; then e2e_ok "u reopens it"; else e2e_fail "after u: $(screen | tail -1)"; fi
[ "$(stored_state)" = open ] && e2e_ok "the store has $crit open again" || e2e_fail "store state after u: $(stored_state)"

# Notes from the dashboard: m opens an internal one, Tab in its prompt makes it customer-visible;
# the store keeps which is which, and the detail view marks each.
tmux send-keys -t "$session" m
wait_screen 3 "internal note for $crit (Tab: customer-visible):" && e2e_ok "m opens an internal note for $crit" \
    || e2e_fail "m: $(screen | tail -1)"
tmux send-keys -t "$session" -l "paged the db team"
tmux send-keys -t "$session" Enter
wait_screen 3 "internal note added to $crit" && e2e_ok "Enter adds it as internal" || e2e_fail "after Enter: $(screen | tail -1)"
tmux send-keys -t "$session" m
tmux send-keys -t "$session" -l "cache keys now carry the tenant"
tmux send-keys -t "$session" Tab
wait_screen 3 "customer-visible note for $crit (Tab: internal): cache keys now carry the tenant" \
    && e2e_ok "Tab in the note prompt switches it to customer-visible, the text kept" || e2e_fail "after Tab: $(screen | tail -1)"
tmux send-keys -t "$session" Enter
wait_screen 3 "customer-visible note added to $crit" || e2e_fail "customer note: $(screen | tail -1)"
stored_notes() { "$TENANTWATCH" incidents show "$crit" --store "$work/replay.sqlite" --format json | python3 -c '
import json, sys
print("|".join(n["visibility"] + ":" + n["text"] for n in json.load(sys.stdin)["notes"] if not n["text"].startswith("state: ")))'; }
[ "$(stored_notes)" = "internal:paged the db team|customer:cache keys now carry the tenant" ] \
    && e2e_ok "the store has one internal and one customer-visible note" || e2e_fail "stored notes: $(stored_notes)"
tmux send-keys -t "$session" Enter
if wait_screen 3 "[customer-visible] " && screen | grep -qF "[internal] " && screen | grep -qF ": cache keys now carry the tenant"; then
    e2e_ok "the detail view marks each note [internal] or [customer-visible]"
else
    e2e_fail "detail notes: $(screen | grep -F -A4 Notes)"
fi
tmux send-keys -t "$session" q
wait_screen 3 "Incidents (" || e2e_fail "back to the list: $(screen | head -4)"

# A request id that is only in a finding's evidence, nowhere in the list's columns: / finds it.
req="$(python3 -c 'import sqlite3,sys; r = sqlite3.connect(sys.argv[1]).execute("SELECT request_id, incident_id FROM finding WHERE request_id IS NOT NULL ORDER BY id LIMIT 1").fetchone(); print(*r)' "$work/replay.sqlite")"
read -r req_id req_incident <<<"$req"
if [ -n "$req_id" ] && ! screen | grep -qF "$req_id"; then
    tmux send-keys -t "$session" g / "$req_id" Enter
    sleep 0.3
    tmux send-keys -t "$session" Enter
    if wait_screen 3 "Dashboard › $req_incident"; then e2e_ok "/$req_id finds $req_incident by its evidence"; else e2e_fail "/$req_id: $(screen | sed -n 3p; screen | tail -1)"; fi
    tmux send-keys -t "$session" Escape
else
    e2e_fail "no request id to search for: '$req'"
fi

# Enter on a stream row opens that row's incident: find the export job's leaking statement.
tmux send-keys -t "$session" Escape Tab
tmux send-keys -t "$session" / "FROM invoices ORDER BY id" Enter
sleep 0.3
tmux send-keys -t "$session" Enter
if wait_screen 3 "Timeline" && screen | grep -q "missing_tenant_predicate"; then
    e2e_ok "Enter on the stream row opens its incident (missing_tenant_predicate)"
else
    e2e_fail "Enter on a stream row: $(screen | sed -n 1,5p)"
fi
tmux send-keys -t "$session" q q
[ "$(wait_exit)" = 0 ] && e2e_ok "q quits" || e2e_fail "exit after q"

# --- colours and terminals --------------------------------------------------------------------
run_tw xterm replay --speed max --config tenantwatch.toml --store colours.sqlite
wait_screen 20 "replay finished" || e2e_fail "TERM=xterm: $(screen | head -2)"
painted="$(tmux capture-pane -t "$session" -p -e)"
rows="$(screen | grep -c "INC-0")"
# SGR foreground black is 30 (alone or after another parameter): text gone on a dark terminal.
if grep -Eq $'\e\\[([0-9]+;)*30(;[0-9]+)*m' <<<"$painted"; then
    e2e_fail "TERM=xterm draws black text: $(grep -Eo $'\e\\[([0-9]+;)*30(;[0-9]+)*m' <<<"$painted" | sort -u | head -3 | cat -v)"
else
    e2e_ok "TERM=xterm (8 colours): no black foreground anywhere ($rows incident rows drawn)"
fi
[ "$rows" -ge 8 ] || e2e_fail "TERM=xterm drew $rows incident rows"
tmux send-keys -t "$session" q
wait_exit >/dev/null

run_tw dumb replay --speed max --config tenantwatch.toml --store dumb.sqlite
code="$(wait_exit)"
if [ "$code" = 2 ] && grep -q "TERM=dumb cannot move the cursor" "$work/err.txt"; then
    e2e_ok "TERM=dumb: exit 2 with a message naming what to use instead"
else
    e2e_fail "TERM=dumb: exit $code: $(head -c 300 "$work/err.txt")"
fi

if [ "$E2E_FAILS" -gt 0 ]; then exit 1; fi
