#!/usr/bin/env bash
# The shared PostgreSQL store (`--store postgres://...`) against a real PostgreSQL 15:
# `scan` of the sample logs into SQLite and into PostgreSQL gives identical
# `incidents list --format json` and `incidents show --format json`; a second scan adds nothing;
# `export` from it gives verifiable bundles chained in it; a password in the URL is never printed; a database migrated by
# a newer tenantwatch is refused with one line; and two dashboards (the real TUI in tmux) attached
# to the store with no local sources see each other's acks, and one from `incidents ack`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib/pg.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib/tmux.sh"

find_tenantwatch

work="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-pgstore.XXXXXX")"
session="tw-pgstore-$$"
cleanup() {
    tmux kill-session -t "$session-a" 2>/dev/null || true
    tmux kill-session -t "$session-b" 2>/dev/null || true
    _pg_cleanup
    e2e_drop_work pg_store "$work"
}
pg_start ""
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
cp "$REPO_ROOT/sample-logs/"* "$work/"
pg_psql -d postgres -c 'CREATE DATABASE tw' -c 'CREATE DATABASE tw_newer'
url="postgresql://postgres@/tw?host=$PGHOST&port=$PGPORT"
tw() { (cd "$work" && "$TENANTWATCH" "$@"); }

# --- scan into both stores: the same incidents ---------------------------------------------
rc=0; tw scan --config tenantwatch.toml --store "$work/local.sqlite" --format json >"$work/scan-sqlite.json" 2>"$work/scan-sqlite.err" || rc=$?
[ "$rc" -eq 1 ] || e2e_fail "scan --store sqlite: exit $rc: $(head -c 300 "$work/scan-sqlite.err")"
rc=0; tw scan --config tenantwatch.toml --store "$url" --format json >"$work/scan-pg.json" 2>"$work/scan-pg.err" || rc=$?
[ "$rc" -eq 1 ] && e2e_ok "scan --store postgres:// runs (exit 1: findings)" \
    || e2e_fail "scan --store postgres://: exit $rc: $(head -c 300 "$work/scan-pg.err")"
cmp -s "$work/scan-sqlite.json" "$work/scan-pg.json" && e2e_ok "scan prints the same findings (same incident ids) with either store" \
    || e2e_fail "scan output differs: $(diff "$work/scan-sqlite.json" "$work/scan-pg.json" | head -5)"

tw incidents list --store "$work/local.sqlite" --format json >"$work/list-sqlite.json"
tw incidents list --store "$url" --format json >"$work/list-pg.json"
count="$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/list-pg.json")"
if [ "$count" -ge 2 ] && cmp -s "$work/list-sqlite.json" "$work/list-pg.json"; then
    e2e_ok "incidents list --format json: identical from SQLite and PostgreSQL ($count incidents)"
else
    e2e_fail "incidents lists differ ($count in PostgreSQL): $(diff "$work/list-sqlite.json" "$work/list-pg.json" | head -6)"
fi
same_details=1
for id in $(python3 -c 'import json,sys; print(" ".join(i["id"] for i in json.load(open(sys.argv[1]))))' "$work/list-pg.json"); do
    tw incidents show "$id" --store "$work/local.sqlite" --format json >"$work/show-sqlite.json"
    tw incidents show "$id" --store "$url" --format json >"$work/show-pg.json"
    cmp -s "$work/show-sqlite.json" "$work/show-pg.json" || { same_details=0; e2e_fail "incidents show $id differs: $(diff "$work/show-sqlite.json" "$work/show-pg.json" | head -4)"; }
done
[ "$same_details" = 1 ] && e2e_ok "incidents show --format json (findings, timeline, notes): identical for every incident"

# Scanning the same files again adds nothing (the checkpoints are in PostgreSQL too).
tw scan --config tenantwatch.toml --store "$url" --format json >/dev/null 2>&1 || true
tw incidents list --store "$url" --format json >"$work/list-pg2.json"
cmp -s "$work/list-pg.json" "$work/list-pg2.json" && e2e_ok "a second scan into PostgreSQL adds nothing" \
    || e2e_fail "second scan changed the shared store: $(diff "$work/list-pg.json" "$work/list-pg2.json" | head -4)"

# --- export from the shared store: a verifiable bundle, the chain kept in PostgreSQL ----------
if tw export INC-0001 --for-tenant acme --out "$work/b1.zip" --store "$url" --config tenantwatch.toml 2>"$work/export.err" \
    && tw export INC-0001 --for-tenant acme --out "$work/b2.zip" --store "$url" --config tenantwatch.toml 2>>"$work/export.err" \
    && tw verify "$work/b2.zip" >/dev/null \
    && [ "$(pg_psql -d tw -At -c "SELECT string_agg(sequence::text, ',' ORDER BY sequence) FROM bundle_export WHERE for_tenant = 'acme'")" = "1,2" ]; then
    e2e_ok "export from the shared store: bundles verify, their chain (1,2) is in PostgreSQL"
else
    e2e_fail "export from the shared store: $(cat "$work/export.err")"
fi

# --- passwords and schema versions ---------------------------------------------------------
rc=0; tw incidents list --store "postgresql://postgres:hunter2-secret@/nosuchdb?host=$PGHOST&port=$PGPORT" >"$work/pw.out" 2>"$work/pw.err" || rc=$?
if [ "$rc" -eq 2 ] && grep -q "nosuchdb" "$work/pw.err" && ! grep -q "hunter2" "$work/pw.err" "$work/pw.out"; then
    e2e_ok "an unreachable store exits 2 naming the database, never the password: $(head -1 "$work/pw.err")"
