# shellcheck shell=bash
# A throwaway 3-node NATS cluster with JetStream, for the fleet tests (issue 19).
#
#   source Tests/EndToEnd/lib/nats.sh
#   nats_start            # 3 nodes on 127.0.0.1 free ports, temp store dirs; waits for a JetStream leader
#   echo "$NATS_URLS"     # nats://127.0.0.1:P1,nats://127.0.0.1:P2,nats://127.0.0.1:P3
#   nats_kill 2           # kill -9 node 2 (its store stays); nats_restart 2 brings it back
#   nats_stop             # stops every node and removes the dir (also done by the EXIT trap)
# NATS_KEEP=1 keeps the dir (configs, logs, stores); NATS_VERBOSE=1 says where things are.
#
# Exported after nats_start: NATS_DIR NATS_URLS NATS_URL_1 NATS_URL_2 NATS_URL_3 NATS_MON_1..3
# Needs Debian's nats-server (2.9; scripts/deps.sh test).

NATS_SERVER="${NATS_SERVER:-$(command -v nats-server || echo /usr/bin/nats-server)}"
_NATS_PIDS=()
_NATS_OWN_DIR=""

_nats_die() { echo "nats.sh: $*" >&2; return 1; }

# Prints N distinct free TCP ports on 127.0.0.1 (held open together so they differ).
_nats_free_ports() {
    python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
}

_nats_launch() {
    local i="$1"
    "$NATS_SERVER" -c "$NATS_DIR/n$i.conf" >>"$NATS_DIR/n$i.log" 2>&1 &
    _NATS_PIDS[i]=$!
}

nats_start() {
    [ -x "$NATS_SERVER" ] || _nats_die "no nats-server: install it (scripts/deps.sh test)" || return 1
    NATS_DIR="$(mktemp -d "${TMPDIR:-/tmp}/tw-nats.XXXXXX")"
    _NATS_OWN_DIR="$NATS_DIR"
    local ports
    read -r -a ports <<<"$(_nats_free_ports 9)"
    local routes="nats-route://127.0.0.1:${ports[3]},nats-route://127.0.0.1:${ports[4]},nats-route://127.0.0.1:${ports[5]}"
    local i
    for i in 1 2 3; do
        local client="${ports[i-1]}" cluster="${ports[i+2]}" monitor="${ports[i+5]}"
        cat >"$NATS_DIR/n$i.conf" <<CONF
server_name: tw-n$i
listen: 127.0.0.1:$client
http: 127.0.0.1:$monitor
jetstream {
    store_dir: "$NATS_DIR/store-$i"
    max_memory_store: 64MB
    max_file_store: 1GB
}
cluster {
    name: tw-test
    listen: 127.0.0.1:$cluster
    routes: [$routes]
}
CONF
        eval "export NATS_URL_$i=nats://127.0.0.1:$client NATS_MON_$i=http://127.0.0.1:$monitor"
        _nats_launch "$i"
    done
    NATS_URLS="$NATS_URL_1,$NATS_URL_2,$NATS_URL_3"
    export NATS_DIR NATS_URLS
    trap 'nats_stop' EXIT INT TERM
    # Ready when every node answers /healthz with JetStream enabled and a meta leader elected.
    local deadline=$((SECONDS + 30)) ok
    while :; do
        ok=0
        for i in 1 2 3; do
            local mon="NATS_MON_$i"
            curl -fsS "${!mon}/healthz?js-enabled-only=true" >/dev/null 2>&1 &&
                curl -fsS "${!mon}/jsz" 2>/dev/null | grep -q '"leader"' && ok=$((ok + 1))
        done
        [ "$ok" -eq 3 ] && break
        [ "$SECONDS" -ge "$deadline" ] && { tail -n 20 "$NATS_DIR"/n*.log >&2; _nats_die "cluster not ready in 30 s"; return 1; }
        sleep 0.1
    done
    [ -n "${NATS_VERBOSE:-}" ] && echo "nats.sh: cluster up: $NATS_URLS (dir $NATS_DIR)" >&2
    return 0
}

# nats_kill N: SIGKILL node N (1-3); its store dir stays for nats_restart.
nats_kill() {
    local pid="${_NATS_PIDS[$1]:-}"
    [ -n "$pid" ] || return 0
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    _NATS_PIDS[$1]=""
}

nats_restart() { _nats_launch "$1"; }

nats_stop() {
    local pid
    # `|| true`: callers may run under `set -e`, and a killed server's wait status is not 0.
    for pid in "${_NATS_PIDS[@]}"; do
        if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
    done
    for pid in "${_NATS_PIDS[@]}"; do
        if [ -n "$pid" ]; then wait "$pid" 2>/dev/null || true; fi
    done
    _NATS_PIDS=()
    if [ -n "$_NATS_OWN_DIR" ] && [ -z "${NATS_KEEP:-}" ]; then
        rm -rf "$_NATS_OWN_DIR"
    elif [ -n "$_NATS_OWN_DIR" ]; then
        echo "nats.sh: kept $_NATS_OWN_DIR" >&2
    fi
    _NATS_OWN_DIR=""
}
