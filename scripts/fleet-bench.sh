#!/usr/bin/env bash
# Fleet shipping measures (issue 19), on a throwaway 3-node JetStream cluster (R3 stream):
#  1. throughput: `ship --once --from-start` over a generated PostgreSQL log (FLEET_BENCH_LINES,
#     default 200000 lines) — lines/s published and acknowledged, the shipper's own CPU
#     (/usr/bin/time), vs the time `scan` takes to read the same file (the local baseline);
#  2. latency: a writer appends one line every 5 ms for 10 s (each carrying its write time)
#     while `ship` follows; line written → stored on a quorum of the stream (JetStream's own
#     timestamp of the message), p50 / p99 / max.
#   TENANTWATCH=.build/release/tenantwatch bash scripts/fleet-bench.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
TW="${TENANTWATCH:-$root/.build/release/tenantwatch}"
[ -x "$TW" ] || TW="$root/.build/debug/tenantwatch"
lines="${FLEET_BENCH_LINES:-200000}"
source "$root/Tests/EndToEnd/lib/nats.sh"
nats_start
work="$(mktemp -d "${TMPDIR:-/tmp}/tw-fleet-bench.XXXXXX")"
trap 'nats_stop; rm -rf "$work"' EXIT
echo "binary: $TW"
python3 "$root/scripts/gen-bench-log.py" --lines "$lines" --out "$work/pg.log" >/dev/null
actual=$(wc -l <"$work/pg.log")

start=$(date +%s.%N)
/usr/bin/time -f "ship's own CPU: user %U s, sys %S s, peak RSS %M KiB" \
    "$TW" ship --nats "$NATS_URLS" --host bench --state "$work/s1" --from-start --once --postgres "$work/pg.log" 2>"$work/ship.err"
end=$(date +%s.%N)
ship_s=$(python3 -c "print(round($end - $start, 2))")
start=$(date +%s.%N)
"$TW" scan --postgres "$work/pg.log" >/dev/null 2>&1 || true
end=$(date +%s.%N)
scan_s=$(python3 -c "print(round($end - $start, 2))")
echo "throughput: $actual lines shipped in ${ship_s} s = $(python3 -c "print(int($actual / $ship_s))") lines/s (R3, acked batches of 2000); scan of the same file ${scan_s} s = $(python3 -c "print(int($actual / $scan_s))") lines/s"
cat "$work/ship.err"

# Latency: line written -> stored in the stream.
: >"$work/lat.log"
"$TW" ship --nats "$NATS_URLS" --host lat --state "$work/s2" --postgres "$work/lat.log" 2>"$work/lat.err" &
ship=$!
python3 - "$work/lat.log" <<'PY'
import sys, time
f = open(sys.argv[1], "a")
end = time.time() + 10
i = 0
while time.time() < end:
    i += 1
    f.write("2026-12-06 04:00:00 UTC [1] LOG:  statement: select %d /* wrote=%.6f */\n" % (i, time.time()))
    f.flush()
    time.sleep(0.005)
PY
sleep 1
kill "$ship"; wait "$ship" || true
python3 "$root/Tests/EndToEnd/lib/nats_stream.py" "$NATS_URL_1" TW_LOG dump tw.log.postgres.lat >"$work/lat.ndjson"
ROOT="$root" python3 - "$work/lat.ndjson" "$NATS_URL_1" <<'PY'
import json, os, re, sys, datetime
sys.path.insert(0, os.path.join(os.environ["ROOT"], "Tests/EndToEnd/lib"))
from nats_stream import Client
c = Client(sys.argv[2])
lat = []
for line in open(sys.argv[1]):
    m = json.loads(line)
    wrote = float(re.search(r"wrote=([0-9.]+)", m["data"]).group(1))
    got = c.request("$JS.API.STREAM.MSG.GET.TW_LOG", {"seq": m["seq"]})["message"]["time"]
    # RFC 3339 with nanoseconds: keep microseconds.
    t = re.sub(r"(\.\d{6})\d*", r"\1", got).replace("Z", "+00:00")
    stored = datetime.datetime.fromisoformat(t).timestamp()
    lat.append(stored - wrote)
lat.sort()
def pct(p): return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
print("latency (line written -> stored on the R3 stream), %d lines: p50 %.1f ms, p99 %.1f ms, max %.1f ms" % (len(lat), pct(0.5), pct(0.99), lat[-1] * 1000))
PY
