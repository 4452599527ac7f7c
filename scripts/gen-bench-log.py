#!/usr/bin/env python3
"""Generates a realistic PostgreSQL 15 stderr log for benchmarks (python3 standard library only).

    scripts/gen-bench-log.py [--lines N] [--seed S] [--out FILE] [--audit FILE] [--redis FILE] [--time-scale X]
                                                                  (default 1,000,000 lines, stdout)

The server it imitates: log_statement = all, log_min_duration_statement = 0, log_connections and
log_disconnections on, log_timezone = UTC and the prefix of sample-logs/ and Tests/EndToEnd/lib/pg.sh:
    log_line_prefix = '%m [%p] %q%u@%d/%a sess=%c '
Traffic: many backends interleaved; simple protocol (`statement:` + `duration:`), extended protocol
(`parse`/`bind`/`execute <unnamed>` and named statements, each with `DETAIL:  parameters:`), multi-line
statements (newline + tab), a few hundred distinct statement shapes with varying literals, ~5%
statements without a tenant predicate, SET app.current_tenant + RLS reads, some errors with
`STATEMENT:`, and the schema of sample-logs/schema.sql (tenants, customers, orders, invoices, projects).
The output is deterministic for a given seed and stops at the first record boundary at or past N lines.
"""
import argparse
import base64
import json
import random
import sys
import time

PREFIX_FMT = "{ts} UTC [{pid}] {user}@{db}/{app} sess={sess} "
APPS = [("billing-api", 10), ("orders-api", 8), ("projects-api", 4), ("report-worker", 2),
        ("export-job", 1), ("admin-console", 1), ("PostgreSQL JDBC Driver", 3)]
UNSCOPED_SHARE = 0.05
STRING_PARAMS = ("t", "t2", "s", "d", "like")  # quoted when inlined (simple protocol)


def build_templates(rng):
    """Statement shapes: scoped (one tenant), unscoped (none, or several), other (RLS table, global table).
    Placeholders: {t}/{t2} tenants, {s} status, {d} date, {like} pattern (quoted strings in simple
    protocol), {i}/{j} integers; each becomes $n in extended protocol."""
    scoped, unscoped, other = [], [], []
    cols = {
        "customers": ["id", "name", "email", "id, name", "id, name, email", "count(*)"],
        "orders": ["id", "total", "status", "id, total, status", "id, customer_id, total, created_at",
                   "count(*)", "sum(total)", "status, count(*)"],
        "invoices": ["id", "amount", "id, amount, due_date", "id, order_id, amount, paid", "sum(amount)",
                     "count(*)", "paid, count(*)"],
    }
    conds = {
        "customers": ["", " AND id = {i}", " AND email LIKE {like}", " AND name ILIKE 'a%'"],
        "orders": ["", " AND id = {i}", " AND status = {s}", " AND customer_id = {i}",
                   " AND created_at >= {d}::date", " AND total > {i}"],
        "invoices": ["", " AND id = {i}", " AND paid = false", " AND due_date < {d}::date",
                     " AND order_id = {i}", " AND amount BETWEEN {i} AND {j}"],
    }
    tails = ["", " ORDER BY id LIMIT {j}", " LIMIT 50"]
    for table, cl in cols.items():
        for c in cl:
            for cond in conds[table]:
                agg = "count(" in c or "sum(" in c
                group = " GROUP BY " + c.split(",")[0] if agg and "," in c else ""
                for tail in (tails if not agg else [""]):
                    scoped.append(f"SELECT {c} FROM {table} WHERE tenant_id = {{t}}{cond}{group}{tail}")
                unscoped.append(f"SELECT {c} FROM {table} WHERE true{cond}{group}".replace("WHERE true AND", "WHERE"))
    # joins, writes and multi-line statements, weighted up (x6) so that they are ~15% of the traffic
    scoped += 6 * [
        "SELECT o.id, o.total, c.name\n  FROM orders o\n  JOIN customers c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id\n WHERE o.tenant_id = {t}\n   AND o.status = {s}\n ORDER BY o.created_at DESC\n LIMIT {j}",
        "SELECT o.id, i.amount, i.due_date\n  FROM orders o\n  JOIN invoices i ON i.order_id = o.id AND i.tenant_id = o.tenant_id\n WHERE o.tenant_id = {t} AND o.id = {i}",
        "SELECT c.name, count(o.id) AS orders, sum(o.total) AS revenue\n  FROM customers c\n  LEFT JOIN orders o ON o.tenant_id = c.tenant_id AND o.customer_id = c.id\n WHERE c.tenant_id = {t}\n GROUP BY c.name\n ORDER BY revenue DESC NULLS LAST\n LIMIT {j}",
        "UPDATE orders SET status = {s} WHERE tenant_id = {t} AND id = {i}",
        "UPDATE invoices SET paid = true WHERE tenant_id = {t} AND id = {i}",
        "INSERT INTO orders (tenant_id, customer_id, total, status) VALUES ({t}, {i}, {j}, 'open') RETURNING id",
        "INSERT INTO invoices (tenant_id, order_id, amount, due_date) VALUES ({t}, {i}, {j}, {d}::date) RETURNING id",
        "DELETE FROM customers WHERE tenant_id = {t} AND id = {i}",
        "SELECT id, amount FROM invoices WHERE tenant_id = {t} AND paid = false ORDER BY due_date\n LIMIT {j}",
    ]
    unscoped += [
        "SELECT * FROM invoices ORDER BY id",
        "SELECT o.id, o.total, c.name, c.email\n  FROM orders o\n  JOIN customers c ON c.id = o.customer_id\n WHERE o.tenant_id = {t}",
        "UPDATE invoices SET paid = true WHERE id = {i}",
        "SELECT tenant_id, count(*), sum(total) FROM orders WHERE tenant_id IN ({t}, {t2}) GROUP BY tenant_id",
        "SELECT id, total FROM orders WHERE tenant_id = {t} AND status = 'open' OR status = 'overdue'",
    ]
    other += [
        ("SELECT id, name FROM projects ORDER BY id", "rls"),
        ("SELECT count(*) FROM projects WHERE name LIKE {like}", "rls"),
        ("SELECT id, name, plan FROM tenants ORDER BY id", "global"),
        ("SELECT plan FROM tenants WHERE id = {t}", "global"),
    ]
    return scoped, unscoped, other


