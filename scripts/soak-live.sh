#!/usr/bin/env bash
# Soak: `tenantwatch live` (the real dashboard, in tmux) follows a PostgreSQL stderr query log, an
# audit log and Redis MONITOR output — 24 hours of log time, ~10.8M lines — that a writer grows
# in log-time order at a fixed rate, rotating each file by rename (as logrotate does: .1 the
# newest) every SOAK_ROTATE lines. Samples the live process's RSS and the lag (bytes written not
# yet read, from the store's checkpoints) every 2 s, and times the catch-up after the writer
# stops. Then `scan`s the same (rotated) files and compares: the findings in the live store must
# be identical to the scan's (same findings, each once, same counts).
#   scripts/soak-live.sh          (make soak; make bench runs it unless BENCH_SOAK=0)
# Environment: SOAK_LINES query-log lines (default 10000000; the audit and Redis logs add ~8%),
#              SOAK_HOURS of log time (default 24), SOAK_RATE lines/s over all three (default 40000),
#              SOAK_ROTATE lines per file before rotation (default 1000000),
#              TENANTWATCH (default .build/release/tenantwatch), SOAK_KEEP=1 keeps the files.
# Prints a Markdown table for BENCHMARKS.md. Exit 1 when memory grows after warm-up, the lag
# builds up or is not caught up, or the findings differ from the scan's.
set -euo pipefail
export SWIFT_BACKTRACE=interactive=no
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lines="${SOAK_LINES:-10000000}"
hours="${SOAK_HOURS:-24}"
rate="${SOAK_RATE:-40000}"
rotate="${SOAK_ROTATE:-1000000}"
tw="${TENANTWATCH:-$root/.build/release/tenantwatch}"
data="$root/bench-data"
# The generator's mean gap between query-log lines is 0.4 ms; stretched to span the hours asked.
scale="$(python3 -c "print(round($hours * 3600 / ($lines * 0.0004), 4))")"
base="$data/soak-$lines-${hours}h"
work="$(mktemp -d "${TMPDIR:-/tmp}/tw-soak.XXXXXX")"
session="tw-soak-$$"
cleanup() {
    tmux kill-session -t "$session" 2>/dev/null || true
    if [ -n "${SOAK_KEEP:-}" ]; then echo "soak: files kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
mkdir -p "$data"
command -v tmux >/dev/null || { echo "soak: tmux is missing; run scripts/deps.sh bench" >&2; exit 1; }
[ -x "$tw" ] || { echo "soak: no tenantwatch at $tw (make build)" >&2; exit 1; }

if [ ! -s "$base.redis" ]; then
    echo "soak: generating $lines query-log lines over $hours h of log time (+ audit, redis) ..." >&2
    python3 "$root/scripts/gen-bench-log.py" --lines "$lines" --seed 7 --time-scale "$scale" \
        --out "$base.pg.tmp" --audit "$base.audit.tmp" --redis "$base.redis.tmp"
    mv "$base.pg.tmp" "$base.pg"
    mv "$base.audit.tmp" "$base.audit"
    mv "$base.redis.tmp" "$base.redis"
fi

cp "$root/sample-logs/schema.sql" "$work/"
config() {   # config PG AUDIT REDIS
    cat <<TOML
[tenancy]
schema = "schema.sql"
global_tables = ["tenants"]

[[source]]
kind = "postgres"
path = "$1"
format = "stderr"
prefix = "%m [%p] %q%u@%d/%a sess=%c "

[[source]]
kind = "audit"
path = "$2"

[[source]]
kind = "redis"
path = "$3"
TOML
}
config postgresql.log audit.log redis.log >"$work/tenantwatch.toml"
# The scan reads every file the live run saw, rotated ones included.
config 'postgresql.log*' 'audit.log*' 'redis.log*' >"$work/scan.toml"
: >"$work/postgresql.log"
: >"$work/audit.log"
: >"$work/redis.log"

tmux new-session -d -s "$session" -x 160 -y 45 \
    "cd '$work' && TERM=tmux-256color '$tw' live --config tenantwatch.toml --store state.sqlite 2>err.txt; sleep 600"
for _ in $(seq 1 100); do
    tmux capture-pane -t "$session" -p | grep -q "findings:" && break
    sleep 0.1
done
shell="$(tmux display-message -p -t "$session" '#{pane_pid}')"
pid="$(pgrep -P "$shell" -f "live --config" | head -1 || true)"
[ -n "$pid" ] || { echo "soak: live did not start: $(cat "$work/err.txt" 2>/dev/null)" >&2; exit 1; }
# Following from the start: live without checkpoints begins at the end of its files.
for _ in $(seq 1 100); do
    n="$(python3 -c "import sqlite3; print(sqlite3.connect('$work/state.sqlite').execute('SELECT count(*) FROM checkpoint').fetchone()[0])" 2>/dev/null || echo 0)"
    [ "$n" = 3 ] && break
    sleep 0.1
done

# The writer merges the three logs by log time and appends them in 10 ms slices at the rate; the
# sampler records RSS, lag and the load average every 2 s.
python3 - "$base" "$work" "$rate" "$rotate" "$pid" "$work/samples.tsv" <<'PY'
import heapq, os, sqlite3, sys, time
base, work, rate, rotate, pid, samples = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]

