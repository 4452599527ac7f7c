#!/usr/bin/env bash
# Issue 19, the shipping half of fleet mode: two `tenantwatch ship` processes (a PostgreSQL log
# host that rotates its log, an audit log host) publish to a real 3-node NATS JetStream cluster
# (R3 stream) while writers grow the logs. Faults during the run, placed by lines written:
# `kill -9` of each shipper (restarted from its state file; one of them twice, once just after
# the rotation) and of one NATS node; every line must reach the stream with that node still
# down, then it is restarted. Afterwards the stream, read back by lib/nats_stream.py (the NATS
# protocol over a socket, not tenantwatch's client), holds every line of every file exactly once,
# in file order, with its source path and line number. A last `ship --once` publishes nothing.
set -uo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/nats.sh"
find_tenantwatch || exit 1

work="$(mktemp -d "${TMPDIR:-/tmp}/tw-fleet-ship.XXXXXX")"
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    nats_stop
    e2e_drop_work fleet_ship "$work"
}
nats_start || { echo "FAIL - NATS cluster did not start"; exit 1; }
trap cleanup EXIT

PG_LINES=6000    # per file: pg.log is rotated after the first 6000 and refilled with 6000
AUDIT_LINES=8000
TOTAL=$((2 * PG_LINES + AUDIT_LINES))
mkdir -p "$work/a" "$work/b"

count() { python3 "$E2E_DIR/lib/nats_stream.py" "$NATS_URL_1" TW_LOG count 2>/dev/null || echo 0; }
at_least() { [ "$(count)" -ge "$1" ]; }

start_ship() {  # NAME ARGS... (appends the pid to pids, sets last_pid)
    local name="$1"; shift
    "$TENANTWATCH" ship --nats "$NATS_URLS" --state "$work/$name.state" --from-start --batch-lines 300 "$@" \
        >>"$work/$name.out" 2>>"$work/$name.err" &
    last_pid=$!
    pids+=("$last_pid")
}

# The logs exist (empty) before the shippers start, so --from-start reads them whole.
: >"$work/a/pg.log"
: >"$work/b/audit.log"
start_ship a --host db-a.example --postgres "$work/a/pg.log"; ship_a=$last_pid
start_ship b --host api-b --audit "$work/b/audit.log"; ship_b=$last_pid

