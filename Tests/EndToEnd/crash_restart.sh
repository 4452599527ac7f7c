#!/usr/bin/env bash
# Crash safety: `tenantwatch live` (in tmux) follows a query log, an audit log and Redis MONITOR
# output that a writer grows in log-time order, with leaks spread through (unscoped and
# cross-tenant statements, cross-tenant responses, unscoped cache keys). It is killed with
# SIGKILL 20 times at random moments (during startup, mid-burst, while catching up) and
# restarted each time; then it runs to the end and quits. The store must hold exactly what a
# `scan` of the same files finds: every finding once, with the same count (nothing lost with the
# requests held in the correlation window, nothing recorded twice when lines are read again),
# and the checkpoints must have reached every file's last line without ever moving backwards.
#   CRASH_SEED=N to repeat a run's kill moments (a fresh random seed otherwise, printed at the
#   start and in the summary line).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
find_tenantwatch
source "$(dirname "${BASH_SOURCE[0]}")/lib/tmux.sh"

seed="$(e2e_seed CRASH_SEED)"
RANDOM=$seed
echo "# kill moments from CRASH_SEED=$seed"
work="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-crash.XXXXXX")"
session="tw-e2e-crash-$$"
writer_pid=""
cleanup() {
    [ -n "$writer_pid" ] && kill "$writer_pid" 2>/dev/null || true
    tmux kill-session -t "$session" 2>/dev/null || true
    e2e_drop_work crash_restart "$work"
}
trap cleanup EXIT

mkdir -p "$work/source"
cp "$REPO_ROOT/sample-logs/schema.sql" "$work/"
# ~40 s of log time from ~100 backends and the API in front of them.
python3 "$REPO_ROOT/scripts/gen-bench-log.py" --lines 16000 --seed 11 --time-scale 6 --out "$work/source/postgresql.log" \
    --audit "$work/source/audit.log" --redis "$work/source/redis.log" 2>/dev/null
cat >"$work/tenantwatch.toml" <<TOML
[tenancy]
schema = "schema.sql"
global_tables = ["tenants"]

[correlation]
window_seconds = 2

[[source]]
kind = "postgres"
path = "postgresql.log"
format = "stderr"
prefix = "%m [%p] %q%u@%d/%a sess=%c "

[[source]]
kind = "audit"
path = "audit.log"

[[source]]
kind = "redis"
path = "redis.log"
TOML
: >"$work/postgresql.log"
: >"$work/audit.log"
: >"$work/redis.log"

# The writer: the three logs in log-time order, 100 ms of log time every ~0.15 s of wall time,
# whole lines (a record's continuation lines go with it).
start_writer() {
python3 - "$work" <<'PY' &
import datetime, json, sys, time
work = sys.argv[1]

def stamped(path, when):
    out, last = [], 0.0
    for line in open(f"{work}/source/{path}", encoding="utf-8"):
        t = when(line)
        last = t if t is not None else last
        out.append((last, line))
    return out

def pg_time(line):
    if line.startswith("\t"):
        return None
    return datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc).timestamp()

