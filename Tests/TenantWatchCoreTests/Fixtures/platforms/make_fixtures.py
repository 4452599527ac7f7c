#!/usr/bin/env python3
"""Writes the platform fixtures of this folder (see README.md: the shape of each and its source).

One small session per platform, the same in all: a server line, a connection, a scoped simple
statement, an extended-protocol statement with parameters, a multi-line statement with no tenant
predicate (the one leak), a failing statement with its ERROR + STATEMENT, a statement longer than
syslog's 900-byte chunks, a disconnection. Run it from this folder; the files are committed.
"""
import gzip
import json

LONG_SQL = "SELECT " + ", ".join(f"i.col_{k:03d}" for k in range(120)) + " FROM invoices i WHERE i.tenant_id = 'acme'"
MULTI = ["SELECT i.id,", "\t       i.total", "\tFROM invoices i", "\tWHERE i.total > 100"]

# (second, pid, session id, message lines); a line starting with TAB continues the one before.
SESSION = [
    (0, 390, "65e1a6f0.186", None, ["LOG:  checkpoint starting: time"]),
    (1, 4242, "65e1a7b1.1092", "app", ["LOG:  connection authorized: user=app database=billing application_name=billing-api"]),
    (2, 4242, "65e1a7b1.1092", "app", ["LOG:  statement: SELECT * FROM invoices WHERE tenant_id = 'acme'"]),
    (3, 4242, "65e1a7b1.1092", "app", ["LOG:  execute <unnamed>: SELECT name FROM customers WHERE tenant_id = $1 AND id = $2",
                                      "DETAIL:  parameters: $1 = 'acme', $2 = '7'"]),
    (4, 4243, "65e1a7b2.1093", "app", ["LOG:  statement: " + MULTI[0]] + MULTI[1:]),
    (5, 4242, "65e1a7b1.1092", "app", ["LOG:  statement: SELECT 1/0 FROM invoices WHERE tenant_id = 'acme'"]),
    (5, 4242, "65e1a7b1.1092", "app", ["ERROR:  division by zero",
                                      "STATEMENT:  SELECT 1/0 FROM invoices WHERE tenant_id = 'acme'"]),
    (6, 4243, "65e1a7b2.1093", "app", ["LOG:  statement: " + LONG_SQL]),
    (7, 4242, "65e1a7b1.1092", "app", ["LOG:  disconnection: session time: 0:00:06.012 user=app database=billing host=10.0.1.7 port=51234"]),
]


def stderr_lines(prefix_of):
    """Each message line with its prefix; continuation lines (TAB) without."""
    out = []
    for (t, pid, sess, user, msg) in SESSION:
        for k, m in enumerate(msg):
            out.append(m if m.startswith("\t") else prefix_of(t, pid, sess, user, k) + m)
    return out


def write(name, lines):
    with open(name, "w") as f:
        f.write("\n".join(lines) + "\n")


# AWS RDS / Aurora: '%t:%r:%u@%d:[%p]:' (server lines: empty %r, %u, %d).
def rds(t, pid, sess, user, k):
    if user is None:
        return f"2024-03-01 10:00:{t:02d} UTC::@:[{pid}]:"
    host = "10.0.1.7(51234)" if pid == 4242 else "10.0.1.8(40112)"
    return f"2024-03-01 10:00:{t:02d} UTC:{host}:{user}@billing:[{pid}]:"
write("rds_postgresql.log.2024-03-01-10", stderr_lines(rds))
with open("rds_postgresql.log.2024-03-01-10", "rb") as f, open("rds_postgresql.log.2024-03-01-10.gz", "wb") as raw:
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as g:
        g.write(f.read())

# pgBadger's documented prefix '%t [%p]: [%l-1] user=%u,db=%d ' (no %q: server lines print user=,db=).
lnum = {}
def pgbadger(t, pid, sess, user, k):
    lnum[pid] = lnum.get(pid, 0) + 1
    return f"2024-03-01 10:00:{t:02d} UTC [{pid}]: [{lnum[pid]}-1] user={user or ''},db={'billing' if user else ''} "
write("pgbadger_default.log", stderr_lines(pgbadger))

# Azure Database for PostgreSQL: '%t-%c-'.
write("azure_postgresql.log", stderr_lines(lambda t, pid, sess, user, k: f"2024-03-01 10:00:{t:02d} UTC-{sess}-"))


def syslog_chunks(seq, text):
    """PostgreSQL's write_syslog: `[N]` for one line under 900 bytes; else `[N-k]` chunks, split at
    each newline and, past 900 bytes, before a space (the next chunk starts with it)."""
    if "\n" not in text and len(text) <= 900:
        return [f"[{seq}] {text}"]
    out, k = [], 0
    for line in text.split("\n"):
        while line:
            if len(line) <= 900:
                piece, line = line, ""
            else:
                cut = line.rfind(" ", 0, 900)
                cut = 900 if cut <= 0 else cut
                piece, line = line[:cut], line[cut:]
            k += 1
            out.append(f"[{seq}-{k}] {piece}")
    return out


