#!/usr/bin/env bash
# Throughput and memory of `tenantwatch scan` on a production-shaped log (issue 18), beside
# pgBadger -j 1 and `lnav -n` on the same file in the same run, and the incident store under a
# leak storm (`scan` against `scan --store`).
#   scripts/bench-prod.sh            (make bench-prod builds the release binary first)
# Environment: BENCH_LINES (default 1000000), BENCH_SEED (42), BENCH_RUNS (3, best taken),
#              BENCH_PGBADGER_RUNS (1), BENCH_STORM_TENANTS (120: 14,280 ordered pairs),
#              TENANTWATCH (default .build/release/tenantwatch).
# The logs are generated into bench-data/ (gitignored) by scripts/gen-prod-log.py and
# scripts/gen-leak-storm.py, and reused while the generators and parameters are unchanged.
# The machine is usually shared: the load average is printed beside every wall time. For figures
# that do not move with the load, see scripts/instr-per-line.sh (callgrind).
# Prints Markdown tables ready for BENCHMARKS.md. Exit 1 when a tool fails or is missing.
set -euo pipefail
export SWIFT_BACKTRACE=interactive=no
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$root/bench-data"
lines="${BENCH_LINES:-1000000}"
seed="${BENCH_SEED:-42}"
runs="${BENCH_RUNS:-3}"
pgb_runs="${BENCH_PGBADGER_RUNS:-1}"
storm_tenants="${BENCH_STORM_TENANTS:-120}"
prefix='%m [%p] %q%u@%d app=%a '
tw="${TENANTWATCH:-$root/.build/release/tenantwatch}"
log="$data/prod-$lines-$seed.log"
status=0

for tool in /usr/bin/time pgbadger python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench-prod: $tool is missing; run scripts/deps.sh bench" >&2; exit 1; }
done
[ -x "$tw" ] || { echo "bench-prod: no tenantwatch binary at $tw (make build)" >&2; exit 1; }
mkdir -p "$data"
cp "$root/sample-logs/schema.sql" "$data/schema.sql"

