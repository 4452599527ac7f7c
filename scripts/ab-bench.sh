#!/usr/bin/env bash
# Compares two tenantwatch binaries on the bench log, runs alternating A, B, A, B ... so that a
# machine that slows down mid-series slows both alike. Prints each binary's wall and user times,
# sorted. Run `make bench` once first (it writes bench-data/).
#   scripts/ab-bench.sh BIN_A BIN_B [RUNS]    (RUNS each, default 7)
# Environment: AB_CONFIG (default bench-config-audit.toml: query log + audit log;
#              bench-config.toml: the query log alone).
set -euo pipefail
[ "$#" -ge 2 ] || { echo "usage: $0 BIN_A BIN_B [RUNS]" >&2; exit 2; }
a="$(realpath "$1")"; b="$(realpath "$2")"; runs="${3:-7}"
data="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/bench-data"
config="${AB_CONFIG:-bench-config-audit.toml}"
[ -f "$data/$config" ] || { echo "$0: $data/$config missing: run make bench first" >&2; exit 2; }
cd "$data"
for _ in $(seq "$runs"); do
    for which in A B; do
        bin="$a"; [ "$which" = B ] && bin="$b"
        # scan exits 1 when it reports findings: that is not a failure here.
        { /usr/bin/time -f "$which %e %U" "$bin" scan --config "$config" --format ndjson </dev/null 2>&1 >/dev/null || true; } | tail -1
    done
done | sort -k1,1 -k2,2n | awk '{w[$1] = w[$1] " " $2; u[$1] = u[$1] " " $3}
    END {for (k in w) print k, "wall:" w[k], "  user:" u[k]}' | sort
