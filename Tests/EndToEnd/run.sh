#!/usr/bin/env bash
# Runs every Tests/EndToEnd/*.sh (except this one); each is one test: exit 0 passes.
# Ends with the plain line `N passed, N failed`; exits 1 when any failed.
#   bash Tests/EndToEnd/run.sh [NAME...]    (names without .sh select tests)
# Tests/Adversarial/run.sh runs its own folder's scripts through this one (TESTS_DIR).
set -uo pipefail
dir="${TESTS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
export SWIFT_BACKTRACE=interactive=no
passed=0
failed=0
failed_names=()
for t in "$dir"/*.sh; do
    name="$(basename "$t" .sh)"
    [ "$name" = run ] && continue
    if [ "$#" -gt 0 ]; then
        case " $* " in *" $name "*) ;; *) continue ;; esac
    fi
    echo "# $name"
    start=$SECONDS
    if bash "$t" </dev/null; then
        passed=$((passed + 1))
        echo "# $name passed ($((SECONDS - start)) s)"
    else
        failed=$((failed + 1))
        failed_names+=("$name")
        echo "# $name FAILED ($((SECONDS - start)) s)"
    fi
done
[ "$failed" -gt 0 ] && echo "# failed: ${failed_names[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
