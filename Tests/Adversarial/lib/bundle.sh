# shellcheck shell=bash
# Shared by the bundle_*/secrets_* attacks: the end-to-end helpers, a work folder with the sample
# logs scanned into a store, the incident where initech got globex's order, and a signing key.
source "$(dirname "${BASH_SOURCE[0]}")/../../EndToEnd/lib/common.sh"
ADV_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

find_tenantwatch || exit 1
for tool in unzip openssl python3 sha256sum; do
    command -v "$tool" >/dev/null || { e2e_fail "$tool is missing (bash scripts/deps.sh test installs it)"; exit 1; }
done

# adv_setup NAME: $work, $store, tw(), and (unless ADV_NO_SCAN) the scanned sample logs.
adv_setup() {
    work="$(mktemp -d "${TMPDIR:-/tmp}/tw-adv-$1.XXXXXX")"
    # shellcheck disable=SC2064
    trap "e2e_drop_work $1 '$work'" EXIT
    cp "$REPO_ROOT"/sample-logs/{postgresql.log,audit.log,redis-monitor.txt,schema.sql,tenantwatch.toml} "$work/"
    store="$work/state/incidents.sqlite"
    if [ -z "${ADV_NO_SCAN:-}" ]; then
        local rc=0
        tw scan --format ndjson --store "$store" >"$work/scan.ndjson" 2>"$work/scan.err" || rc=$?
        [ "$rc" -eq 1 ] || { e2e_fail "scan of the sample logs: exit $rc, $(head -c 300 "$work/scan.err")"; exit 1; }
    fi
}
tw() { (cd "$work" && "$TENANTWATCH" "$@"); }
export PYTHONWARNINGS=ignore

# The incident id where initech's request got globex's order.
adv_incident() {
    tw incidents --store "$store" --format json | python3 -c '
import json, sys
for i in json.load(sys.stdin):
    if i["kinds"] == ["cross_tenant_response"] and i["caller_tenant"] == "initech" and i["exposed_tenants"] == ["globex"]:
        print(i["id"]); break'
}

# adv_verify ZIP [ARGS...]: sets $vrc and $vout (stdout+stderr of verify).
adv_verify() {
    local zip="$1"; shift
    vrc=0
    vout="$(tw verify "$zip" "$@" 2>&1)" || vrc=$?
}
