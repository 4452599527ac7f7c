#!/usr/bin/env bash
# The adversarial suite (issue 15): each Tests/Adversarial/*.sh (except this one) is one attack,
# tried as an attacker would with the real binary and real tools (unzip, Python's zipfile,
# openssl, a PostgreSQL client); exit 0 means the attack was held. Ends with the plain line
# `N passed, N failed`; exits 1 when any failed.
#   bash Tests/Adversarial/run.sh [NAME...]    (names without .sh select tests)
set -uo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
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
