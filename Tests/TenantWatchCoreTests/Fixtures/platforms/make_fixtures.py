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
