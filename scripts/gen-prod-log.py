#!/usr/bin/env python3
"""Generates a production-shaped PostgreSQL 15 stderr log (and its API audit log) for benchmarks.

    scripts/gen-prod-log.py [--lines N] [--seed S] [--out FILE] [--audit FILE] [--tenants T]
                            [--backends B] [--single-line-weight W] [--lines-per-second R]
                            [--checkpoint-every SECONDS] [--restart-every LINES] [--dump-tables N]
                            [--distinct-literals] [--big-statement-every N] [--big-statement-bytes B]

Why a second generator: scripts/gen-bench-log.py writes a log in which statement texts repeat
(a few hundred shapes, 30% tagged), so caches keyed by text hit almost always. A log recorded from
a real PostgreSQL 15 server under an ORM-style workload (issue 18) is shaped differently, and the
scan was 3x slower per line on it. This one reproduces that composition (python3 standard library
only; deterministic for a given seed; stops at the first record boundary at or past N lines):

- log_statement = all, no log_min_duration_statement: the extended protocol logs only
  `execute <unnamed>: ...` (~31% of lines) and its `DETAIL:  parameters: $1 = '...'` (~27%); the
  simple protocol `statement: ...` (~17%: psycopg-style literals inline, BEGIN/COMMIT, and
  `SET`/`RESET app.current_tenant` around the queries of the RLS table); multi-line ORM statements
  continued on tab-indented lines (~24%);
- **every application statement ends in its own sqlcommenter comment** with a unique
  `traceparent` (the request's trace id, a new span id per statement) and a `route`, so no two
  statement texts are equal; the audit log (--audit) has one JSON line per request with its
  traceparent, host and response tenants;
- a `pg_dump --schema-only` at the start (catalog queries, `PREPARE ... AS` / `EXECUTE`), server
  start, checkpoints, a restart now and then (--restart-every) and a shutdown at the end;
- log_line_prefix = '%m [%p] %q%u@%d app=%a ' (log_timezone UTC), so background processes' lines
  carry only `%m [%p] `.

Leaks are rare, as in production: ~0.3% of requests answer with another tenant's rows (audit),
~0.5% of statements lack the tenant predicate, ~0.2% read another tenant's rows.

Worst-case knobs (the curves of BENCHMARKS.md): --distinct-literals inlines literals and varies
IN-list lengths so that statements are distinct even after normalisation; --backends sets the
number of concurrent, interleaved backends; --big-statement-every N writes one statement of
--big-statement-bytes (default 4 MiB) every N lines.
"""
import argparse
import base64
import json
import random
import sys
import time

PREFIX = "{ts} UTC [{pid}] {user}@{db} app={app} "
BG_PREFIX = "{ts} UTC [{pid}] "
APPS = [  # (application_name, weight, protocol, framework tag)
    ("orders-api", 7, "extended", "express%3A4.18.2"),
    ("billing-api", 5, "extended", "spring%3A6.1.1"),
    ("projects-api", 5, "simple", "django%3A4.2.7"),
    ("report-worker", 2, "simple", "celery%3A5.3.4"),
]
ROUTES = {
    "orders-api": ["/api/orders", "/api/orders/:id", "/api/customers/:id/orders", "/api/orders/:id/items"],
    "billing-api": ["/api/invoices", "/api/invoices/:id", "/api/invoices/:id/pay", "/api/billing/summary"],
    "projects-api": ["/api/projects", "/api/projects/<int:pk>", "/api/projects/search"],
    "report-worker": ["tasks.reports.monthly", "tasks.reports.overdue"],
}
STATUSES = ["open", "paid", "overdue", "cancelled"]


def quote(v):
    return "'" + str(v).replace("'", "''") + "'"


def urlenc(s):
    return "".join(c if c.isalnum() or c in "-_.~" else "%%%02X" % ord(c) for c in s)


