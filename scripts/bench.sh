#!/usr/bin/env bash
# Throughput and memory of `tenantwatch scan` against pgBadger on the same generated stderr log.
#   scripts/bench.sh                 (make bench builds the release binaries first)
# Environment: BENCH_LINES (default 1000000), BENCH_SEED (42), BENCH_RUNS (3, best taken),
#              BENCH_SOAK (1: then run scripts/soak-live.sh, 24 h of log time, ~10.8M lines in three rotated logs; 0 skips it),
#              BENCH_PGBADGER_RUNS (1), TENANTWATCH (default .build/release/tenantwatch).
# The log is generated once into bench-data/ (gitignored) and reused while its parameters match.
# Prints a Markdown table ready for BENCHMARKS.md. Exit 1 when a tool fails or is missing.
set -euo pipefail
export SWIFT_BACKTRACE=interactive=no
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$root/bench-data"
lines="${BENCH_LINES:-1000000}"
seed="${BENCH_SEED:-42}"
runs="${BENCH_RUNS:-3}"
pgb_runs="${BENCH_PGBADGER_RUNS:-1}"
prefix='%m [%p] %q%u@%d/%a sess=%c '
tw="${TENANTWATCH:-$root/.build/release/tenantwatch}"
bench_exe="$root/.build/release/TenantWatchBench"
log="$data/bench-$lines-$seed.log"
status=0

for tool in /usr/bin/time pgbadger python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing; run scripts/deps.sh bench" >&2; exit 1; }
done
mkdir -p "$data"

# --- the log ------------------------------------------------------------------------------------
gen_sum="$(sha256sum "$root/scripts/gen-bench-log.py" | cut -c1-16)"
stamp="$log.generator"
if [ ! -s "$log" ] || [ ! -s "$log.audit" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$gen_sum" ]; then
    echo "bench: generating $lines lines into ${log#"$root"/} ..." >&2
    python3 "$root/scripts/gen-bench-log.py" --lines "$lines" --seed "$seed" --out "$log.tmp" --audit "$log.audit.tmp"
    mv "$log.tmp" "$log"
    mv "$log.audit.tmp" "$log.audit"
    echo "$gen_sum" >"$stamp"
fi
nlines="$(wc -l <"$log")"
size_mib="$(du -m "$log" | cut -f1)"

cp "$root/sample-logs/schema.sql" "$data/schema.sql"
. "$root/scripts/bench-config.sh"
bench_config >"$data/bench-config.toml"
bench_config with-audit >"$data/bench-config-audit.toml"
audit_lines="$(wc -l <"$log.audit")"

# timed OUT_PREFIX CMD...: runs CMD under GNU time; leaves OUT_PREFIX.time; returns CMD's status.
timed() {
    local out="$1"
    shift
    local rc=0
    /usr/bin/time -v -o "$out.time" "$@" || rc=$?
    return "$rc"
}
# wall_s FILE / rss_kib FILE: from GNU time -v output.
wall_s() {
    python3 - "$1" <<'PY'
import sys
for l in open(sys.argv[1]):
    if "Elapsed (wall clock) time" in l:
        v = l.rsplit(": ", 1)[1].strip().split(":")
        s = 0.0
        for part in v:
            s = s * 60 + float(part)
        print(f"{s:.3f}")
PY
}
rss_kib() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }

# best_of N NAME CMD...: runs N times, prints "best_wall max_rss_kib"; fails on an unexpected status.
declare -A best_wall=() peak_rss=()
best_of() {
    local n="$1" name="$2"
    shift 2
    local i rc w r
    best_wall[$name]=""
    peak_rss[$name]=0
    for ((i = 1; i <= n; i++)); do
        rc=0
        timed "$data/$name.$i" "$@" >"$data/$name.out" 2>"$data/$name.err" || rc=$?
        if [ "$rc" -ne 0 ] && ! { [[ "$name" == tenantwatch* ]] && [ "$rc" -eq 1 ]; }; then
            echo "bench: $name failed with exit $rc (run $i); stderr:" >&2
            tail -n 20 "$data/$name.err" >&2
            return 1
        fi
        w="$(wall_s "$data/$name.$i.time")"
        r="$(rss_kib "$data/$name.$i.time")"
        if [ -z "${best_wall[$name]}" ] || python3 -c "import sys; sys.exit(0 if $w < ${best_wall[$name]} else 1)"; then
            best_wall[$name]="$w"
        fi
        [ "$r" -gt "${peak_rss[$name]}" ] && peak_rss[$name]="$r"
        echo "bench: $name run $i: ${w} s, peak RSS $((r / 1024)) MiB" >&2
    done
}

# --- tenantwatch --------------------------------------------------------------------------------
tw_ok=""
if [ -x "$tw" ]; then
    if best_of "$runs" tenantwatch bash -c 'cd "$1" && exec "$2" scan --format ndjson --config bench-config.toml </dev/null' _ "$data" "$tw"; then
        tw_ok=1
        mv "$data/tenantwatch.out" "$data/tenantwatch-findings.ndjson"
        tw_findings="$(wc -l <"$data/tenantwatch-findings.ndjson")"
        if [ "$tw_findings" -eq 0 ]; then
            echo "bench: tenantwatch reported no findings on a log with ~5% unscoped statements" >&2
            status=1
        fi
    else
        status=1
    fi