def to_extended(sql):
    """Replaces the {x} placeholders by $1, $2, ... and returns (text, [names])."""
    names, out, i = [], [], 0
    while True:
        a = sql.find("{", i)
        if a < 0:
            out.append(sql[i:])
            break
        b = sql.index("}", a)
        out.append(sql[i:a])
        name = sql[a + 1:b]
        names.append(name)
        out.append(f"${len(names)}")
        i = b + 1
    return "".join(out), names


class Gen:
    def __init__(self, seed, out, target):
        self.rng = random.Random(seed)
        self.out = out
        self.target = target
        self.lines = 0
        self.buf = []
        self.t = 1795852800.0  # 2026-11-28 08:00:00 UTC
        self.sec = None
        self.sec_str = ""
        self.next_pid = 40000
        self.tenants = ["acme", "globex", "initech"] + [f"tenant-{n:03d}" for n in range(1, 198)]
        self.statuses = ["open", "paid", "overdue", "cancelled"]
        self.dates = [f"2026-{m:02d}-{d:02d}" for m in range(1, 13) for d in (1, 15)]
        scoped, unscoped, other = build_templates(self.rng)
        self.scoped, self.unscoped, self.other = scoped, unscoped, other
        self.app_names = [a for a, _ in APPS]
        self.app_weights = [w for _, w in APPS]
        self.sessions = []
        self.req = 0
        self.audit = None
        self.audit_rng = random.Random(seed + 1)   # the Postgres log stays the same with or without --audit
        self.audit_t = 0.0
        self.audit_lines = 0
        self.pending_request = None
        self.redis = None
        self.time_scale = 1.0
        self.redis_rng = random.Random(seed + 2)   # nor with --redis
        self.redis_lines = 0
        self.tokens = {}
        self.n_statements = 0
        self.n_unscoped = 0

    # --- output ---------------------------------------------------------------------------------
    def ts(self):
        self.t += self.rng.random() * 0.0008 * self.time_scale
        s = int(self.t)
        if s != self.sec:
            self.sec = s
            self.sec_str = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(s))
        return f"{self.sec_str}.{int((self.t - s) * 1000):03d}"

    def emit(self, prefix, severity, msg):
        text = f"{prefix}{severity}:  {msg}"
        if "\n" in text:
            text = text.replace("\n", "\n\t")
            self.lines += text.count("\n")
        self.buf.append(text)
        self.lines += 1
        if len(self.buf) >= 4096:
            self.flush()

    def flush(self):
        if self.buf:
            self.out.write("\n".join(self.buf))
            self.out.write("\n")
            self.buf = []

    # --- sessions -------------------------------------------------------------------------------
    def new_session(self):
        rng = self.rng
        self.next_pid += rng.randint(1, 40)
        if self.next_pid > 4190000:
            self.next_pid = 40000
        pid = self.next_pid
        app = rng.choices(self.app_names, self.app_weights)[0]
        user = "app" if app != "admin-console" else "admin"
        host = f"10.0.{rng.randint(1, 9)}.{rng.randint(2, 250)}"
        port = rng.randint(32768, 60999)
        sess = f"{int(self.t):x}.{pid:x}"
        ts = self.ts()
        self.emit(PREFIX_FMT.format(ts=ts, pid=pid, user="[unknown]", db="[unknown]", app="[unknown]", sess=sess),
                  "LOG", f"connection received: host={host} port={port}")
        self.emit(PREFIX_FMT.format(ts=self.ts(), pid=pid, user=user, db="saas", app="[unknown]", sess=sess),
                  "LOG", f"connection authorized: user={user} database=saas application_name={app}")
        s = {"pid": pid, "app": app, "user": user, "host": host, "port": port, "sess": sess, "start": self.t,
             "left": rng.randint(5, 400), "extended": app != "admin-console" and rng.random() < 0.6,
             "named": {}, "tenant": rng.choice(self.tenants)}
        self.sessions.append(s)

    def end_session(self, idx):
        s = self.sessions.pop(idx)
        el = self.t - s["start"]
        h, rem = divmod(el, 3600)
        m, sec = divmod(rem, 60)
        self.emit(self.prefix(s), "LOG",
                  f"disconnection: session time: {int(h)}:{int(m):02d}:{sec:06.3f} user={s['user']} "
                  f"database=saas host={s['host']} port={s['port']}")

    def prefix(self, s):
        return PREFIX_FMT.format(ts=self.ts(), pid=s["pid"], user=s["user"], db="saas", app=s["app"], sess=s["sess"])

    # --- statements -----------------------------------------------------------------------------
    def values(self, s):
        rng = self.rng
        t = s["tenant"] if rng.random() < 0.9 else rng.choice(self.tenants)
        t2 = rng.choice(self.tenants)
        i = rng.randint(1, 50000)
        return {"t": t, "t2": t2, "i": str(i), "j": str(i + rng.randint(1, 500)),
                "s": rng.choice(self.statuses), "d": rng.choice(self.dates), "like": f"%{i}@example.com"}

    def pick(self):
        r = self.rng.random()
        if r < UNSCOPED_SHARE:
            return self.rng.choice(self.unscoped), None
        if r < UNSCOPED_SHARE + 0.06:
            return self.rng.choice(self.other)
        return self.rng.choice(self.scoped), "scoped"

    def comment(self, s):
        if self.rng.random() < 0.3 and s["app"].endswith("-api"):
            self.req += 1
            tid = "%032x" % self.rng.getrandbits(128)
            span = "%016x" % self.rng.getrandbits(64)
            route = self.rng.choice(["%2Finvoices", "%2Forders", "%2Forders%2F%3Aid", "%2Fcustomers", "%2Fprojects"])
            self.pending_request = (f"req-{self.req:07d}", tid, span, route.replace("%2F", "/").replace("%3A", ":"), s["tenant"])
            return f" /*request_id='req-{self.req:07d}',route='{route}',traceparent='00-{tid}-{span}-01'*/"
        return ""

    def audit_line(self):
        """The API's audit line for the request just tagged, written when it answers."""
        if self.audit is None or self.pending_request is None:
            return
        rid, tid, span, route, tenant = self.pending_request
        self.pending_request = None
        self.audit_t = max(self.audit_t, self.t + 0.002)
        s = int(self.audit_t)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + f".{int((self.audit_t - s) * 1000):03d}Z"
        token = self.tokens.setdefault(tenant, jwt_for(tenant))
        response = [tenant]
        if self.audit_rng.random() < 0.002:
            response.append(self.audit_rng.choice(self.tenants))   # the rare cross-tenant response
        self.audit.write(json.dumps({"ts": stamp, "request_id": rid, "traceparent": f"00-{tid}-{span}-01",
                                     "route": route, "host": f"{tenant}.example.com", "status": 200,
                                     "headers": {"authorization": f"Bearer {token}"},
                                     "response": {"tenant_ids": response}}, separators=(",", ":")) + "\n")
        self.audit_lines += 1

    def redis_line(self, s):
        """What the API did in Redis while serving the request: tenant-scoped reads and writes,
        and (1 in 10) a write under a key with no tenant segment, the unscoped_cache_key leak.
        Unscoped keys are only written, so no read is ever served another tenant's entry."""
        if self.redis is None or self.redis_rng.random() >= 0.15:
            return
        rng = self.redis_rng
        t = self.t + 0.0005
        port = 40000 + s["pid"] % 20000
        if rng.random() < 0.1:
            key = rng.choice(["project:{}", "invoice:{}:pdf", "user:{}:profile", "report:{}:csv"]).format(rng.randint(1, 50000))
            args = ["SET", key, "x"]
        else:
            key = f"tenant:{s['tenant']}:orders:{rng.randint(1, 50000)}"
            args = ["GET", key] if rng.random() < 0.7 else ["SET", key, "1"]
        quoted = " ".join('"' + a + '"' for a in args)
        self.redis.write(f"{t:.6f} [0 10.0.1.{s['pid'] % 250 + 2}:{port}] {quoted}\n")
        self.redis_lines += 1

    def dur(self):
        return f"{self.rng.expovariate(1 / 0.4):.3f}"

    def statement(self, s):
        rng = self.rng
        sql, kind = self.pick()
        self.n_statements += 1
        self.n_unscoped += kind is None
        if kind == "rls" and rng.random() < 0.5:
            self.emit(self.prefix(s), "LOG", f"statement: SET app.current_tenant = '{s['tenant']}'")
            self.emit(self.prefix(s), "LOG", f"duration: {self.dur()} ms")
        v = self.values(s)
        cm = self.comment(s)
        fail = rng.random() < 0.003
        if not s["extended"]:
            text = sql.format(**{k: (f"'{x}'" if k in STRING_PARAMS else x) for k, x in v.items()}) + cm
            self.emit(self.prefix(s), "LOG", f"statement: {text}")
            if fail:
                self.emit(self.prefix(s), "ERROR", "canceling statement due to statement timeout")
                self.emit(self.prefix(s), "STATEMENT", text)
            else:
                self.emit(self.prefix(s), "LOG", f"duration: {self.dur()} ms")
            return
        text, names = to_extended(sql)
        text += cm
        params = ", ".join(f"${n} = '{v[name]}'" for n, name in enumerate(names, 1))
        if rng.random() < 0.4 and not cm:
            name = s["named"].get(text)
            if name is None:
                name = f"S_{len(s['named']) + 1}"
                s["named"][text] = name
                self.emit(self.prefix(s), "LOG", f"duration: {self.dur()} ms  parse {name}: {text}")
        else:
            name = "<unnamed>"
            self.emit(self.prefix(s), "LOG", f"duration: {self.dur()} ms  parse {name}: {text}")
        self.emit(self.prefix(s), "LOG", f"duration: {self.dur()} ms  bind {name}: {text}")
        if params:
            self.emit(self.prefix(s), "DETAIL", f"parameters: {params}")
        self.emit(self.prefix(s), "LOG", f"execute {name}: {text}")
        if params:
            self.emit(self.prefix(s), "DETAIL", f"parameters: {params}")
        if fail:
            self.emit(self.prefix(s), "ERROR", "duplicate key value violates unique constraint \"orders_pkey\"")
            self.emit(self.prefix(s), "DETAIL", f"Key (id)=({v['i']}) already exists.")
            self.emit(self.prefix(s), "STATEMENT", text)
        else:
            self.emit(self.prefix(s), "LOG", f"duration: {self.dur()} ms")

    def statement_and_audit(self, s):
        self.statement(s)
        self.redis_line(s)
        self.audit_line()

    def run(self):
        rng = self.rng
        for _ in range(60):
            self.new_session()
        while self.lines < self.target:
            if len(self.sessions) < 40 or rng.random() < 0.01:
                self.new_session()
            idx = rng.randrange(len(self.sessions))
            s = self.sessions[idx]
            s["left"] -= 1
            if s["left"] <= 0 and len(self.sessions) > 20:
                self.end_session(idx)
            else:
                self.statement_and_audit(s)
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
    ap.add_argument("--redis", default=None, help="also write the cache's Redis MONITOR output here")
    ap.add_argument("--time-scale", type=float, default=1.0,
                    help="stretch log time (2 = half as many lines per second of log time)")
    a = ap.parse_args()
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8", buffering=1 << 20)
    g = Gen(a.seed, out, a.lines)
    g.time_scale = a.time_scale
    if a.audit:
        g.audit = open(a.audit, "w", encoding="utf-8", buffering=1 << 20)
    if a.redis:
        g.redis = open(a.redis, "w", encoding="utf-8", buffering=1 << 20)
    g.run()
    if out is not sys.stdout:
        out.close()
    if g.audit is not None:
        g.audit.close()
        print(f"gen-bench-log: {g.audit_lines} audit lines", file=sys.stderr)
    if g.redis is not None:
        g.redis.close()
        print(f"gen-bench-log: {g.redis_lines} redis lines", file=sys.stderr)
    shapes = len(set(g.scoped)) + len(set(g.unscoped)) + len(g.other)
    print(f"gen-bench-log: {g.lines} lines, {g.n_statements} statements ({g.n_unscoped} unscoped or "
          f"multi-tenant), {shapes} statement shapes",
          file=sys.stderr)


if __name__ == "__main__":
    main()