# --- ORM statements -------------------------------------------------------------------------------
# Each template: (text with {p} placeholders, [parameter kinds]); {p} becomes $n (extended) or an
# inline literal (simple). Newlines become tab-continued lines in the log. `t` is the tenant.
ORM = [
    ('SELECT "orders"."id", "orders"."customer_id", "orders"."total", "orders"."status", "orders"."created_at" '
     'FROM "orders" WHERE ("orders"."tenant_id" = {p} AND "orders"."status" = {p}) '
     'ORDER BY "orders"."created_at" DESC LIMIT {p}', ["t", "s", "n"]),
    ('SELECT "orders"."id", "orders"."total" FROM "orders" WHERE ("orders"."tenant_id" = {p} AND "orders"."id" = {p}) LIMIT 1',
     ["t", "i"]),
    ('SELECT orders.id AS orders_id, orders.total AS orders_total, orders.status AS orders_status, \n'
     'customers.name AS customers_name \nFROM orders JOIN customers ON customers.tenant_id = orders.tenant_id '
     'AND customers.id = orders.customer_id \nWHERE orders.tenant_id = {p} AND orders.customer_id = {p} '
     '\nORDER BY orders.created_at DESC \n LIMIT {p}', ["t", "i", "n"]),
    ('UPDATE "orders" SET "status" = {p} WHERE ("orders"."tenant_id" = {p} AND "orders"."id" = {p})', ["s", "t", "i"]),
    ('INSERT INTO "orders" ("tenant_id", "customer_id", "total", "status") VALUES ({p}, {p}, {p}, {p}) RETURNING "orders"."id"',
     ["t", "i", "m", "s"]),
    ('SELECT "customers"."id", "customers"."name", "customers"."email" FROM "customers" '
     'WHERE ("customers"."tenant_id" = {p} AND "customers"."id" = {p}) LIMIT 1', ["t", "i"]),
    ('SELECT count(*) AS "__count" FROM "invoices" WHERE ("invoices"."tenant_id" = {p} AND NOT "invoices"."paid")',
     ["t"]),
    ('SELECT invoices.id AS invoices_id, invoices.amount AS invoices_amount, invoices.due_date AS invoices_due_date \n'
     'FROM invoices \nWHERE invoices.tenant_id = {p} AND invoices.paid = false AND invoices.due_date < {p} \n'
     'ORDER BY invoices.due_date', ["t", "d"]),
    ('UPDATE invoices SET paid = true \nWHERE invoices.tenant_id = {p} AND invoices.id = {p}', ["t", "i"]),
    ('SELECT "invoices"."id", "invoices"."order_id", "invoices"."amount" FROM "invoices" '
     'WHERE ("invoices"."tenant_id" = {p} AND "invoices"."order_id" IN ({in})) ORDER BY "invoices"."id"', ["t", "in"]),
    ('SELECT c.name, count(o.id) AS orders, sum(o.total) AS revenue\n  FROM customers c\n'
     '  LEFT JOIN orders o ON o.tenant_id = c.tenant_id AND o.customer_id = c.id\n WHERE c.tenant_id = {p}\n'
     ' GROUP BY c.name\n ORDER BY revenue DESC NULLS LAST\n LIMIT {p}', ["t", "n"]),
    ('SELECT "tenants"."id", "tenants"."name", "tenants"."plan" FROM "tenants" WHERE "tenants"."id" = {p} LIMIT 1',
     ["t"]),
]
# The RLS table: read between SET and RESET of the session setting, no tenant predicate.
RLS = [
    ('SELECT "projects"."id", "projects"."name" FROM "projects" ORDER BY "projects"."id" LIMIT {p}', ["n"]),
    ('SELECT projects.id AS projects_id, projects.name AS projects_name \nFROM projects \n'
     'WHERE projects.name ILIKE {p} \nORDER BY projects.id', ["like"]),
    ('SELECT count(*) AS "__count" FROM "projects"', []),
]
# Missing tenant predicate (the leak the scan looks for).
UNSCOPED = [
    ('SELECT "invoices"."id", "invoices"."amount" FROM "invoices" WHERE "invoices"."order_id" = {p}', ["i"]),
    ('SELECT orders.id AS orders_id, orders.total AS orders_total \nFROM orders \nWHERE orders.customer_id = {p}',
     ["i"]),
]