else
    echo "bench: no tenantwatch binary at $tw (make build)" >&2
    status=1
fi

tw_audit_ok=""
if [ -n "$tw_ok" ]; then
    if best_of "$runs" tenantwatch-audit bash -c 'cd "$1" && exec "$2" scan --format ndjson --config bench-config-audit.toml </dev/null' _ "$data" "$tw"; then
        tw_audit_ok=1
        tw_audit_findings="$(wc -l <"$data/tenantwatch-audit.out")"
    else
        status=1
    fi
fi

# --- pgBadger -----------------------------------------------------------------------------------
pgb_ok=""
if best_of "$pgb_runs" pgbadger pgbadger -j 1 -f stderr --prefix "$prefix" -x text -o "$data/pgbadger.txt" \
        --no-progressbar --quiet "$log"; then
    pgb_queries="$(sed -n 's/^Number of queries: //p' "$data/pgbadger.txt" | tr -d ',' | head -1)"
    if [ -z "$pgb_queries" ] || [ "$pgb_queries" -eq 0 ]; then
        echo "bench: pgBadger parsed no queries: its prefix or format does not match the log" >&2
        status=1
    else
        pgb_ok=1
    fi
else
    status=1
fi

# --- report -------------------------------------------------------------------------------------
rate() { python3 -c "print(f'{$1 / $2:,.0f}')"; }
echo
echo "Log: $nlines lines, $size_mib MiB (scripts/gen-bench-log.py --lines $lines --seed $seed), $(nproc) cores, $(date -u '+%Y-%m-%d')"
echo
echo "| tool | wall time (s) | lines/s | peak RSS (MiB) | notes |"
echo "| --- | ---: | ---: | ---: | --- |"
if [ -n "$tw_ok" ]; then
    echo "| tenantwatch scan | ${best_wall[tenantwatch]} | $(rate "$nlines" "${best_wall[tenantwatch]}") | $((peak_rss[tenantwatch] / 1024)) | best of $runs; $tw_findings findings |"
else
    echo "| tenantwatch scan | – | – | – | not run / failed |"
fi
if [ -n "$tw_audit_ok" ]; then
    total=$((nlines + audit_lines))
    echo "| tenantwatch scan, query log + audit log | ${best_wall[tenantwatch-audit]} | $(rate "$total" "${best_wall[tenantwatch-audit]}") | $((peak_rss[tenantwatch-audit] / 1024)) | best of $runs; $nlines + $audit_lines lines; $tw_audit_findings findings |"
fi
if [ -n "$pgb_ok" ]; then
    echo "| pgBadger $(pgbadger --version | sed -n 's/.*version //p') (-j 1) | ${best_wall[pgbadger]} | $(rate "$nlines" "${best_wall[pgbadger]}") | $((peak_rss[pgbadger] / 1024)) | best of $pgb_runs; $pgb_queries queries parsed |"
else
    echo "| pgBadger (-j 1) | – | – | – | failed |"
fi
if [ -n "$tw_ok" ] && [ -n "$pgb_ok" ]; then
    echo
    echo "tenantwatch / pgBadger throughput: $(python3 -c "print(f'{${best_wall[pgbadger]} / ${best_wall[tenantwatch]}:.1f}x')")"
fi

# --- microbenchmarks ----------------------------------------------------------------------------
if [ -x "$bench_exe" ]; then
    echo
    echo "TenantWatchBench:"
    if ! (cd "$data" && "$bench_exe" </dev/null); then
        echo "bench: TenantWatchBench failed" >&2
        status=1
    fi
fi
# --- platform formats: the same records as RDS, syslog, CloudNativePG, Cloud SQL, Azure write them -
# (issue 13: each within 20% of the stderr reader's lines/s; format and prefix left to detection)
if [ -x "$bench_exe" ]; then
    echo
    echo "Platform formats (TenantWatchBench parse, format auto, best of $runs; CPU lines/s is the figure to compare on a busy machine):"
    plat="$data/platforms-$lines-$seed"
    if [ ! -s "$plat/bench-azure.json" ] || [ "$plat/bench-azure.json" -ot "$log" ]; then
        mkdir -p "$plat"
        python3 "$root/scripts/platform-bench-logs.py" "$log" "$plat"
    fi
    "$bench_exe" parse "$log" --format auto --prefix "" --runs "$runs" || status=1
    for f in bench-rds.log bench-syslog.log bench-cnpg.json bench-cloudsql.json bench-azure.json; do
        "$bench_exe" parse "$plat/$f" --format auto --prefix "" --runs "$runs" || status=1
    done
fi
# --- the live soak (24 h of log time through `live`, findings compared with `scan`) ------------
if [ "${BENCH_SOAK:-1}" != 0 ]; then
    echo
    if ! TENANTWATCH="$tw" bash "$root/scripts/soak-live.sh"; then
        echo "bench: the live soak failed its bounds" >&2
        status=1
    fi
fi
exit "$status"
