#!/usr/bin/env bash
# The adversarial suite (issue 15): each Tests/Adversarial/*.sh (except this one) is one attack,
# tried as an attacker would with the real binary and real tools (unzip, Python's zipfile,
# openssl, a PostgreSQL client); exit 0 means the attack was held. Run by the end-to-end runner
# (one runner for both folders): ends with the plain line `N passed, N failed`, exits 1 when any
# failed.
#   bash Tests/Adversarial/run.sh [NAME...]    (names without .sh select tests)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TESTS_DIR="$here" exec bash "$here/../EndToEnd/run.sh" "$@"