def syslog_lines(header_of, prefix_of, always_chunk=False):
    seq = {}
    out = []
    for (t, pid, sess, user, msg) in SESSION:
        seq[pid] = seq.get(pid, 0) + 1
        text = "\n".join(m if m.startswith("\t") else prefix_of(t, pid, user, msg[0]) + m for m in msg)
        for c in syslog_chunks(seq[pid], text):
            if always_chunk and "-" not in c.split("]")[0]:
                c = c.replace("]", "-1]", 1)
            out.append(header_of(t, pid) + c)
    return out


# rsyslog's traditional file format; log_line_prefix Debian's '%m [%p] %q%u@%d '.
debian = lambda t, pid, user, first: f"2024-03-01 10:00:{t:02d}.{pid % 1000:03d} UTC [{pid}] " + (f"{user}@billing " if user else "")
rs = syslog_lines(lambda t, pid: f"Mar  1 10:00:{t:02d} db1 postgres[{pid}]: ", debian)
write("syslog_rsyslog.log", rs)
# The same with another process's line between two chunks of one message (syslog delivers each
# chunk as its own message): chunks are matched by process. pgBadger 12 loses that statement.
i = next(k for k, l in enumerate(rs) if "[3-1]" in l and "[4242]" in l)
j = next(k for k, l in enumerate(rs) if "postgres[4243]: [1-1]" in l)
rs.insert(i + 1, rs.pop(j))
write("syslog_rsyslog_interleaved.log", rs)

# journalctl -u postgresql -o short-iso: RFC 3339 time; journalctl's own `-- ... --` marker line.
write("journald_short_iso.log", ["-- Logs begin at Fri 2024-03-01 09:00:00 UTC, end at Fri 2024-03-01 10:00:07 UTC. --"]
      + syslog_lines(lambda t, pid: f"2024-03-01T10:00:{t:02d}+0000 db1 postgres[{pid}]: ", debian))

# Heroku Postgres through logplex: `TIME app[postgres.N]: [DATABASE] [n-k] sql_error_code = %e LOG:  ...`.
write("heroku_logplex.log", syslog_lines(lambda t, pid: f"2024-03-01T10:00:{t:02d}+00:00 app[postgres.1234]: [DATABASE] ",
                                         lambda t, pid, user, first: "sql_error_code = " + ("22012" if first.startswith("ERROR") else "00000") + " ",
                                         always_chunk=True))


# --- Google Cloud SQL, a Cloud Logging export (one LogEntry a line). The server's line is
# `textPayload`, with Cloud SQL's log_line_prefix '%m [%p]: [%l-1] db=%d,user=%u '; one entry per
# record (its continuation and DETAIL lines inside). pgaudit entries (cloudsql.enable_pgaudit) are
# data-access audit log entries whose protoPayload.request is a PgAuditEntry.
def cloudsql_entries():
    out, lnum = [], {}
    for (t, pid, sess, user, msg) in SESSION:
        lines = []
        for m in msg:
            if m.startswith("\t"):
                lines.append(m)
                continue
            lnum[pid] = lnum.get(pid, 0) + 1
            who = f"db={'billing' if user else ''},user={user or ''} "
            lines.append(f"2024-03-01 10:00:{t:02d}.{pid % 1000:03d} UTC [{pid}]: [{lnum[pid]}-1] {who}{m}")
        out.append({"insertId": f"s{t}{pid}{len(out)}", "logName": "projects/acme-prod/logs/cloudsql.googleapis.com%2Fpostgres.log",
                    "receiveTimestamp": f"2024-03-01T10:00:{t:02d}.5Z",
                    "resource": {"labels": {"database_id": "acme-prod:billing-db", "project_id": "acme-prod", "region": "europe-west1"},
                                 "type": "cloudsql_database"},
                    "severity": "ERROR" if msg[0].startswith("ERROR") else "INFO",
                    "textPayload": "\n".join(lines), "timestamp": f"2024-03-01T10:00:{t:02d}.{pid % 1000:03d}Z"})
        if msg[0] == "LOG:  statement: SELECT * FROM invoices WHERE tenant_id = 'acme'":
            # The same statement as seen by pgaudit (pgaudit.log = 'read'): one execution, not two.
            out.append({"insertId": "a1", "logName": "projects/acme-prod/logs/cloudaudit.googleapis.com%2Fdata_access",
                        "protoPayload": {"@type": "type.googleapis.com/google.cloud.audit.AuditLog",
                                         "methodName": "cloudsql.instances.query",
                                         "request": {"@type": "type.googleapis.com/google.cloud.sql.audit.v1.PgAuditEntry",
                                                     "auditClass": "READ", "auditType": "SESSION", "chunkCount": 1, "chunkIndex": 1,
                                                     "command": "SELECT", "database": "billing", "databaseSessionId": pid,
                                                     "object": "public.invoices", "objectType": "TABLE", "parameter": "<none>",
                                                     "statement": "SELECT * FROM invoices WHERE tenant_id = 'acme'",
                                                     "statementId": 1, "substatementId": 1, "user": "app"},
                                         "serviceName": "cloudsql.googleapis.com"},
                        "resource": {"labels": {"database_id": "acme-prod:billing-db", "project_id": "acme-prod"}, "type": "cloudsql_database"},
                        "severity": "INFO", "timestamp": f"2024-03-01T10:00:{t:02d}.{pid % 1000 + 1:03d}Z"})
    return out