# Writers: 20 lines of each log every 20 ms (about 10 s, so the faults land mid-stream); the PostgreSQL log is renamed to pg.log.1 halfway (logrotate's
# create mode) and a new pg.log is written. Every line is unique (time + counter).
python3 - "$work" "$PG_LINES" "$AUDIT_LINES" <<'PY' &
import json, os, sys, time
work, pg, audit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def pg_line(i, gen):
    return "2026-12-06 04:%02d:%02d.%06d UTC [%d] LOG:  statement: SELECT * FROM invoices WHERE tenant_id = 'acme' /* %d.%d */\n" % (
        gen, (i // 1000) % 60, i, 4000 + i % 7, gen, i)
def audit_line(i):
    return json.dumps({"ts": "2026-12-06T04:00:%02d.%06dZ" % ((i // 1000) % 60, i), "request_id": "req-%d" % i,
                       "route": "/invoices", "status": 200}) + "\n"
pgf = open(os.path.join(work, "a", "pg.log"), "a")
af = open(os.path.join(work, "b", "audit.log"), "a")
gen, written_pg, written_audit = 0, 0, 0
while written_pg < 2 * pg or written_audit < audit:
    for _ in range(20):
        if written_pg < 2 * pg:
            if written_pg == pg:
                pgf.close()
                os.rename(os.path.join(work, "a", "pg.log"), os.path.join(work, "a", "pg.log.1"))
                pgf = open(os.path.join(work, "a", "pg.log"), "a")
                gen = 1
            pgf.write(pg_line(written_pg - gen * pg + 1, gen))
            written_pg += 1
        if written_audit < audit:
            af.write(audit_line(written_audit + 1))
            written_audit += 1
    pgf.flush(); af.flush()
    time.sleep(0.02)
pgf.close(); af.close()
PY
writer=$!

fault() { echo "# $*" >&2; }
# Faults are placed by what the writer has written (so they land while lines still arrive),
# whatever the shippers have published by then.
written() { cat "$work/a/pg.log" "$work/a/pg.log.1" "$work/b/audit.log" 2>/dev/null | wc -l; }
written_at_least() { [ "$(written)" -ge "$1" ]; }
count_from() { python3 "$E2E_DIR/lib/nats_stream.py" "$NATS_URL_2" TW_LOG count 2>/dev/null || echo 0; }
at_least_2() { [ "$(count_from)" -ge "$1" ]; }
wait_until 60 written_at_least 3000 || e2e_fail "the writer did not reach 3000 lines"
fault "kill -9 ship a at $(written) lines written; restarted"
kill -9 "$ship_a"; start_ship a --host db-a.example --postgres "$work/a/pg.log"; ship_a=$last_pid
wait_until 60 written_at_least 7000 || e2e_fail "the writer did not reach 7000 lines"
fault "kill -9 NATS node 1 at $(written) lines written"
nats_kill 1
wait_until 60 written_at_least 10000 || e2e_fail "the writer did not reach 10000 lines"
fault "kill -9 ship b at $(written) lines written; restarted"
kill -9 "$ship_b"; start_ship b --host api-b --audit "$work/b/audit.log"; ship_b=$last_pid
wait_until 60 written_at_least 14000 || e2e_fail "the writer did not reach 14000 lines"
fault "kill -9 ship a again (after the rotation) at $(written) lines written; restarted"
kill -9 "$ship_a"; start_ship a --host db-a.example --postgres "$work/a/pg.log"; ship_a=$last_pid
wait "$writer" || e2e_fail "the log writer failed"
# With node 1 still down the R3 stream (2 of 3) and the shippers must take everything.
down_start=$SECONDS
if wait_until 60 at_least_2 "$TOTAL"; then
    e2e_ok "all $TOTAL lines stored with NATS node 1 down ($((SECONDS - down_start)) s after the writer finished)"
else
    e2e_fail "with NATS node 1 down the stream holds $(count_from) of $TOTAL lines after 60 s"
fi
fault "NATS node 1 restarted"
nats_restart 1
if wait_until 90 at_least_2 "$TOTAL"; then
    e2e_ok "the stream holds $TOTAL messages"
else
    e2e_fail "the stream holds $(count_from) messages, expected $TOTAL"
fi
# Stop the shippers before reading, so nothing lands while the stream is compared.
kill "$ship_a" "$ship_b"
wait "$ship_a" "$ship_b" 2>/dev/null
wait_until 30 at_least "$TOTAL" || e2e_fail "the stream does not answer through the restarted node 1"

python3 "$E2E_DIR/lib/nats_stream.py" "$NATS_URL_2" TW_LOG dump >"$work/stream.ndjson"
python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
got = {"tw.log.postgres.db-a_example": [], "tw.log.audit.api-b": []}
other = 0
for line in open(os.path.join(work, "stream.ndjson")):
    m = json.loads(line)
    if m["subject"] not in got:
        other += 1
        continue
    source = m["headers"].get("Tw-Source")
    # A shipper restarted after the rotation finishes the old file under its new name.
    if source == os.path.join(work, "a", "pg.log.1"):
        source = os.path.join(work, "a", "pg.log")
    got[m["subject"]].append((source, int(m["headers"].get("Tw-Line", 0)), m["data"]))
def lines(path):
    return [l.rstrip("\n") for l in open(path)]
pg = os.path.join(work, "a", "pg.log")
expected = {
    "tw.log.postgres.db-a_example": [(pg, i + 1, l) for i, l in enumerate(lines(pg + ".1"))]
                                    + [(pg, i + 1, l) for i, l in enumerate(lines(pg))],
    "tw.log.audit.api-b": [(os.path.join(work, "b", "audit.log"), i + 1, l)
                           for i, l in enumerate(lines(os.path.join(work, "b", "audit.log")))],
}
bad = other > 0
for subject, want in expected.items():
    have = got[subject]
    doubled = len(have) - len(set(have))
    missing = set(want) - set(have)
    print("# %s: %d lines in the files, %d in the stream, %d doubled, %d missing" % (subject, len(want), len(have), doubled, len(missing)))
    if have != want:
        bad = True
        for i, (h, w) in enumerate(zip(have, want)):
            if h != w:
                print("# first difference at %d: stream %r, file %r" % (i, h[:2], w[:2]))
                break
sys.exit(1 if bad else 0)
PY
if [ $? -eq 0 ]; then
    e2e_ok "every line of every file in the stream exactly once, in file order, with its source and line number"
else
    e2e_fail "the stream does not hold the files' lines exactly once in order"
fi
grep -h "retrying" "$work"/*.err | sort | uniq -c | sed 's/^/# /' >&2

# A shipper restarted on what it has already shipped publishes nothing new.
"$TENANTWATCH" ship --nats "$NATS_URLS" --state "$work/a.state" --host db-a.example --postgres "$work/a/pg.log" --once \
    >"$work/once.out" 2>"$work/once.err"
if grep -q "tenantwatch ship: 0 lines published" "$work/once.err" && [ "$(count)" -eq "$TOTAL" ]; then
    e2e_ok "ship --once after everything was shipped publishes nothing"
else
    e2e_fail "ship --once republished: $(cat "$work/once.err")"
fi

# Usage errors: exit 2 with one line.
"$TENANTWATCH" ship --state "$work/x.state" --postgres "$work/a/pg.log" >/dev/null 2>"$work/usage.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "ship needs --nats URLS" "$work/usage.err"; then
    e2e_ok "ship without --nats exits 2 saying so"
else
    e2e_fail "ship without --nats: exit $rc, $(cat "$work/usage.err")"
fi
"$TENANTWATCH" ship --nats nats://127.0.0.1:1 --state "$work/x.state" --postgres "$work/a/pg.log" >/dev/null 2>"$work/down.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "cannot connect to NATS at nats://127.0.0.1:1" "$work/down.err"; then
    e2e_ok "ship with NATS unreachable at start exits 2 saying so"
else
    e2e_fail "ship with NATS unreachable: exit $rc, $(cat "$work/down.err")"
fi
[ "$E2E_FAILS" -eq 0 ]
