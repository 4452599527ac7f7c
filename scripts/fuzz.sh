#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ and runs each, one after the other, for FUZZ_SECONDS.
#   FUZZ_SECONDS=600 bash scripts/fuzz.sh [TARGET...]     (default: every target, 60 s each)
# Seeds are regenerated from sample-logs/ and the test fixtures into Fuzz/.seeds; what the
# fuzzer learns accumulates in Fuzz/.corpus (both git-ignored). Exits 1 when a target crashed,
# hung (-timeout) or ran out of memory (-rss_limit_mb), naming the input that did it; replay
# one with `Fuzz/.build/release/TARGET FILE`. FUZZ_ARGS adds libFuzzer flags, e.g.
# FUZZ_ARGS="-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1" to keep going after
# a crash and collect them all.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${FUZZ_SECONDS:-60}"
# A Swift trap must reach libFuzzer as the crash it is, not wait on the Swift backtracer.
export SWIFT_BACKTRACE=enable=no
TARGETS=("$@")
[ "${#TARGETS[@]}" -eq 0 ] && TARGETS=(FuzzStderr FuzzCSVLog FuzzAudit FuzzRedisMonitor FuzzSearchSlowLog FuzzSQL FuzzVerify FuzzPseudonymise)

declare -A DICT=([FuzzStderr]=stderr [FuzzCSVLog]=csvlog [FuzzAudit]=audit [FuzzRedisMonitor]=redis [FuzzSearchSlowLog]=search [FuzzSQL]=sql [FuzzVerify]=zip [FuzzPseudonymise]=sql)

(cd Fuzz && swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)

rm -rf Fuzz/.seeds
python3 scripts/fuzz-seeds.py Fuzz/.seeds

failed=()
for t in "${TARGETS[@]}"; do
    [ -n "${DICT[$t]:-}" ] || { echo "fuzz.sh: unknown target $t (expected ${!DICT[*]})" >&2; exit 2; }
    mkdir -p "Fuzz/.corpus/$t" "Fuzz/artifacts/$t"
    log="Fuzz/artifacts/$t/fuzz.log"
    echo "== $t: ${SECONDS_EACH}s (log: $log)"
    # Lines up to 64 KB reach the parsers whole and longer ones cross LineReader's cut-off;
    # a 10 s input is a hang, 2 GB an out-of-memory: both count as crashes.
    before="$(ls "Fuzz/artifacts/$t" | grep -cE '^(crash|timeout|oom|leak)-' || true)"
    status=0
    # shellcheck disable=SC2086
    "Fuzz/.build/release/$t" ${FUZZ_ARGS:-} "Fuzz/.corpus/$t" "Fuzz/.seeds/$t" \
        -max_total_time="$SECONDS_EACH" -max_len=131072 -timeout=10 -rss_limit_mb=2048 \
        -dict="Fuzz/dict/${DICT[$t]}.dict" -artifact_prefix="Fuzz/artifacts/$t/" \
        -print_final_stats=1 >"$log" 2>&1 || status=$?
    grep -E '^#[0-9]+:?[[:space:]]+(DONE|pulse|NEW|REDUCE|cov:)' "$log" | tail -1 || true
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$log" || true
    after="$(ls "Fuzz/artifacts/$t" | grep -cE '^(crash|timeout|oom|leak)-' || true)"
    if [ "$status" -ne 0 ] || [ "$after" -gt "$before" ]; then
        failed+=("$t")
        grep -E '^==[0-9]+==ERROR|^SUMMARY|Fatal error|deadly signal|Test unit written to|ALARM|out-of-memory' "$log" | sort | uniq -c | head -12 || true
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: crashed: ${failed[*]} (inputs in Fuzz/artifacts/<target>/crash-*, timeout-*, oom-*)" >&2
    exit 1
fi
echo "fuzz: no crash in ${TARGETS[*]}"