# --- the logs -----------------------------------------------------------------------------------
gen_sum="$(cat "$root/scripts/gen-prod-log.py" "$root/scripts/gen-leak-storm.py" | sha256sum | cut -c1-16)"
stamp="$log.generator"
if [ ! -s "$log" ] || [ ! -s "$log.audit" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$gen_sum" ]; then
    echo "bench-prod: generating $lines lines into ${log#"$root"/} ..." >&2
    python3 "$root/scripts/gen-prod-log.py" --lines "$lines" --seed "$seed" --out "$log.tmp" --audit "$log.audit.tmp" --summary
    mv "$log.tmp" "$log"
    mv "$log.audit.tmp" "$log.audit"
    echo "$gen_sum" >"$stamp"
fi
storm="$data/storm-$storm_tenants-$seed"
if [ ! -s "$storm.log" ] || [ "$(cat "$storm.generator" 2>/dev/null)" != "$gen_sum" ]; then
    python3 "$root/scripts/gen-leak-storm.py" --tenants "$storm_tenants" --seed "$seed" --out "$storm.log" \
        --audit "$storm.audit" --config "$storm.toml" --schema "$data/schema.sql" >&2
    echo "$gen_sum" >"$storm.generator"
fi
nlines="$(wc -l <"$log")"
audit_lines="$(wc -l <"$log.audit")"
size_mib="$(du -m "$log" | cut -f1)"

. "$root/scripts/bench-config.sh"
bench_config >"$data/prod-config.toml"
bench_config with-audit >"$data/prod-config-audit.toml"

# --- timing -------------------------------------------------------------------------------------
load() { cut -d' ' -f1 /proc/loadavg; }
wall_s() { sed -n 's/.*Elapsed (wall clock) time.*: //p' "$1" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.3f", s }'; }
cpu_s() { awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.3f", s }' "$1"; }
rss_kib() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
declare -A best_wall=() best_cpu=() peak_rss=() loads=()
# best_of N NAME CMD...: N runs; keeps the best wall and CPU time, the peak RSS and the load
# averages seen. Exit 1 is a scan that found something, not a failure.
best_of() {
    local n="$1" name="$2"
    shift 2
    local i rc w c r
    best_wall[$name]="" best_cpu[$name]="" peak_rss[$name]=0 loads[$name]=""
    for ((i = 1; i <= n; i++)); do
        loads[$name]+="$(load) "
        rc=0
        /usr/bin/time -v -o "$data/$name.$i.time" "$@" >"$data/$name.out" 2>"$data/$name.err" || rc=$?
        if [ "$rc" -ne 0 ] && ! { [[ "$name" == tw* ]] && [ "$rc" -eq 1 ]; }; then
            echo "bench-prod: $name failed with exit $rc (run $i); stderr:" >&2
            tail -n 20 "$data/$name.err" >&2
            return 1
        fi
        w="$(wall_s "$data/$name.$i.time")" c="$(cpu_s "$data/$name.$i.time")" r="$(rss_kib "$data/$name.$i.time")"
        if [ -z "${best_wall[$name]}" ] || awk "BEGIN { exit !($w < ${best_wall[$name]}) }"; then best_wall[$name]="$w"; fi
        if [ -z "${best_cpu[$name]}" ] || awk "BEGIN { exit !($c < ${best_cpu[$name]}) }"; then best_cpu[$name]="$c"; fi
        [ "$r" -gt "${peak_rss[$name]}" ] && peak_rss[$name]="$r"
        echo "bench-prod: $name run $i: ${w} s wall, ${c} s CPU, peak RSS $((r / 1024)) MiB, load $(load)" >&2
    done
}
scan() { (cd "$data" && exec "$tw" scan --format ndjson --config "$@" </dev/null); }
export -f scan
export tw data

best_of "$runs" tw-scan bash -c 'scan prod-config.toml' || status=1
best_of "$runs" tw-audit bash -c 'scan prod-config-audit.toml' || status=1
best_of "$pgb_runs" pgbadger pgbadger -j 1 -f stderr --prefix "$prefix" -x text -o "$data/pgbadger-prod.txt" \
    --no-progressbar --quiet "$log" || status=1
lnav_ok=""
if command -v lnav >/dev/null 2>&1; then
    # -n: no curses, index the file and exit (what lnav does before it can show anything).
    # Its configuration goes to a home of its own under bench-data/ (lnav writes `configs/` and
    # `formats/` where it is started when it finds no home to write to).
    mkdir -p "$data/lnav-home"
    best_of "$pgb_runs" lnav bash -c 'cd "$1" && HOME="$1/lnav-home" XDG_CONFIG_HOME="$1/lnav-home" exec lnav -n "$2"' _ "$data" "$log" \
        && lnav_ok=1
fi
best_of "$runs" tw-storm bash -c "scan $(basename "$storm").toml" || status=1
rm -f "$data/storm.sqlite"*
best_of 1 tw-storm-store bash -c "scan $(basename "$storm").toml --store storm.sqlite" || status=1
rm -f "$data/storm.sqlite"*

# --- report -------------------------------------------------------------------------------------
rate() { awk "BEGIN { printf \"%'d\", $1 / $2 }"; }
row() {  # row NAME LABEL LINES NOTES
    local n="$1"
    [ -n "${best_wall[$n]:-}" ] || { echo "| $2 | – | – | – | – | – | failed |"; return; }
    echo "| $2 | ${best_wall[$n]} | ${best_cpu[$n]} | $(rate "$3" "${best_wall[$n]}") | $((peak_rss[$n] / 1024)) | ${loads[$n]% } | $4 |"
}
echo
echo "Production-shaped log: $nlines lines, $size_mib MiB (scripts/gen-prod-log.py --lines $lines --seed $seed), audit log $audit_lines lines; $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| tool | wall (s) | CPU (s) | lines/s (wall) | peak RSS (MiB) | load average at the start of each run | notes |"
echo "| --- | ---: | ---: | ---: | ---: | --- | --- |"
row tw-scan "tenantwatch scan" "$nlines" "best of $runs; $(wc -l <"$data/tw-scan.out") findings"
row tw-audit "tenantwatch scan, query log + audit log" "$((nlines + audit_lines))" "best of $runs; $(wc -l <"$data/tw-audit.out") findings"
row pgbadger "pgBadger $(pgbadger --version | sed -n 's/.*version //p') (-j 1)" "$nlines" "best of $pgb_runs"
if [ -n "$lnav_ok" ]; then row lnav "lnav -n ($(lnav -V 2>/dev/null | head -1))" "$nlines" "best of $pgb_runs; indexing only"; fi
if [ -n "${best_wall[tw-scan]:-}" ] && [ -n "${best_wall[pgbadger]:-}" ]; then
    echo
    echo "tenantwatch / pgBadger (wall): $(awk "BEGIN { printf \"%.1fx\", ${best_wall[pgbadger]} / ${best_wall[tw-scan]} }")"
fi
storm_lines="$(($(wc -l <"$storm.log") + $(wc -l <"$storm.audit")))"
echo
echo "Leak storm: $(basename "$storm") ($storm_tenants tenants, every ordered pair one cross-tenant request)"
echo
echo "| run | wall (s) | CPU (s) | lines/s (wall) | peak RSS (MiB) | load average at the start of each run | notes |"
echo "| --- | ---: | ---: | ---: | ---: | --- | --- |"
row tw-storm "scan" "$storm_lines" "best of $runs"
row tw-storm-store "scan --store (new store)" "$storm_lines" "one run"
if [ -n "${best_cpu[tw-storm]:-}" ] && [ -n "${best_cpu[tw-storm-store]:-}" ]; then
    echo
    echo "scan --store / scan (CPU): $(awk "BEGIN { printf \"%.1fx\", ${best_cpu[tw-storm-store]} / ${best_cpu[tw-storm]} }")"
fi
exit "$status"
