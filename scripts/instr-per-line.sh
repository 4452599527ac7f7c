#!/usr/bin/env bash
# Instructions per line, per thread, of `tenantwatch scan` (callgrind): a figure that does not
# move with the load of a shared machine, unlike wall time.
#   scripts/instr-per-line.sh BINARY SMALL.toml LARGE.toml
# Runs the scan of both configurations under `valgrind --tool=callgrind --separate-threads=yes`
# on a stripped copy of BINARY (callgrind fails on the release binary's DWARF: "unhandled dwarf2
# abbrev form"), and prints, per thread, (instructions of LARGE - instructions of SMALL) divided
# by (lines of LARGE - lines of SMALL): start-up and the first analysis of each statement shape
# cancel out. Thread 1 is the consuming (correlating) thread, 2 the stderr reading thread, 3 the
# audit-log thread when there is one. The configurations name their sources as
# scripts/gen-prod-log.py writes them (e.g. --lines 100000 and --lines 300000, same seed).
# Environment: KEEP=DIR keeps the callgrind files there (for callgrind_annotate).
set -euo pipefail
[ $# -eq 3 ] || { sed -n '2,12p' "$0" >&2; exit 2; }
bin="$1" small="$2" large="$3"
command -v valgrind >/dev/null || { echo "instr-per-line: valgrind is missing" >&2; exit 1; }
work="${KEEP:-$(mktemp -d)}"
mkdir -p "$work"
strip -o "$work/tenantwatch-stripped" "$bin"
lines_of() {  # the lines the scan reports reading ("N lines, ..." on stderr)
    sed -n 's/^\([0-9][0-9]*\) lines,.*/\1/p' "$1" | tail -1
}
run() {  # run NAME CONFIG
    (cd "$(dirname "$2")" && valgrind --tool=callgrind --separate-threads=yes \
        --callgrind-out-file="$work/$1.%p.out" "$work/tenantwatch-stripped" scan --format ndjson \
        --config "$(basename "$2")" >/dev/null 2>"$work/$1.err") || [ $? -eq 1 ]
}
run small "$small"
run large "$large"
declare -A total_s=() total_l=()
for f in "$work"/small.*.out-*; do total_s[${f##*-}]="$(sed -n 's/^summary: //p' "$f")"; done
for f in "$work"/large.*.out-*; do total_l[${f##*-}]="$(sed -n 's/^summary: //p' "$f")"; done
ls_="$(lines_of "$work/small.err")" ll="$(lines_of "$work/large.err")"
echo "lines: $ls_ and $ll"
for t in $(printf '%s\n' "${!total_l[@]}" | sort); do
    s="${total_s[$t]:-0}" l="${total_l[$t]}"
    awk -v t="$t" -v s="$s" -v l="$l" -v a="$ls_" -v b="$ll" \
        'BEGIN { printf "thread %d: %.2fG and %.2fG instructions, %d per line\n", t, s / 1e9, l / 1e9, (l - s) / (b - a) }'
done
[ -n "${KEEP:-}" ] || rm -rf "$work"
