#!/usr/bin/env bash
# Soak: `tenantwatch live` (the real dashboard, in tmux) follows a log file that a writer grows at
# a fixed rate, then stops. Measures the live process's RSS over time, the lag (bytes written but
# not yet read, from the store's checkpoints), and how long after the writer stops the lag is 0.
#   scripts/soak-live.sh                  (make bench runs it after the scan benchmark)
# Environment: SOAK_LINES (default 10000000), SOAK_RATE lines/s (default 50000),
#              TENANTWATCH (default .build/release/tenantwatch).
# Prints a Markdown table for BENCHMARKS.md. Exit 1 when live cannot keep pace or a bound fails.
set -euo pipefail
export SWIFT_BACKTRACE=interactive=no
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lines="${SOAK_LINES:-10000000}"
rate="${SOAK_RATE:-50000}"
tw="${TENANTWATCH:-$root/.build/release/tenantwatch}"
data="$root/bench-data"
source_log="$data/soak-$lines.log"
work="$(mktemp -d "${TMPDIR:-/tmp}/tw-soak.XXXXXX")"
session="tw-soak-$$"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$data"
command -v tmux >/dev/null || { echo "soak: tmux is missing; run scripts/deps.sh bench" >&2; exit 1; }

if [ ! -s "$source_log" ]; then
    echo "soak: generating $lines lines ..." >&2
    python3 "$root/scripts/gen-bench-log.py" --lines "$lines" --seed 7 --out "$source_log.tmp"
    mv "$source_log.tmp" "$source_log"
fi

cp "$root/sample-logs/schema.sql" "$work/"
cat >"$work/tenantwatch.toml" <<TOML
[tenancy]
schema = "schema.sql"
global_tables = ["tenants"]

[[source]]
kind = "postgres"
path = "postgresql.log"
format = "stderr"
prefix = "%m [%p] %q%u@%d/%a sess=%c "
TOML
: >"$work/postgresql.log"

tmux new-session -d -s "$session" -x 160 -y 45 \
    "cd '$work' && TERM=tmux-256color '$tw' live --config tenantwatch.toml --store state.sqlite 2>err.txt; sleep 600"
for _ in $(seq 1 100); do
    tmux capture-pane -t "$session" -p | grep -q "findings:" && break
    sleep 0.1
done
pid="$(pgrep -f "$tw live --config tenantwatch.toml" | head -1)"
[ -n "$pid" ] || { echo "soak: live did not start: $(cat "$work/err.txt" 2>/dev/null)" >&2; exit 1; }

# The writer appends in 10 ms slices at the given rate; the sampler records RSS and lag each second.
python3 - "$source_log" "$work/postgresql.log" "$rate" "$lines" "$pid" "$work/state.sqlite" "$work/samples.tsv" <<'PY'
import os, sqlite3, sys, time
src, dst, rate, total, pid, store, samples = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7]

def rss_kib():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def read_offset():
    try:
        db = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=1)
        row = db.execute("SELECT offset FROM checkpoint WHERE path LIKE '%postgresql.log'").fetchone()
        db.close()
        return row[0] if row else 0
    except sqlite3.Error:
        return None

out = open(samples, "w")
out.write("t\tlines_written\tbytes_written\trss_kib\tlag_bytes\n")
start = time.monotonic()
written = 0
last_sample = 0.0
with open(src, "rb") as inp, open(dst, "ab", buffering=0) as o:
    slice_lines = max(1, rate // 100)
    while written < total:
        chunk = [inp.readline() for _ in range(min(slice_lines, total - written))]
        chunk = [c for c in chunk if c]
        if not chunk:
            break
        o.write(b"".join(chunk))
        written += len(chunk)
        due = start + written / rate
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        if now - last_sample >= 1.0:
            last_sample = now
            size = os.path.getsize(dst)
            off = read_offset()
            out.write(f"{now - start:.1f}\t{written}\t{size}\t{rss_kib()}\t{'' if off is None else size - off}\n")
            out.flush()
writer_done = time.monotonic()
size = os.path.getsize(dst)
caught_up = None
while time.monotonic() - writer_done < 30:
    off = read_offset()
    if off is not None and off >= size:
        caught_up = time.monotonic() - writer_done
        break
    time.sleep(0.05)
out.write(f"# writer: {written} lines in {writer_done - start:.1f} s; lag 0 after {caught_up if caught_up is not None else 'never'} s; final rss {rss_kib()} KiB\n")
out.close()
PY

tmux send-keys -t "$session" q
sleep 2
python3 - "$work/samples.tsv" "$rate" <<'PY'
import sys
rows, note = [], ""
for line in open(sys.argv[1]):
    if line.startswith("#"):
        note = line[2:].strip()
        continue
    if line.startswith("t\t"):
        continue
    t, n, b, rss, lag = line.rstrip("\n").split("\t")
    rows.append((float(t), int(n), int(rss), int(lag) if lag else None))
peak = max(r[2] for r in rows)
print(f"live soak: {note}; rate {int(sys.argv[2]):,} lines/s; peak RSS {peak // 1024} MiB")
print()
print("| elapsed (s) | lines written | RSS (MiB) | lag (KiB) |")
print("| ---: | ---: | ---: | ---: |")
step = max(1, len(rows) // 10)
for r in rows[::step] + ([rows[-1]] if rows[-1] not in rows[::step] else []):
    print(f"| {r[0]:.0f} | {r[1]:,} | {r[2] // 1024} | {'' if r[3] is None else r[3] // 1024} |")
lag_max = max((r[3] or 0) for r in rows)
print()
print(f"max lag while writing: {lag_max // 1024} KiB")
ok = peak <= 200 * 1024 and "never" not in note
sys.exit(0 if ok else 1)
PY