def audit_time(line):
    return datetime.datetime.strptime(json.loads(line)["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()

sources = {"postgresql.log": stamped("postgresql.log", pg_time), "audit.log": stamped("audit.log", audit_time),
           "redis.log": stamped("redis.log", lambda l: float(l.split(" ", 1)[0]))}
start = min(v[0][0] for v in sources.values())
end = max(v[-1][0] for v in sources.values())
outs = {name: open(f"{work}/{name}", "a", encoding="utf-8") for name in sources}
index = {name: 0 for name in sources}
cut = start
while cut <= end + 0.1:
    cut += 0.1
    for name, lines in sources.items():
        i = index[name]
        j = i
        while j < len(lines) and (lines[j][0] < cut or lines[j][1].startswith("\t")):
            j += 1
        # A record's continuation lines belong with it.
        if j > i:
            outs[name].write("".join(l for _, l in lines[i:j]))
            outs[name].flush()
        index[name] = j
    time.sleep(0.15)
for f in outs.values():
    f.close()
open(f"{work}/writer.done", "w").close()
PY
writer_pid=$!
}

start_live() {
    rm -f "$work/exit.txt"
    tmux_new_session -d -s "$session" -x 140 -y 40 \
        "cd '$work' && TERM=tmux-256color SWIFT_BACKTRACE=interactive=no '$TENANTWATCH' live --config tenantwatch.toml --store state.sqlite 2>err.txt; echo \$? >exit.txt; sleep 60"
}
live_pid() {
    local shell
    shell="$(tmux display-message -p -t "$session" '#{pane_pid}' 2>/dev/null)" || return 0
    pgrep -P "$shell" -f "live --config" | head -1 || true
}
# Checkpoint lines as "path line read_line", one a row: empty only while no store or no checkpoint
# table exists yet (before the first commit). Any other failure to read them is a line
# "ERROR why" and status 1, which the callers count as a failure: an unreadable store must not
# look like a store with nothing to check.
checkpoints() {
    python3 - "$work/state.sqlite" <<'PY'
import os, sqlite3, sys
path = sys.argv[1]
if not os.path.exists(path):
    sys.exit(0)
try:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    columns = [c[1] for c in db.execute("PRAGMA table_info(checkpoint)")]
    if not columns:
        sys.exit(0)
    read = "coalesce(read_line, line)" if "read_line" in columns else "line"
    for p, l, r in db.execute(f"SELECT path, line, {read} FROM checkpoint ORDER BY path"):
        print(p.rsplit("/", 1)[-1], l, r)
except sqlite3.Error as e:
    print("ERROR", e)
    sys.exit(1)
PY
}
# Sets $rows to the checkpoints, which must be the three files' rows: fails (naming why) otherwise.
three_checkpoints() {  # LABEL
    rows="$(checkpoints)" || { e2e_fail "$1: cannot read the checkpoints: $rows"; rows=""; return 1; }
    if [ "$(grep -c . <<<"$rows")" != 3 ]; then
        e2e_fail "$1: expected checkpoints of 3 files, got: $(tr '\n' ';' <<<"$rows")"
        rows=""
        return 1
    fi
}

# live without checkpoints starts at the end of its files (tail -F): the first run has to be
# following (its first checkpoints stored) before the writer begins.
start_live
has_three() { [ "$(checkpoints | grep -c .)" = 3 ]; }
wait_until 60 has_three || true
[ "$(checkpoints | wc -l)" = 3 ] || e2e_fail "the first run stored no checkpoints: $(cat "$work/err.txt" 2>/dev/null)"
tmux kill-session -t "$session" 2>/dev/null || true
start_writer

kills=0
backwards=0
declare -A last_line=()
for round in $(seq 1 20); do
    start_live
    # Every fourth kill lands during startup; the rest while reading, mid-burst.
    if [ $((round % 4)) = 2 ]; then
        delay="0.$((RANDOM % 4))$((RANDOM % 10))"
    else
        delay="$((RANDOM % 3)).$((RANDOM % 10))"
    fi
    sleep "$delay"
    pid=""
    live_running() { pid="$(live_pid)"; [ -n "$pid" ]; }
    wait_until 30 live_running || true
    if [ -z "$pid" ]; then
        e2e_fail "round $round: live is not running: $(cat "$work/err.txt" 2>/dev/null) $(screen | head -3)"
        break
    fi
    kill -9 "$pid"
    kills=$((kills + 1))
    wait_until 10 pid_gone "$pid" || e2e_fail "round $round: kill -9 did not end $pid"
    tmux kill-session -t "$session" 2>/dev/null || true
    three_checkpoints "round $round" || continue
    while read -r path line read; do
        [ -n "$path" ] || continue
        if [ "$line" -gt "$read" ] || [ "$read" -gt "$(wc -l <"$work/$path")" ]; then
            e2e_fail "round $round: $path resumes at $line, read to $read, of $(wc -l <"$work/$path") lines"
        fi
        if [ "$line" -lt "${last_line[$path]:-0}" ]; then backwards=$((backwards + 1)); fi
        last_line[$path]=$line
    done <<<"$rows"
done
[ "$kills" = 20 ] && e2e_ok "killed with SIGKILL 20 times and restarted (delays from CRASH_SEED=$seed)" \
    || e2e_fail "only $kills kills"
[ "$backwards" = 0 ] && e2e_ok "the saved resume points never moved backwards across the kills" \
    || e2e_fail "$backwards resume points moved backwards"

# The last run: to the end of the logs, then q (what waits for an audit line is judged then).
writer_done() { [ -e "$work/writer.done" ]; }
wait_until 120 writer_done || e2e_fail "the writer did not finish"
writer_pid=""
start_live
caught_up=""
deadline=$((SECONDS + 120))
while [ "$SECONDS" -lt "$deadline" ]; do
    behind=0
    n=0
    while read -r path line read; do
        [ -n "$path" ] || continue
        n=$((n + 1))
        [ "$read" -lt "$(wc -l <"$work/$path")" ] && behind=1
    done < <(checkpoints)
    if [ "$n" = 3 ] && [ "$behind" = 0 ]; then caught_up=1; break; fi
    sleep 0.3
done
[ -n "$caught_up" ] && e2e_ok "after the last restart every file was read to its last line" \
    || e2e_fail "not caught up: $(checkpoints | tr '\n' ';') $(cat "$work/err.txt" 2>/dev/null)"
# The scan's findings, independently of live; then poll the store until it holds them (the last
# statements are judged once a correlation window passes without their audit line). The final
# comparison below, after q, is the check; this only waits for the state, under a deadline.
(cd "$work" && "$TENANTWATCH" scan --config tenantwatch.toml --format ndjson >scan.ndjson 2>scan.err) || [ $? = 1 ] \
    || e2e_fail "scan: $(cat "$work/scan.err")"
store_matches_scan() { python3 "$E2E_DIR/lib/compare_store_scan.py" "$work/state.sqlite" "$work/scan.ndjson" >/dev/null 2>&1; }
wait_until 60 store_matches_scan || echo "# the store did not match the scan before q; q judges what still waits"
tmux send-keys -t "$session" q
exited() { [ -s "$work/exit.txt" ]; }
wait_until 30 exited || true
[ "$(cat "$work/exit.txt" 2>/dev/null)" = 0 ] && e2e_ok "the last run quits with status 0" \
    || e2e_fail "last run: exit $(cat "$work/exit.txt" 2>/dev/null) $(cat "$work/err.txt" 2>/dev/null)"
tmux kill-session -t "$session" 2>/dev/null || true

ok_lines=1
three_checkpoints "final" || ok_lines=0
while read -r path line read; do
    [ -n "$path" ] || continue
    total="$(wc -l <"$work/$path")"
    if [ "$line" != "$total" ] || [ "$read" != "$total" ]; then ok_lines=0; e2e_fail "$path: checkpoint at $line/$read of $total lines"; fi
done <<<"$rows"
[ "$ok_lines" = 1 ] && e2e_ok "final checkpoints: every file at its last line ($(checkpoints | tr '\n' ' '))"
for f in postgresql.log audit.log redis.log; do
    cmp -s "$work/$f" "$work/source/$f" || e2e_fail "$f was not written whole"
done

if python3 "$E2E_DIR/lib/compare_store_scan.py" "$work/state.sqlite" "$work/scan.ndjson" "live (20 kills)"; then :; else
    E2E_FAILS=$((E2E_FAILS + 1))
fi

if [ "$E2E_FAILS" -gt 0 ]; then exit 1; fi
