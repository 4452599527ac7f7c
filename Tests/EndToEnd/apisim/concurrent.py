#!/usr/bin/python3
"""A concurrent multi-tenant API over a real PostgreSQL 15 and a real redis-server (issue 14).

    /usr/bin/python3 concurrent.py --dbname saas --user app --secret S --redis-port P \
        --audit OUT.jsonl --expected OUT.json [--threads 6] [--requests 50] [--seed 14]

What makes it hard for correlation, on purpose:
  * several threads serve requests at once;
  * a small pool of shared PostgreSQL connections, taken per statement: one request's statements
    run on several backends and one backend serves many tenants back to back;
  * two Redis pools: connections named per request (`CLIENT SETNAME request_id=<rid>`, exact) and
    connections never named (only a guess by time can tie them);
  * cache-only requests (no SQL at all) and requests that read the cache before their first
    statement;
  * the audit line is written when the request finishes (threads finish out of start order).

Leaks (ground truth in --expected, one entry per finding the tool must report):
  * idor:      acme's request confined to globex's rows -> cross_tenant_query + cross_tenant_response
  * unscoped:  a request reads invoices with no tenant predicate and returns other tenants' rows
               -> missing_tenant_predicate + cross_tenant_response
  * poison:    acme's request fills `project:<n>` (no tenant in the key) on a named connection,
               globex's request reads it on a named connection (once with acme's request still
               running, so its audit line comes after globex's); the application labels the
               response as globex's own -> cross_tenant_response (exact chain); the key pattern
               `project:{id}` -> one unscoped_cache_key
  * export-job (no request, its own connection): SELECT * FROM invoices -> missing_tenant_predicate
Everything else is a control. Loops are bounded; Redis and PostgreSQL are reached on loopback or
a Unix socket only.
"""
import argparse
import json
import os
import queue
import random
import secrets
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from apisim import make_jwt, rfc3339, sqlcommenter  # noqa: E402

import psycopg2  # noqa: E402

TENANTS = ["acme", "globex", "initech"]