def records(path, key):
    """(sort key, text) per record; a PostgreSQL record's continuation lines go with it."""
    with open(path, encoding="utf-8") as f:
        held = None
        for line in f:
            if line.startswith("\t") and held is not None:
                held[1].append(line)
                continue
            if held is not None:
                yield held[0], "".join(held[1])
            held = (key(line), [line])
        if held is not None:
            yield held[0], "".join(held[1])

sec_cache = {}
def redis_key(line):
    t = float(line.split(" ", 1)[0])
    s = int(t)
    if s not in sec_cache:
        sec_cache.clear()
        sec_cache[s] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(s))
    return f"{sec_cache[s]}.{int((t - s) * 1000):03d}"

names = ["postgresql.log", "audit.log", "redis.log"]
streams = [
    ((k, 0, t) for k, t in records(base + ".pg", lambda l: l[:23])),
    ((k, 1, t) for k, t in records(base + ".audit", lambda l: l[7:30].replace("T", " "))),
    ((k, 2, t) for k, t in records(base + ".redis", redis_key)),
]
outs = [open(f"{work}/{n}", "a", encoding="utf-8") for n in names]
counts = [0, 0, 0]
generation = [0, 0, 0]
rotations = 0

def rotate_file(i):
    global rotations
    outs[i].close()
    path = f"{work}/{names[i]}"
    for k in range(generation[i], 0, -1):
        os.rename(f"{path}.{k}", f"{path}.{k + 1}")
    os.rename(path, path + ".1")
    generation[i] += 1
    outs[i] = open(path, "a", encoding="utf-8")
    counts[i] = 0
    rotations += 1

def rss_kib():
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

def lag_bytes():
    """Bytes of the current files not yet read (a rotated-away file still being drained is not counted)."""
    try:
        db = sqlite3.connect(f"file:{work}/state.sqlite?mode=ro", uri=True, timeout=1)
        rows = db.execute("SELECT inode, coalesce(read_offset, offset) FROM checkpoint").fetchall()
        db.close()
    except sqlite3.Error:
        return None
    read = {inode: off for inode, off in rows}
    lag = 0
    for n in names:
        st = os.stat(f"{work}/{n}")
        lag += max(0, st.st_size - read.get(st.st_ino, 0))
    return lag

out = open(samples, "w")
out.write("t\tlines_written\trss_kib\tlag_bytes\tload1\n")
def sample(now, written):
    lag = lag_bytes()
    load = open("/proc/loadavg").read().split()[0]
    out.write(f"{now - start:.1f}\t{written}\t{rss_kib()}\t{'' if lag is None else lag}\t{load}\n")
    out.flush()

