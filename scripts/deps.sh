#!/usr/bin/env bash
# Checks for, and installs, the Debian 12 packages a group of make targets needs.
#   scripts/deps.sh [build|test|bench|fuzz]...   (default: build)
# Quiet and fast (< 1 s) when nothing is missing. As root, installs what is missing with apt-get;
# otherwise prints the exact sudo line and exits 1.
set -euo pipefail

BUILD_PKGS=(libncurses-dev libpg-query-dev zlib1g-dev libsqlite3-dev libpq-dev libnats-dev)
TEST_PKGS=("${BUILD_PKGS[@]}" postgresql-15 postgresql-15-pgaudit redis-server tmux python3 python3-psycopg2 unzip openssl strace pgbadger nats-server curl)
BENCH_PKGS=("${TEST_PKGS[@]}" time)
# libFuzzer comes with the Swift toolchain; the seed script is Python.
FUZZ_PKGS=("${BUILD_PKGS[@]}" python3)

groups=("$@")
[ "${#groups[@]}" -eq 0 ] && groups=(build)

wanted=()
for g in "${groups[@]}"; do
    case "$g" in
        build) wanted+=("${BUILD_PKGS[@]}") ;;
        test)  wanted+=("${TEST_PKGS[@]}") ;;
        bench) wanted+=("${BENCH_PKGS[@]}") ;;
        fuzz)  wanted+=("${FUZZ_PKGS[@]}") ;;
        *) echo "deps.sh: unknown group '$g' (expected build, test, bench or fuzz)" >&2; exit 2 ;;
    esac
done

missing=()
declare -A seen=()
for p in "${wanted[@]}"; do
    [ -n "${seen[$p]:-}" ] && continue
    seen[$p]=1
    status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
    if [ "$status" != "install ok installed" ]; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "deps.sh: installing missing packages: ${missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        log="$(mktemp)"
        if ! apt-get update -q >"$log" 2>&1; then
            cat "$log" >&2
            rm -f "$log"
            echo "deps.sh: 'apt-get update' failed (output above)" >&2
            exit 1
        fi
        if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
            cat "$log" >&2
            rm -f "$log"
            echo "deps.sh: 'apt-get install -y --no-install-recommends ${missing[*]}' failed (output above)" >&2
            exit 1
        fi
        rm -f "$log"
        echo "deps.sh: installed ${missing[*]}" >&2
    else
        echo "deps.sh: missing Debian packages: ${missing[*]}" >&2
        echo "deps.sh: install them with:" >&2
        echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
fi

# The Swift toolchain is not a Debian package: it must be on PATH or at /opt/swift.
if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        echo "deps.sh: swift is not on PATH but exists at /opt/swift/usr/bin; run:" >&2
        echo "    export PATH=/opt/swift/usr/bin:\$PATH" >&2
        echo "deps.sh: (the Makefile adds it by itself)" >&2
    else
        echo "deps.sh: no Swift toolchain found (not on PATH, not in /opt/swift/usr/bin)." >&2
        echo "deps.sh: install Swift 6 (https://www.swift.org/install/linux/) and put its usr/bin on PATH." >&2
    fi
    exit 1
fi