def orm_weights(single):
    """Single-line statements `single` times as likely as multi-line ones (--single-line-weight)."""
    return [1 if "\n" in t else single for t, _ in ORM]


class Gen:
    def __init__(self, a, out):
        self.a = a
        self.rng = random.Random(a.seed)
        self.audit_rng = random.Random(a.seed + 1)
        self.out = out
        self.buf = []
        self.lines = 0
        self.t = 1796112000.0  # 2026-12-01 08:00:00 UTC
        self.sec, self.sec_str = None, ""
        self.step = 1.0 / a.lines_per_second
        self.next_pid = 3000
        self.postmaster = 0
        self.tenants = ["acme", "globex", "initech"] + [f"tenant-{n:03d}" for n in range(1, max(a.tenants, 4) - 2)]
        self.backends = []
        self.audit = None
        self.audit_lines = 0
        self.tokens = {}
        self.requests = 0
        self.statements = 0
        self.next_checkpoint = self.t + a.checkpoint_every
        self.next_restart = a.restart_every
        self.next_big = a.big_statement_every
        self.counts = {}
        self.orm_weights = orm_weights(a.single_line_weight)

    # --- output ---------------------------------------------------------------------------------
    def ts(self):
        self.t += self.rng.random() * 2 * self.step
        s = int(self.t)
        if s != self.sec:
            self.sec = s
            self.sec_str = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(s))
        return f"{self.sec_str}.{int((self.t - s) * 1000):03d}"

    def emit(self, prefix, severity, msg, kind):
        text = f"{prefix}{severity}:  {msg}"
        n = msg.count("\n")
        if n:
            text = text.replace("\n", "\n\t")
            self.counts["continuation"] = self.counts.get("continuation", 0) + n
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.lines += 1 + n
        self.buf.append(text)
        if len(self.buf) >= 4096:
            self.flush()

    def flush(self):
        if self.buf:
            self.out.write("\n".join(self.buf))
            self.out.write("\n")
            self.buf = []

    def bg(self, pid, msg, severity="LOG"):
        self.emit(BG_PREFIX.format(ts=self.ts(), pid=pid), severity, msg, "server")

    def pfx(self, b):
        return PREFIX.format(ts=self.ts(), pid=b["pid"], user=b["user"], db=b["db"], app=b["app"])

    def new_pid(self):
        self.next_pid += self.rng.randint(1, 30)
        if self.next_pid > 4190000:
            self.next_pid = 3000
        return self.next_pid

    # --- the server -----------------------------------------------------------------------------
    def server_start(self, after_restart):
        self.postmaster = self.new_pid()
        p = self.postmaster
        self.bg(p, "starting PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu, compiled by "
                   "gcc (Debian 12.2.0-14+deb12u1) 12.2.0, 64-bit")
        self.bg(p, 'listening on IPv4 address "0.0.0.0", port 5432')
        self.bg(p, 'listening on Unix socket "/var/run/postgresql/.s.PGSQL.5432"')
        startup = self.new_pid()
        shut = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(self.t) - (3 if after_restart else 86400)))
        self.bg(startup, f"database system was shut down at {shut} UTC")
        self.bg(p, "database system is ready to accept connections")
        self.checkpointer = self.new_pid()

    def checkpoint(self, reason):
        rng = self.rng
        buffers = rng.randint(50, 20000)
        self.bg(self.checkpointer, f"checkpoint starting: {reason}")
        w = rng.uniform(0.1, 269.9)
        self.bg(self.checkpointer,
                f"checkpoint complete: wrote {buffers} buffers ({buffers / 163.84:.1f}%); 0 WAL file(s) added, "
                f"0 removed, {rng.randint(0, 3)} recycled; write={w:.3f} s, sync={rng.uniform(0, .05):.3f} s, "
                f"total={w + .05:.3f} s; sync files={rng.randint(3, 90)}, longest={rng.uniform(0, .01):.3f} s, "
                f"average={rng.uniform(0, .002):.3f} s; distance={buffers * 8} kB, estimate={buffers * 9} kB")

    def server_stop(self):
        p = self.postmaster
        self.bg(p, "received fast shutdown request")
        self.bg(p, "aborting any active transactions")
        for b in self.backends:
            self.emit(self.pfx(b), "FATAL", "terminating connection due to administrator command", "server")
        self.backends = []
        self.bg(p, f'background worker "logical replication launcher" (PID {p + 5}) exited with exit code 1')
        self.bg(self.checkpointer, "shutting down")
        self.checkpoint("shutdown immediate")
        self.bg(p, "database system is shut down")

    # --- sessions -------------------------------------------------------------------------------
    def connect(self, app, user="app", db="saas"):
        rng = self.rng
        pid = self.new_pid()
        host = f"10.1.{rng.randint(0, 15)}.{rng.randint(2, 250)}"
        port = rng.randint(32768, 60999)
        self.emit(PREFIX.format(ts=self.ts(), pid=pid, user="[unknown]", db="[unknown]", app="[unknown]"),
                  "LOG", f"connection received: host={host} port={port}", "connection")
        self.emit(PREFIX.format(ts=self.ts(), pid=pid, user=user, db=db, app="[unknown]"),
                  "LOG", f"connection authorized: user={user} database={db} application_name={app}", "connection")
        return {"pid": pid, "app": app, "user": user, "db": db, "host": host, "port": port, "start": self.t,
                "queue": [], "left": rng.randint(200, 4000)}

    def disconnect(self, b):
        el = self.t - b["start"]
        h, rem = divmod(el, 3600)
        m, sec = divmod(rem, 60)
        self.emit(self.pfx(b), "LOG", f"disconnection: session time: {int(h)}:{int(m):02d}:{sec:06.3f} "
                                      f"user={b['user']} database={b['db']} host={b['host']} port={b['port']}",
                  "connection")

    def pick_app(self):
        return self.rng.choices(APPS, [w for _, w, _, _ in APPS])[0]

    def fill_pool(self):
        while len(self.backends) < self.a.backends:
            app = self.pick_app()
            b = self.connect(app[0])
            b["proto"], b["framework"] = app[2], app[3]
            self.backends.append(b)

    # --- pg_dump --schema-only ------------------------------------------------------------------
    def pg_dump(self):
        b = self.connect("pg_dump", user="postgres")
        rng = self.rng

        def stmt(text):
            self.emit(self.pfx(b), "LOG", f"statement: {text}", "statement")

        for s in ["SET DATESTYLE = ISO", "SET INTERVALSTYLE = POSTGRES", "SET extra_float_digits TO 3",
                  "SET synchronize_seqscans TO off", "SET statement_timeout = 0", "SET lock_timeout = 0",
                  "SET idle_in_transaction_session_timeout = 0", "SET row_security = off",
                  "BEGIN", "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
                  "SELECT pg_catalog.set_config('search_path', '', false);"]:
            stmt(s)
        stmt("PREPARE dumpFunc(pg_catalog.oid) AS\nSELECT\nproretset,\nprosrc,\nprobin,\n"
             "provolatile,\nproisstrict,\nprosecdef,\nlanname,\nproconfig,\nprocost,\nprorows,\n"
             "pg_catalog.pg_get_function_arguments(p.oid) AS funcargs,\n"
             "pg_catalog.pg_get_function_result(p.oid) AS funcresult\n"
             "FROM pg_catalog.pg_proc p, pg_catalog.pg_language l\nWHERE p.oid = $1 AND l.oid = p.prolang")
        stmt("PREPARE getColumnsOfTable(pg_catalog.oid) AS\nSELECT\na.attrelid,\na.attnum,\na.attname,\n"
             "a.atttypmod,\na.attstattarget,\na.attstorage,\nt.typstorage,\na.attnotnull,\na.atthasdef,\n"
             "a.attisdropped,\na.attlen,\na.attalign,\na.attislocal,\n"
             "pg_catalog.format_type(t.oid, a.atttypmod) AS atttypname\n"
             "FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_type t ON a.atttypid = t.oid\n"
             "WHERE a.attrelid = $1 AND a.attnum > 0::pg_catalog.int2\nORDER BY a.attnum")
        stmt("SELECT c.tableoid, c.oid, c.relname, c.relnamespace, c.relkind, c.relowner, c.relchecks,\n"
             "c.relhastriggers, c.relpersistence, c.reloftype, c.relacl, c.relrowsecurity\n"
             "FROM pg_class c LEFT JOIN pg_depend d ON (c.relkind = 'S' AND d.classid = c.tableoid AND "
             "d.objid = c.oid AND d.objsubid = 0 AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))\n"
             "WHERE c.relkind IN ('r', 'S', 'v', 'c', 'm', 'f', 'p')\nORDER BY c.oid")
        for n in range(self.a.dump_tables):
            oid = 16384 + 7 * n
            stmt(f"EXECUTE getColumnsOfTable('{oid}')")
            stmt(f"SELECT pg_catalog.pg_get_viewdef('{oid}'::pg_catalog.oid) AS viewdef")
            if rng.random() < 0.3:
                stmt(f"EXECUTE dumpFunc('{oid + 3}')")
            stmt("SELECT tableoid, oid, conname, pg_catalog.pg_get_constraintdef(oid) AS condef\n"
                 f"FROM pg_catalog.pg_constraint\nWHERE conrelid = '{oid}'::pg_catalog.oid AND contype = 'c'\n"
                 "ORDER BY conname")
        stmt("COMMIT")
        self.disconnect(b)

    # --- requests -------------------------------------------------------------------------------
    def value(self, kind, tenant):
        rng = self.rng
        if kind == "t":
            return tenant
        if kind == "s":
            return rng.choice(STATUSES)
        if kind == "n":
            return rng.choice([10, 20, 21, 25, 50, 100])
        if kind == "i":
            return rng.randint(1, 5_000_000)
        if kind == "m":
            return f"{rng.randint(1, 99999)}.{rng.randint(0, 99):02d}"
        if kind == "d":
            return f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if kind == "like":
            return f"%{rng.choice(['alpha', 'beta', 'launch', 'migration', 'q4'])}%"
        raise ValueError(kind)

    def render(self, template, kinds, tenant, extended):
        """The statement text and its parameters ($1 = '...' list) for one execution."""
        rng = self.rng
        parts = template.split("{")
        out, params = [parts[0]], []
        ki = 0
        for part in parts[1:]:
            key, rest = part.split("}", 1)
            kind = kinds[ki]
            ki += 1
            if key == "in":
                n = rng.randint(1, 12) if self.a.distinct_literals else 3
                vals = [self.value("i", tenant) for _ in range(n)]
            else:
                vals = [self.value(kind, tenant)]
            if extended and not (key == "in" and self.a.distinct_literals):
                marks = []
                for v in vals:
                    params.append(v)
                    marks.append(f"${len(params)}")
                out.append(", ".join(marks))
            else:
                out.append(", ".join(quote(v) if isinstance(v, str) else str(v) for v in vals))
            out.append(rest)
        return "".join(out), params

    def comment(self, b, req):
        span = "%016x" % self.rng.getrandbits(64)
        return (f" /*controller='{req['controller']}',framework='{b['framework']}',"
                f"route='{urlenc(req['route'])}',traceparent='00-{req['trace']}-{span}-01'*/")

    def new_request(self, b):
        rng = self.rng
        self.requests += 1
        tenant = rng.choice(self.tenants)
        route = rng.choice(ROUTES[b["app"]])
        req = {"trace": "%032x" % rng.getrandbits(128), "root": "%016x" % rng.getrandbits(64), "tenant": tenant,
               "route": route, "controller": route.strip("/").split("/")[-1].split(".")[-1] or "index",
               "start": self.t}
        q = []
        simple = b["proto"] == "simple"
        if simple and rng.random() < 0.5:
            q.append(("BEGIN", None, []))
        for _ in range(rng.randint(1, 5)):
            r = rng.random()
            if r < 0.005:
                q.append(("sql",) + rng.choice(UNSCOPED))
            elif r < 0.007:
                q.append(("cross",) + rng.choices(ORM, self.orm_weights)[0])
            elif r < 0.17 and b["app"] in ("projects-api", "orders-api"):
                q.append(("SET", None, []))
                for _ in range(rng.randint(1, 2)):
                    q.append(("sql",) + rng.choice(RLS))
                q.append(("RESET", None, []))
            else:
                q.append(("sql",) + rng.choices(ORM, self.orm_weights)[0])
        if q[0][0] == "BEGIN":
            q.append(("COMMIT", None, []))
        q.append(("END", None, []))
        b["req"] = req
        b["queue"] = q

    def step_backend(self, b):
        if not b["queue"]:
            self.new_request(b)
        kind, template, kinds = b["queue"].pop(0)
        req = b["req"]
        extended = b["proto"] == "extended"
        if kind == "END":
            self.audit_line(req)
            return
        if kind in ("BEGIN", "COMMIT"):
            text = kind
        elif kind == "SET":
            text = f"SET app.current_tenant = {quote(req['tenant'])}"
        elif kind == "RESET":
            text = "RESET app.current_tenant"
        else:
            tenant = req["tenant"] if kind != "cross" else self.rng.choice(self.tenants)
            text, params = self.render(template, kinds, tenant, extended)
            text += self.comment(b, req)
            self.statements += 1
            if extended:
                self.emit(self.pfx(b), "LOG", f"execute <unnamed>: {text}", "execute")
                if params:
                    self.emit(self.pfx(b), "DETAIL", "parameters: " + ", ".join(
                        f"${n} = {quote(v)}" for n, v in enumerate(params, 1)), "parameters")
                return
            self.emit(self.pfx(b), "LOG", f"statement: {text}", "statement")
            return
        # Session commands: the extended-protocol drivers send them through execute too (no parameters).
        text += self.comment(b, req) if kind in ("SET", "RESET") else ""
        if extended:
            self.emit(self.pfx(b), "LOG", f"execute <unnamed>: {text}", "execute")
        else:
            self.emit(self.pfx(b), "LOG", f"statement: {text}", "statement")

    def audit_line(self, req):
        if self.audit is None:
            return
        rng = self.audit_rng
        t = max(self.t, req["start"]) + 0.001
        s = int(t)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + f".{int((t - s) * 1000):03d}Z"
        tenant = req["tenant"]
        token = self.tokens.setdefault(tenant, jwt_for(tenant))
        response = [tenant]
        if rng.random() < 0.003:
            response.append(rng.choice(self.tenants))
        self.audit.write(json.dumps({"ts": stamp, "request_id": f"req-{self.requests:08d}",
                                     "traceparent": f"00-{req['trace']}-{req['root']}-01",
                                     "route": req["route"], "host": f"{tenant}.example.com", "status": 200,
                                     "headers": {"authorization": f"Bearer {token}"},
                                     "response": {"tenant_ids": response}}, separators=(",", ":")) + "\n")
        self.audit_lines += 1

    def big_statement(self, b):
        """One statement of --big-statement-bytes: a bulk INSERT of many rows (literals inline)."""
        rng = self.rng
        tenant = rng.choice(self.tenants)
        rows, size = [], 0
        while size < self.a.big_statement_bytes:
            row = f"({quote(tenant)}, {rng.randint(1, 9999999)}, {rng.randint(1, 99999)}.{rng.randint(0, 99):02d}, 'open')"
            rows.append(row)
            size += len(row) + 2
        text = ('INSERT INTO "orders" ("tenant_id", "customer_id", "total", "status") VALUES\n'
                + ",\n".join(", ".join(rows[i:i + 40]) for i in range(0, len(rows), 40)))
        self.emit(self.pfx(b), "LOG", f"statement: {text}", "statement")

    def run(self):
        a, rng = self.a, self.rng
        self.server_start(False)
        self.checkpoint("time")
        if a.dump_tables:
            self.pg_dump()
        self.fill_pool()
        while self.lines < a.lines:
            if self.t >= self.next_checkpoint:
                self.checkpoint("time")
                self.next_checkpoint = self.t + a.checkpoint_every
            if a.restart_every and self.lines >= self.next_restart:
                self.server_stop()
                self.server_start(True)
                self.next_restart += a.restart_every
            if a.big_statement_every and self.lines >= self.next_big:
                self.big_statement(rng.choice(self.backends))
                self.next_big += a.big_statement_every
            self.fill_pool()
            i = rng.randrange(len(self.backends))
            b = self.backends[i]
            b["left"] -= 1
            if b["left"] <= 0 and not b["queue"]:
                self.disconnect(self.backends.pop(i))
                continue
            self.step_backend(b)
        self.server_stop()
        self.flush()