start = time.monotonic()
written = 0
last_sample = -10.0
slice_lines = max(1, rate // 100)
batch = [[], [], []]
n_in_slice = 0
for _key, i, text in heapq.merge(*streams):
    if counts[i] >= rotate:
        outs[i].write("".join(batch[i])); batch[i] = []
        outs[i].flush()
        rotate_file(i)
    batch[i].append(text)
    n = text.count("\n")
    counts[i] += n
    written += n
    n_in_slice += n
    if n_in_slice >= slice_lines:
        for j in range(3):
            if batch[j]:
                outs[j].write("".join(batch[j])); batch[j] = []
                outs[j].flush()
        n_in_slice = 0
        due = start + written / rate
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        if now - last_sample >= 2.0:
            last_sample = now
            sample(now, written)
for j in range(3):
    outs[j].write("".join(batch[j]))
    outs[j].close()
writer_done = time.monotonic()
caught_up = None
while time.monotonic() - writer_done < 120:
    lag = lag_bytes()
    if lag == 0:
        caught_up = time.monotonic() - writer_done
        break
    time.sleep(0.1)
sample(time.monotonic(), written)
out.write(f"# writer: {written} lines in {writer_done - start:.1f} s ({written / (writer_done - start):,.0f} lines/s), "
          f"{rotations} rotations; lag 0 after {'never' if caught_up is None else f'{caught_up:.1f}'} s; final rss {rss_kib()} KiB\n")
out.close()
PY

sleep 3   # a correlation window of quiet: what waits for an audit line is judged
tmux send-keys -t "$session" q
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done

scan_start=$SECONDS
(cd "$work" && "$tw" scan --config scan.toml --format ndjson >scan.ndjson 2>scan.err) || [ $? = 1 ] || {
    echo "soak: scan failed: $(cat "$work/scan.err")" >&2; exit 1; }
scan_seconds=$((SECONDS - scan_start))
compare_ok=1
compare="$(python3 "$root/Tests/EndToEnd/lib/compare_store_scan.py" "$work/state.sqlite" "$work/scan.ndjson" live)" || compare_ok=0

status=0
python3 - "$work/samples.tsv" "$rate" "$compare_ok" "$scan_seconds" "$(ls "$work" | grep -c '\.log\.')" <<'PY' || status=1
import sys
rows, note = [], ""
for line in open(sys.argv[1]):
    if line.startswith("#"):
        note = line[2:].strip()
        continue
    if line.startswith("t\t"):
        continue
    t, n, rss, lag, load = line.rstrip("\n").split("\t")
    rows.append((float(t), int(n), int(rss), int(lag) if lag else None, float(load)))
compare_ok = sys.argv[3] == "1"
writing = rows[:-1] or rows
peak = max(r[2] for r in rows)
# Warm-up: the first 10% of the lines (caches, the statement-analysis table fill up).
total = writing[-1][1]
warm = [r for r in writing if r[1] >= total * 0.1]
half = len(warm) // 2
first, second = warm[:half] or warm, warm[half:] or warm
growth = max(r[2] for r in second) - max(r[2] for r in first)
lag_end = max((r[3] or 0) for r in writing[-5:])
lag_max = max((r[3] or 0) for r in writing)
loads = [r[4] for r in rows]
print(f"live soak: {note}; target rate {int(sys.argv[2]):,} lines/s; {sys.argv[5]} rotated files; "
      f"peak RSS {peak // 1024} MiB; RSS growth after warm-up {growth // 1024} MiB; "
      f"load average {min(loads):.1f}–{max(loads):.1f}; scan of the same files {sys.argv[4]} s; "
      f"findings {'identical to the scan' if compare_ok else 'DIFFER from the scan'}")
print()
print("| elapsed (s) | lines written | RSS (MiB) | lag (KiB) | load |")
print("| ---: | ---: | ---: | ---: | ---: |")
step = max(1, len(rows) // 12)
shown = rows[::step]
if rows[-1] not in shown:
    shown.append(rows[-1])
for r in shown:
    print(f"| {r[0]:.0f} | {r[1]:,} | {r[2] // 1024} | {'' if r[3] is None else f'{r[3] // 1024:,}'} | {r[4]:.1f} |")
print()
print(f"max lag while writing: {lag_max // 1024:,} KiB; at the end of writing: {lag_end // 1024:,} KiB")
ok = compare_ok and growth <= max(16 * 1024, 0.25 * peak) and "never" not in note
sys.exit(0 if ok else 1)
PY
echo
echo "$compare"
exit $status