write("cloudsql_export.json", [json.dumps(e, separators=(",", ":")) for e in cloudsql_entries()])


# --- CloudNativePG: the instance manager's JSON lines; `record` holds the csvlog fields (all
# strings), as in CloudNativePG's logging documentation. Operator lines of other loggers are mixed in.
def cnpg_lines():
    out = [json.dumps({"level": "info", "ts": "2024-03-01T09:59:59.000000Z", "logger": "instance-manager",
                       "msg": "Instance is up and running", "logging_pod": "billing-1"}, separators=(",", ":"))]
    lnum = {}
    for (t, pid, sess, user, msg) in SESSION:
        first, rest = msg[0], msg[1:]
        sev, text = first.split(":  ", 1)
        cont = [m[1:] for m in rest if m.startswith("\t")]
        if cont:
            text = "\n".join([text] + cont)
        lnum[pid] = lnum.get(pid, 0) + 1
        rec = {"log_time": f"2024-03-01 10:00:{t:02d}.{pid % 1000:03d} UTC", "user_name": user or "",
               "database_name": "billing" if user else "", "process_id": str(pid),
               "connection_from": "10.244.1.7:51234" if user else "", "session_id": sess,
               "session_line_num": str(lnum[pid]), "command_tag": "SELECT" if user else "",
               "session_start_time": "2024-03-01 10:00:00 UTC", "virtual_transaction_id": "3/64", "transaction_id": "0",
               "error_severity": sev, "sql_state_code": "22012" if sev == "ERROR" else "00000", "message": text,
               "application_name": "billing-api" if user else "", "backend_type": "client backend" if user else "checkpointer"}
        for m in rest:
            if m.startswith("DETAIL:  "): rec["detail"] = m[9:]
            if m.startswith("STATEMENT:  "): rec["query"] = m[12:]
        out.append(json.dumps({"level": "info", "ts": f"2024-03-01T10:00:{t:02d}.{pid % 1000:03d}000Z", "logger": "postgres",
                               "msg": "record", "logging_pod": "billing-1", "record": rec}, separators=(",", ":")))
        if first == "LOG:  statement: SELECT * FROM invoices WHERE tenant_id = 'acme'":
            audit = dict(rec)
            audit["message"] = ""
            audit["audit"] = {"audit_type": "SESSION", "statement_id": "1", "substatement_id": "1", "class": "READ",
                              "command": "SELECT", "object_type": "TABLE", "object_name": "public.invoices",
                              "statement": "SELECT * FROM invoices WHERE tenant_id = 'acme'", "parameter": "<none>"}
            out.append(json.dumps({"level": "info", "ts": f"2024-03-01T10:00:{t:02d}.{pid % 1000 + 1:03d}000Z", "logger": "pgaudit",
                                   "msg": "record", "logging_pod": "billing-1", "record": audit}, separators=(",", ":")))
    return out
write("cloudnativepg.json", cnpg_lines())


# --- Azure Database for PostgreSQL flexible server, diagnostic settings' JSON export (category
# PostgreSQLLogs): `properties` carries the prefix the server wrote ('%t-%c-'), the message and its
# fields; newlines inside a field come without the stderr TAB.
def azure_lines():
    out = []
    for (t, pid, sess, user, msg) in SESSION:
        first, rest = msg[0], msg[1:]
        sev, text = first.split(":  ", 1)
        cont = [m[1:] for m in rest if m.startswith("\t")]
        if cont:
            text = "\n".join([text] + cont)
        props = {"prefix": f"2024-03-01 10:00:{t:02d} UTC-{sess}-", "message": text, "detail": "", "errorLevel": sev,
                 "domain": "postgres-16", "schemaName": "", "tableName": "", "columnName": "", "datatypeName": "",
                 "sqlerrcode": "22012" if sev == "ERROR" else "00000"}
        for m in rest:
            if m.startswith("DETAIL:  "): props["detail"] = m[9:]
            if m.startswith("STATEMENT:  "): props["statement"] = m[12:]
        out.append(json.dumps({"time": f"2024-03-01T10:00:{t:02d}.{pid % 1000:03d}Z",
                               "resourceId": "/SUBSCRIPTIONS/0000/RESOURCEGROUPS/BILLING/PROVIDERS/MICROSOFT.DBFORPOSTGRESQL/FLEXIBLESERVERS/BILLING-DB",
                               "category": "PostgreSQLLogs", "operationName": "LogEvent", "properties": props}, separators=(",", ":")))
    return out
write("azure_diagnostics.json", azure_lines())
