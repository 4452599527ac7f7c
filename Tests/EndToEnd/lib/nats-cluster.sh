#!/usr/bin/env bash
# Runs the 3-node JetStream cluster of lib/nats.sh for a process that cannot source shell code
# (the Swift fleet tests): prints NATS_URLS on one line once the cluster is ready, then reads
# commands on standard input, `kill N` / `restart N` (answered by `ok N`), until end of input,
# when it stops every node and removes the temp dir. The caller dying closes our input, so the
# cluster never outlives the test.
set -u
# shellcheck source=nats.sh
source "$(dirname "$0")/nats.sh"
nats_start || exit 1
echo "$NATS_URLS"
while read -r command node; do
    case "$command" in
        kill) nats_kill "$node"; echo "ok $node" ;;
        restart) nats_restart "$node"; echo "ok $node" ;;
        *) echo "nats-cluster.sh: unknown command '$command'" >&2 ;;
    esac
done