def jwt_for(tenant):
    """An unsigned-but-well-formed HS256 JWT carrying the tenant (the bench reads claims unverified)."""
    b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"sub": f"user-{tenant}", "tenant_id": tenant, "sid": f"sid-{tenant}"}).encode())
    return f"{head}.{body}.{b64(b'bench-signature')}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default="-")
    ap.add_argument("--audit", default=None, help="also write the API's audit log (JSON lines) here")
    ap.add_argument("--tenants", type=int, default=120)
    ap.add_argument("--backends", type=int, default=40, help="concurrent backends, interleaved")
    ap.add_argument("--single-line-weight", type=float, default=3.0,
                    help="how much likelier a single-line ORM statement is than a multi-line one")
    ap.add_argument("--lines-per-second", type=float, default=2000.0, help="log lines per second of log time")
    ap.add_argument("--checkpoint-every", type=float, default=300.0, help="seconds of log time")
    ap.add_argument("--restart-every", type=int, default=0, help="restart the server every N lines (0: never)")
    ap.add_argument("--dump-tables", type=int, default=60, help="tables pg_dump reads at the start (0: no dump)")
    ap.add_argument("--distinct-literals", action="store_true",
                    help="inline literals and vary IN-list lengths: distinct even after normalisation")
    ap.add_argument("--big-statement-every", type=int, default=0, help="one big statement every N lines")
    ap.add_argument("--big-statement-bytes", type=int, default=4 << 20)
    ap.add_argument("--summary", action="store_true", help="print the line composition to stderr")
    a = ap.parse_args()
    if a.distinct_literals:
        for app in range(len(APPS)):
            APPS[app] = APPS[app][:2] + ("simple",) + APPS[app][3:]
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8", buffering=1 << 20)
    g = Gen(a, out)
    if a.audit:
        g.audit = open(a.audit, "w", encoding="utf-8", buffering=1 << 20)
    g.run()
    if out is not sys.stdout:
        out.close()
    if g.audit is not None:
        g.audit.close()
    print(f"gen-prod-log: {g.lines} lines, {g.statements} application statements, {g.requests} requests, "
          f"{g.audit_lines} audit lines", file=sys.stderr)
    if a.summary:
        for k, v in sorted(g.counts.items(), key=lambda kv: -kv[1]):
            print(f"  {k:12} {v:>10} {100 * v / g.lines:5.1f}%", file=sys.stderr)


if __name__ == "__main__":
    main()
