#!/usr/bin/env bash
# The platform formats through the real dashboard in tmux: `replay --speed max` over gzipped RDS,
# syslog, journald, Heroku, CloudNativePG, Cloud SQL and Azure (JSON and stderr) logs (bare paths:
# format and prefix detected) shows the one leak each holds, and says on stderr what it assumed
# once the screen is closed; `live` follows a file of each platform format that a writer grows,
# and shows its leak as it arrives.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
find_tenantwatch
source "$(dirname "${BASH_SOURCE[0]}")/lib/tmux.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-platform-dash.XXXXXX")"
# A tmux server of our own: other tests (and other people's) sessions on the shared one come and
# go, and a new session started while the last one's server shuts down fails.
export TMUX_TMPDIR="$work/tmux"
mkdir -p "$TMUX_TMPDIR"
runs=0
session="tw-e2e-platform-dash-$$-0"
cleanup() {
    tmux kill-server 2>/dev/null || true
    e2e_drop_work platform_dashboard "$work"
}
trap cleanup EXIT
fixtures="$REPO_ROOT/Tests/TenantWatchCoreTests/Fixtures/platforms"
cat >"$work/tenantwatch.toml" <<'TOML'
[tenancy]
columns = ["tenant_id"]
tables = ["invoices", "customers"]
TOML

run_dashboard() {  # run_dashboard replay|live ARGS...
    rm -f "$work"/state.sqlite* "$work/exit.txt" "$work/err.txt"
    # A new session before the old one goes: the server never runs out of sessions meanwhile.
    local old="$session"
    runs=$((runs + 1))
    session="tw-e2e-platform-dash-$$-$runs"
    tmux new-session -d -s "$session" -x 160 -y 45 \
        "cd '$work' && TERM=tmux-256color SWIFT_BACKTRACE=interactive=no '$TENANTWATCH' $* --config tenantwatch.toml --store state.sqlite 2>err.txt; echo \$? >exit.txt; sleep 60"
    tmux kill-session -t "$old" 2>/dev/null || true
}
quit() {
    tmux send-keys -t "$session" q
    local deadline=$((SECONDS + 10))
    while [ "$SECONDS" -lt "$deadline" ] && [ ! -s "$work/exit.txt" ]; do sleep 0.2; done
    [ "$(cat "$work/exit.txt" 2>/dev/null)" = 0 ] && e2e_ok "$1: q quits with status 0" || e2e_fail "$1: exit $(cat "$work/exit.txt" 2>/dev/null)"
}

for file in rds_postgresql.log.2024-03-01-10 syslog_rsyslog.log journald_short_iso.log heroku_logplex.log \
    cloudnativepg.json cloudsql_export.json azure_diagnostics.json azure_postgresql.log; do
    gzip -c "$fixtures/$file" >"$work/$file.gz"
    run_dashboard replay --speed max "$file.gz"
    if wait_screen 20 "findings: 1"; then
        e2e_ok "replay $file.gz: findings: 1"
    else
        e2e_fail "replay $file.gz: $(screen | head -2) $(cat "$work/err.txt" 2>/dev/null)"
    fi
    screen | grep -q "missing_tenant_predicate" && e2e_ok "replay $file.gz: missing_tenant_predicate listed" \
        || e2e_fail "replay $file.gz: incidents pane lacks missing_tenant_predicate"
    quit "replay $file.gz"
    grep -q "tenantwatch: .*$file.gz: assumed format" "$work/err.txt" \
        && e2e_ok "replay $file.gz: $(grep -m1 'assumed format' "$work/err.txt" | sed 's/.*assumed format/assumed format/' | cut -c1-110)" \
        || e2e_fail "replay $file.gz: nothing said about the format: $(head -c 300 "$work/err.txt")"
done

for file in syslog_rsyslog.log cloudnativepg.json rds_postgresql.log.2024-03-01-10 heroku_logplex.log cloudsql_export.json \
    azure_diagnostics.json; do
    : >"$work/growing-$file"
    run_dashboard live "growing-$file"
    wait_screen 10 "findings: 0" || e2e_fail "live $file did not start: $(screen | head -2) $(cat "$work/err.txt" 2>/dev/null)"
    # The writer: a few lines at a time, as a server would.
    n=$(wc -l <"$fixtures/$file")
    for start in $(seq 1 3 "$n"); do
        sed -n "${start},$((start + 2))p" "$fixtures/$file" >>"$work/growing-$file"
        sleep 0.1
    done
    if wait_screen 20 "findings: 1"; then
        e2e_ok "live growing-$file: findings: 1 as the file grows"
    else
        e2e_fail "live growing-$file: $(screen | head -2) $(cat "$work/err.txt" 2>/dev/null)"
    fi
    quit "live $file"
done
[ "$E2E_FAILS" -eq 0 ]