class Resp:
    """A minimal RESP2 client: one socket, one command at a time."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.file = self.sock.makefile("rb")

    def cmd(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.sock.sendall(b"".join(out))
        return self._read()

    def _read(self):
        line = self.file.readline()
        kind, rest = line[:1], line[1:-2]
        if kind in (b"+", b":"):
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.file.read(n + 2)[:-2]
            return data.decode()
        if kind == b"*":
            return [self._read() for _ in range(int(rest))]
        raise RuntimeError(f"unexpected reply {line!r}")


class Pool:
    """Connections shared by every thread; a statement (or a cache command) takes one."""

    def __init__(self, make, size):
        self.free = queue.Queue()
        for _ in range(size):
            self.free.put(make())

    def take(self):
        return self.free.get(timeout=30)

    def give(self, conn):
        self.free.put(conn)


class Api:
    def __init__(self, args):
        self.args = args
        self.secret = args.secret.encode()
        dsn = dict(dbname=args.dbname, user=args.user, host=os.environ.get("PGHOST"), port=os.environ.get("PGPORT"))

        def pg():
            c = psycopg2.connect(application_name="billing-api", **dsn)
            c.autocommit = True
            return c
        self.pg = Pool(pg, args.pg_connections)
        self.named = Pool(lambda: Resp(args.redis_port), 2)
        self.anon = Pool(lambda: Resp(args.redis_port), 2)
        self.dsn = dsn
        self.audit_lock = threading.Lock()
        self.audit = open(args.audit, "a", encoding="utf-8")
        self.expected_lock = threading.Lock()
        self.expected = []
        self.poisoned = queue.Queue()   # project keys acme filled, for globex to read

    def expect(self, kind, request_id=None, key=None):
        with self.expected_lock:
            self.expected.append({"kind": kind, "request_id": request_id, "key": key})

    def token(self, tenant):
        now = int(time.time())
        claims = {"sub": f"user-{tenant}-1", "tenant_id": tenant, "sid": f"sid-{tenant}", "iat": now, "exp": now + 3600}
        return make_jwt(claims, self.secret)

    # --- one request ---------------------------------------------------------------------
    def sql(self, req, statement, params=None):
        conn = self.pg.take()
        try:
            with conn.cursor() as cur:
                text = cur.mogrify(statement, params).decode() if params is not None else statement
                cur.execute(text + " " + sqlcommenter(req["tags"]))
                if cur.description is None:
                    return []
                names = [d.name for d in cur.description]
                return [dict(zip(names, row)) for row in cur.fetchall()]
        finally:
            self.pg.give(conn)

    def cache(self, req, named, *command):
        pool = self.named if named else self.anon
        conn = pool.take()
        try:
            if named:
                conn.cmd("CLIENT", "SETNAME", f"request_id={req['rid']}")
            return conn.cmd(*command)
        finally:
            pool.give(conn)

    def finish(self, req, tenants, log_response=True):
        line = {"ts": rfc3339(time.time()), "request_id": req["rid"], "traceparent": req["tags"]["traceparent"],
                "method": "GET", "route": req["tags"]["route"], "host": f"{req['tenant']}.example.com",
                "headers": {"authorization": "Bearer " + self.token(req["tenant"])}, "status": 200}
        # Some handlers do not log what their response carried: only a guess can be made there.
        if log_response:
            line["response"] = {"tenant_ids": sorted(set(tenants))}
        with self.audit_lock:
            self.audit.write(json.dumps(line, separators=(",", ":")) + "\n")
            self.audit.flush()

    def request(self, rid, tenant, route):
        tp = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"
        return {"rid": rid, "tenant": tenant, "tags": {"request_id": rid, "route": route, "traceparent": tp}}

    # --- handlers ------------------------------------------------------------------------
    def invoice_control(self, rid, tenant, rng):
        """Scoped SQL on two backends (a statement each), no cache."""
        req = self.request(rid, tenant, "/invoices/:id")
        rows = self.sql(req, "SELECT id, tenant_id, amount FROM invoices WHERE tenant_id = %s AND id > %s ORDER BY id LIMIT 3",
                        (tenant, rng.randint(1, 50)))
        self.sql(req, "SELECT count(*) AS n FROM orders WHERE tenant_id = %s AND status = %s", (tenant, "open"))
        # One in four of these handlers does not log its response's tenants.
        self.finish(req, [r["tenant_id"] for r in rows] or [tenant], log_response=rng.random() >= 0.25)

    def cached_invoice(self, rid, tenant, rng, named, cache_only):
        """Reads the cache first (named or anonymous connection); on a miss (unless cache-only)
        reads the database and fills it. Keys carry the tenant: never a leak."""
        req = self.request(rid, tenant, "/cached/invoices/:id")
        key = f"invoice:{tenant}:{rng.randint(1, 6)}"
        hit = self.cache(req, named, "GET", key)
        if hit is None:
            if cache_only:
                self.cache(req, named, "SET", key, json.dumps({"tenant": tenant}), "EX", "600")
            else:
                rows = self.sql(req, "SELECT id, tenant_id, amount FROM invoices WHERE tenant_id = %s ORDER BY id LIMIT 1", (tenant,))
                self.cache(req, named, "SET", key, json.dumps({"tenant": tenant, "rows": len(rows)}), "EX", "600")
        self.finish(req, [tenant])

    def anonymous_shared_read(self, rid, tenant, rng):
        """An anonymous connection reads a `project:<n>` key its own tenant wrote: a time tie may
        blame whichever request is in flight. Most responses say the caller's own tenant (the
        guess is then contradicted and dropped); one in four logs no response tenants (the guess
        may then stand, as a medium `suspected_cross_tenant_response`, never critical)."""
        req = self.request(rid, tenant, "/projects/:id")
        n = 500 + TENANTS.index(tenant) * 10 + rng.randint(0, 3)
        self.cache(req, False, "SET", f"project:{n}", json.dumps({"tenant": tenant}))
        self.cache(req, False, "GET", f"project:{n}")
        self.finish(req, [tenant], log_response=rng.random() >= 0.25)

    def idor(self, rid):
        req = self.request(rid, "acme", "/invoices/:id")
        rows = self.sql(req, "SELECT id, tenant_id, amount FROM invoices WHERE tenant_id = %s AND id = %s",
                        ("globex", self.globex_invoice))
        self.finish(req, [r["tenant_id"] for r in rows] or ["acme"])
        self.expect("cross_tenant_query", rid)
        if any(r["tenant_id"] != "acme" for r in rows):
            self.expect("cross_tenant_response", rid)

    def unscoped(self, rid, tenant):
        req = self.request(rid, tenant, "/invoices/overdue")
        rows = self.sql(req, "SELECT id, tenant_id, amount FROM invoices WHERE amount > %s ORDER BY id LIMIT 5", (300,))
        self.sql(req, "SELECT count(*) AS n FROM orders WHERE tenant_id = %s", (tenant,))
        self.finish(req, [r["tenant_id"] for r in rows] or [tenant])
        self.expect("missing_tenant_predicate", rid)
        if any(r["tenant_id"] != tenant for r in rows):
            self.expect("cross_tenant_response", rid)

    def poison_write(self, rid, n, answer_last):
        """acme fills `project:<n>`. With `answer_last` its request goes on working until the
        reader has answered: the write's audit line comes after the read's."""
        req = self.request(rid, "acme", "/projects/:id")
        self.cache(req, True, "SET", f"project:{n}", json.dumps({"tenant": "acme", "name": "Apollo"}))
        answered = threading.Event()
        if not answer_last:
            self.finish(req, ["acme"])
            answered.set()
        self.poisoned.put((n, answered))
        if answer_last:
            answered.wait(timeout=30)
            self.finish(req, ["acme"])

    def poison_read(self, rid, n, answered):
        req = self.request(rid, "globex", "/projects/:id")
        self.cache(req, True, "GET", f"project:{n}")
        # The application trusts its cache and labels what it returns as the caller's.
        self.finish(req, ["globex"])
        answered.set()
        self.expect("cross_tenant_response", rid)

    def overwrite_race(self, rid, n):
        """A control: acme filled `project:<n>` long ago; globex's request G overwrites it and is
        still running when globex's request R reads it and answers. R got globex's own data: no
        finding, although acme's write is the only one whose request is known when R is judged."""
        old = self.request(f"{rid}-a", "acme", "/projects/:id")
        self.cache(old, True, "SET", f"project:{n}", json.dumps({"tenant": "acme"}))
        self.finish(old, ["acme"])
        g = self.request(f"{rid}-g", "globex", "/projects/:id")
        self.cache(g, True, "SET", f"project:{n}", json.dumps({"tenant": "globex"}))
        r = self.request(f"{rid}-r", "globex", "/projects/:id")
        self.cache(r, True, "GET", f"project:{n}")
        self.finish(r, ["globex"])
        time.sleep(0.05)
        self.finish(g, ["globex"])

    # --- the run ---------------------------------------------------------------------------
    def worker(self, index, errors):
        rng = random.Random(self.args.seed * 1000 + index)
        try:
            for i in range(self.args.requests):
                rid = f"t{index}-r{i:03d}"
                tenant = TENANTS[rng.randrange(3)]
                pick = rng.random()
                # A leak now and then, at fixed places, so every run has each kind.
                if i == 7 and index % 3 == 0:
                    self.idor(f"leak-idor-{rid}")
                elif i == 13 and index % 3 == 1:
                    self.unscoped(f"leak-unscoped-{rid}", tenant)
                elif i == 19 and index % 2 == 0:
                    n = 1000 + index
                    self.poison_write(f"poison-w-{rid}", n, answer_last=(index == 0))
                elif i == 23 and index % 3 == 2:
                    self.overwrite_race(f"race-{rid}", 2000 + index)
                elif i == 29 and index % 2 == 1:
                    n, answered = self.poisoned.get(timeout=30)
                    self.poison_read(f"leak-poison-{rid}", n, answered)
                elif pick < 0.35:
                    self.invoice_control(rid, tenant, rng)
                elif pick < 0.55:
                    self.cached_invoice(rid, tenant, rng, named=True, cache_only=False)
                elif pick < 0.70:
                    self.cached_invoice(rid, tenant, rng, named=False, cache_only=False)
                elif pick < 0.85:
                    self.cached_invoice(rid, tenant, rng, named=False, cache_only=True)
                else:
                    self.anonymous_shared_read(rid, tenant, rng)
        except Exception as e:  # reported by the main thread
            errors.append(f"thread {index}: {e!r}")

    def export_job(self):
        conn = psycopg2.connect(application_name="export-job", **self.dsn)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT * FROM invoices ORDER BY id /*job='nightly-export'*/")
            cur.fetchall()
        conn.close()
        self.expect("missing_tenant_predicate", None, "export-job")

    def run(self):
        setup = self.request("setup", "globex", "/setup")
        rows = self.sql(setup, "SELECT id FROM invoices WHERE tenant_id = %s ORDER BY id LIMIT 1", ("globex",))
        self.finish(setup, ["globex"])
        self.globex_invoice = rows[0]["id"]
        threads, errors = [], []
        for i in range(self.args.threads):
            t = threading.Thread(target=self.worker, args=(i, errors))
            t.start()
            threads.append(t)
        self.export_job()
        for t in threads:
            t.join(timeout=120)
        if errors or any(t.is_alive() for t in threads):
            raise SystemExit("workload failed: " + "; ".join(errors or ["a thread did not finish"]))
        # The unscoped key pattern (project:{id}) is one finding, whoever wrote it.
        self.expect("unscoped_cache_key", None, "project:{id}")
        self.audit.close()
        with open(self.args.expected, "w", encoding="utf-8") as f:
            json.dump(self.expected, f, indent=1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dbname", default="saas")
    p.add_argument("--user", default="app")
    p.add_argument("--secret", required=True)
    p.add_argument("--redis-port", type=int, required=True)
    p.add_argument("--audit", required=True)
    p.add_argument("--expected", required=True)
    p.add_argument("--threads", type=int, default=6)
    p.add_argument("--requests", type=int, default=50)
    p.add_argument("--pg-connections", type=int, default=3)
    p.add_argument("--seed", type=int, default=14)
    args = p.parse_args()
    if args.threads < 2 or args.requests < 30:
        raise SystemExit("--threads >= 2 and --requests >= 30: every leak needs its slot")
    Api(args).run()


if __name__ == "__main__":
    main()