else
    e2e_fail "bad store URL: exit $rc, said: $(cat "$work/pw.err")"
fi
newer="postgresql://postgres@/tw_newer?host=$PGHOST&port=$PGPORT"
tw incidents list --store "$newer" >/dev/null
pg_psql -d tw_newer -c 'INSERT INTO schema_version (version) SELECT max(version) + 1 FROM schema_version'
rc=0; tw incidents list --store "$newer" >/dev/null 2>"$work/newer.err" || rc=$?
if [ "$rc" -eq 2 ] && [ "$(wc -l <"$work/newer.err")" -eq 1 ] && grep -q "newer tenantwatch" "$work/newer.err"; then
    e2e_ok "a database migrated by a newer tenantwatch is refused in one line: $(cat "$work/newer.err")"
else
    e2e_fail "newer schema: exit $rc, said: $(cat "$work/newer.err")"
fi

# --- two dashboards attached to the shared store ---------------------------------------------
first="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' "$work/list-pg.json")"
second="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[1]["id"])' "$work/list-pg.json")"
# From a directory with no tenantwatch.toml: no local sources, only the shared store.
mkdir -p "$work/attached"
# B's URL carries a password (the cluster trusts local connections, so it is not checked): the
# header must name the store without it.
secret_url="postgresql://postgres:s3cret-pw@/tw?host=$PGHOST&port=$PGPORT"
for side in a b; do
    side_url="$url"; [ "$side" = b ] && side_url="$secret_url"
    tmux_new_session -d -s "$session-$side" -x 160 -y 45 \
        "cd '$work/attached' && USER=engineer-$side TERM=tmux-256color SWIFT_BACKTRACE=interactive=no '$TENANTWATCH' live --store '$side_url' 2>../err-$side.txt; echo \$? >../exit-$side.txt; sleep 60"
done
on() { session="$session-$1"; }
base="$session"
session="$base-a"; up_a=0; wait_screen 20 "$first" && up_a=1
session="$base-b"; up_b=0; wait_screen 20 "$first" && up_b=1
if [ "$up_a" = 1 ] && [ "$up_b" = 1 ]; then
    e2e_ok "two dashboards attached with no local sources list the fleet's incidents"
else
    session="$base-a"; e2e_fail "dashboards not up: $(screen | head -5) $(cat "$work/err-a.txt" "$work/err-b.txt" 2>/dev/null)"
fi
session="$base-b"
# Attached: the header names the store (no password), not a file position that does not exist.
header="$(screen | grep -m1 "reading from" || true)"
if [[ "$header" == *"reading from the shared store postgres://postgres@"*"(attached"* ]] \
    && ! screen | grep -q -e 's3cret-pw' -e 'end of the files'; then
    e2e_ok "attached header names the shared store, without its password"
else
    e2e_fail "attached header: $header"
fi
screen | grep -q "ack'd" && e2e_fail "an incident shows ack'd before anyone acknowledged it"

# Dashboard A: the first row's detail, `a`. Dashboard B must show it ack'd.
session="$base-a"
tmux send-keys -t "$session" Enter
wait_screen 10 "── Timeline" || e2e_fail "A: no detail view: $(screen | head -6)"
acked_id="$(screen | grep -o 'INC-[0-9]*' | head -1)"
tmux send-keys -t "$session" a
wait_screen 5 "acknowledged" || e2e_fail "A: the ack did not show in A's own detail"
start_ns=$(date +%s%N)
session="$base-b"
if wait_screen 10 "ack'd"; then
    ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
    [ "$ms" -lt 2000 ] && e2e_ok "A's ack of $acked_id shows in dashboard B after ${ms} ms" \
        || e2e_fail "A's ack reached B only after ${ms} ms"
else
    e2e_fail "B never showed A's ack: $(screen | sed -n 1,13p)"
    pg_psql -d postgres -c "select pid, state, wait_event, left(query,70) from pg_stat_activity where backend_type='client backend'" >&2
fi
tw incidents show "$acked_id" --store "$url" --format json | grep -q '"author" *: *"engineer-a"' \
    && e2e_ok "the ack is stored with A's author" || e2e_fail "no note by engineer-a on $acked_id"

# Another engineer on the command line: ack the other incident; both dashboards show two acks.
other="$first"; [ "$acked_id" = "$first" ] && other="$second"
tw incidents ack "$other" --store "$url" --author engineer-c >/dev/null
start_ns=$(date +%s%N)
two_acks() { [ "$(screen | grep -c "ack'd")" -ge 2 ]; }
if wait_until 10 two_acks; then
    ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
    [ "$ms" -lt 2000 ] && e2e_ok "incidents ack $other from the CLI shows in dashboard B after ${ms} ms" \
        || e2e_fail "the CLI ack reached B only after ${ms} ms"
else
    e2e_fail "B never showed the CLI ack of $other: $(screen | sed -n 1,12p)"
fi
for side in a b; do
    session="$base-$side"
    tmux send-keys -t "$session" Escape
    tmux send-keys -t "$session" q
done
for side in a b; do
    wait_until 10 test -s "$work/exit-$side.txt" || true
    code="$(cat "$work/exit-$side.txt" 2>/dev/null || echo none)"
    [ "$code" = 0 ] && e2e_ok "dashboard $side quits with status 0" || e2e_fail "dashboard $side exit: $code ($(cat "$work/err-$side.txt" 2>/dev/null))"
done

[ "$E2E_FAILS" -eq 0 ]
