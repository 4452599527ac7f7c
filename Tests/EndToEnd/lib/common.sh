# shellcheck shell=bash
# Shared by the end-to-end scripts: the repo root, the tenantwatch binary, ok/FAIL output.
E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$E2E_DIR/../.." && pwd)"
export SWIFT_BACKTRACE=interactive=no
E2E_FAILS=0

e2e_ok()   { echo "ok - $*"; }
e2e_fail() { echo "FAIL - $*"; E2E_FAILS=$((E2E_FAILS + 1)); }

# A test's work folder goes at exit, unless the test failed and E2E_KEEP is set (then its path
# is printed, for a look at what the binary was given and wrote).
e2e_drop_work() {  # NAME DIR
    if [ "$E2E_FAILS" -gt 0 ] && [ -n "${E2E_KEEP:-}" ]; then
        echo "$1: files kept in $2" >&2
    else
        rm -rf "$2"
    fi
}

# Sets TENANTWATCH: $TENANTWATCH if set, else the release build, else the debug build.
find_tenantwatch() {
    local c
    for c in "${TENANTWATCH:-}" "$REPO_ROOT/.build/release/tenantwatch" "$REPO_ROOT/.build/debug/tenantwatch"; do
        if [ -n "$c" ] && [ -x "$c" ]; then
            TENANTWATCH="$c"
            export TENANTWATCH
            return 0
        fi
    done
    echo "FAIL - no tenantwatch binary: set TENANTWATCH or run 'swift build -c release --product tenantwatch'" >&2
    return 1
}

# wait_until SECONDS COMMAND...: polls COMMAND (every 0.1 s) until it succeeds; status 1 when
# SECONDS pass first. Tests wait for the state they expect, never for a fixed time: a loaded
# 2-core machine is slow, a fast one need not wait. Deadlines are generous for that reason.
wait_until() {
    local deadline=$((SECONDS + $1))
    shift
    while :; do
        if "$@"; then return 0; fi
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.1
    done
}

# pid_gone PID: the process has exited (and been reaped, or is a zombie).
pid_gone() {
    ! kill -0 "$1" 2>/dev/null || [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" = Z ]
}

# e2e_seed NAME [DEFAULT]: prints and returns a seed for this test's randomness: $NAME when set
# (to replay a run), else DEFAULT, else a fresh random one. The line it prints is what to set.
e2e_seed() {
    local name="$1" value="${!1:-${2:-}}"
    [ -n "$value" ] || value=$(( (RANDOM << 15) | RANDOM ))
    echo "# seed: $name=$value (set it to replay this run)" >&2
    printf '%s\n' "$value"
}
