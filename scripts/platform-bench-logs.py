#!/usr/bin/env python3
"""Rewrites a generated stderr bench log (scripts/gen-bench-log.py, prefix '%m [%p] %q%u@%d/%a sess=%c ')
into the same records as other platforms write them, for `make bench`'s format throughput lines:

    scripts/platform-bench-logs.py BENCH.log OUTDIR

writes OUTDIR/bench-rds.log (prefix '%t:%r:%u@%d:[%p]:'), OUTDIR/bench-syslog.log (rsyslog
header + PostgreSQL's [N]/[N-k] markers, the bench prefix kept), OUTDIR/bench-cnpg.json
(CloudNativePG JSON lines: the csvlog fields in `record`), OUTDIR/bench-cloudsql.json (Cloud
Logging `LogEntry` lines, the record in `textPayload` with Cloud SQL's prefix
'%m [%p]: [%l-1] db=%d,user=%u ') and OUTDIR/bench-azure.json (Azure diagnostic settings'
`PostgreSQLLogs` lines, `properties.prefix` '%t-%c-' + `message`). Test tooling: it cuts log lines by their
known prefix, never SQL.
"""
import json
import re
import sys

PREFIX = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(\.\d+) (\w+) \[(\d+)\] (?:(\S*)@(\S*)/(.*?) sess=(\S+) )?(\w+):  (.*)$")


def records(path):
    """(first line match, continuation lines) per record, in file order."""
    cur = None
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("\t") and cur is not None:
                cur[1].append(line)
                continue
            m = PREFIX.match(line)
            if not m:
                continue
            if cur is not None:
                yield cur
            cur = (m, [])
    if cur is not None:
        yield cur


def main():
    src, out = sys.argv[1], sys.argv[2]
    seq = {}
    with open(f"{out}/bench-rds.log", "w", encoding="utf-8", errors="surrogateescape") as rds, \
         open(f"{out}/bench-syslog.log", "w", encoding="utf-8", errors="surrogateescape") as syslog, \
         open(f"{out}/bench-cnpg.json", "w", encoding="utf-8", errors="surrogateescape") as cnpg, \
         open(f"{out}/bench-cloudsql.json", "w", encoding="utf-8", errors="surrogateescape") as cloudsql, \
         open(f"{out}/bench-azure.json", "w", encoding="utf-8", errors="surrogateescape") as azure:
        for m, cont in records(src):
            ts, frac, zone, pid, user, db, app, sess, sev, msg = m.groups()
            user = "" if user in (None, "[unknown]") else user
            db = "" if db in (None, "[unknown]") else db
            host = "10.0.1.7(51234)" if user else ""
            rds.write(f"{ts} {zone}:{host}:{user}@{db}:[{pid}]:{sev}:  {msg}\n")
            for c in cont:
                rds.write(c + "\n")
            seq[pid] = seq.get(pid, 0) + 1
            head = f"Nov 28 {ts[11:]} db1 postgres[{pid}]: "
            first = m.group(0)
            if not cont:
                syslog.write(f"{head}[{seq[pid]}] {first}\n")
            else:
                syslog.write(f"{head}[{seq[pid]}-1] {first}\n")
                for k, c in enumerate(cont, start=2):
                    syslog.write(f"{head}[{seq[pid]}-{k}] {c}\n")
            text = "\n".join([msg] + [c[1:] for c in cont])
            rec = {"log_time": f"{ts}{frac} {zone}", "user_name": user, "database_name": db, "process_id": pid,
                   "connection_from": "10.0.1.7:51234" if user else "", "session_id": sess or "",
                   "error_severity": sev, "sql_state_code": "00000", "message": text,
                   "application_name": "" if app in (None, "[unknown]") else app, "backend_type": "client backend"}
            cnpg.write(json.dumps({"level": "info", "ts": f"{ts[:10]}T{ts[11:]}{frac}Z", "logger": "postgres", "msg": "record",
                                   "logging_pod": "bench-1", "record": rec}, separators=(",", ":")) + "\n")
            iso = f"{ts[:10]}T{ts[11:]}{frac}Z"
            line_no = seq[pid]
            payload = f"{ts}{frac} {zone} [{pid}]: [{line_no}-1] db={db},user={user} {sev}:  " + "\n\t".join([msg] + [c[1:] for c in cont])
            cloudsql.write(json.dumps({"insertId": f"s{pid}{line_no}", "logName": "projects/bench/logs/cloudsql.googleapis.com%2Fpostgres.log",
                                       "receiveTimestamp": iso, "resource": {"labels": {"database_id": "bench:db1", "project_id": "bench",
                                       "region": "europe-west1"}, "type": "cloudsql_database"}, "severity": "INFO",
                                       "textPayload": payload, "timestamp": iso}, separators=(",", ":")) + "\n")
            azure.write(json.dumps({"time": iso, "resourceId": "/SUBSCRIPTIONS/0000/RESOURCEGROUPS/BENCH/PROVIDERS/MICROSOFT.DBFORPOSTGRESQL/FLEXIBLESERVERS/DB1",
                                    "category": "PostgreSQLLogs", "operationName": "LogEvent",
                                    "properties": {"prefix": f"{ts} {zone}-{sess or '0.0'}-", "message": text, "detail": "",
                                                   "errorLevel": sev, "domain": "postgres-16", "schemaName": "", "tableName": "",
                                                   "columnName": "", "datatypeName": "", "sqlerrcode": "00000"}},
                                   separators=(",", ":")) + "\n")


main()
