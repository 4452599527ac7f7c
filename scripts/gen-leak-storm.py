#!/usr/bin/env python3
"""Generates a leak storm: every ordered pair of tenants makes one cross-tenant request.

    scripts/gen-leak-storm.py [--tenants 120] [--seed 42] [--per-second 1000] --out LOG --audit AUDIT
                              [--config TOML [--schema SQL]] [--repeat K]

Why: the incident store is written once per new incident, so its cost per incident decides
whether `scan --store` and `live` keep up when a bug leaks everywhere at once (issue 18: 14,280
distinct cross-tenant requests, 120 tenants, each its own incident, scanned in 0.48 s but stored
in 19.8 s). For each ordered pair (A, B), A != B, tenant A's request (audit log: host
`A.example.com`, a JWT for A, response naming B's rows) runs a statement confined to tenant B,
tagged with the request's sqlcommenter traceparent: a `cross_tenant_access` finding whose leak
path (caller A, exposed B, route) is its own incident. --repeat K sends each pair K times (the
same incidents, more sightings). --per-second sets how many requests a second of log time
carries (1,000 by default: what `live` must keep up with).

The PostgreSQL log uses the prefix `%m [%p] %q%u@%d app=%a ` (log_timezone UTC); --config writes
a tenantwatch configuration reading both files (paths relative to it). python3 standard library
only; deterministic for a given seed.
"""
import argparse
import base64
import json
import os
import random
import time

PREFIX = "{ts} UTC [{pid}] app@saas app=orders-api "


def jwt_for(tenant):
    b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"sub": f"user-{tenant}", "tenant_id": tenant, "sid": f"sid-{tenant}"}).encode())
    return f"{head}.{body}.{b64(b'bench-signature')}"


def stamp(t, iso):
    s = int(t)
    ms = int((t - s) * 1000)
    if iso:
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + f".{ms:03d}Z"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(s)) + f".{ms:03d}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tenants", type=int, default=120)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--per-second", type=float, default=1000.0)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--audit", required=True)
    ap.add_argument("--config", default=None, help="also write a tenantwatch config reading both files")
    ap.add_argument("--schema", default=None, help="the schema the config names (pg_dump --schema-only text)")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    tenants = [f"tenant-{n:03d}" for n in range(1, a.tenants + 1)]
    pairs = [(x, y) for x in tenants for y in tenants if x != y]
    tokens = {t: jwt_for(t) for t in tenants}
    t = 1796112000.0  # 2026-12-01 08:00:00 UTC
    step = 1.0 / a.per_second
    pids = [5000 + 7 * k for k in range(40)]
    n = 0
    with open(a.out, "w", encoding="utf-8", buffering=1 << 20) as log, \
            open(a.audit, "w", encoding="utf-8", buffering=1 << 20) as audit:
        log.write(f"{stamp(t, False)} UTC [4000] LOG:  database system is ready to accept connections\n")
        for _ in range(a.repeat):
            for caller, owner in pairs:
                n += 1
                t += step
                trace = "%032x" % rng.getrandbits(128)
                span = "%016x" % rng.getrandbits(64)
                pid = pids[n % len(pids)]
                log.write(PREFIX.format(ts=stamp(t, False), pid=pid)
                          + f"LOG:  execute <unnamed>: SELECT \"orders\".\"id\", \"orders\".\"total\" FROM \"orders\" "
                          f"WHERE (\"orders\".\"tenant_id\" = $1 AND \"orders\".\"id\" = $2) LIMIT 1 "
                          f"/*route='%2Fapi%2Forders%2F%3Aid',traceparent='00-{trace}-{span}-01'*/\n")
                log.write(PREFIX.format(ts=stamp(t, False), pid=pid)
                          + f"DETAIL:  parameters: $1 = '{owner}', $2 = '{rng.randint(1, 5000000)}'\n")
                audit.write(json.dumps({"ts": stamp(t + 0.001, True), "request_id": f"req-{n:08d}",
                                        "traceparent": f"00-{trace}-{'%016x' % rng.getrandbits(64)}-01",
                                        "route": "/api/orders/:id", "host": f"{caller}.example.com", "status": 200,
                                        "headers": {"authorization": f"Bearer {tokens[caller]}"},
                                        "response": {"tenant_ids": [owner]}}, separators=(",", ":")) + "\n")
    if a.config:
        rel = lambda p: os.path.relpath(os.path.abspath(p), os.path.dirname(os.path.abspath(a.config)))
        with open(a.config, "w", encoding="utf-8") as c:
            c.write(f"""[tenancy]
columns = ["tenant_id"]
{f'schema = "{rel(a.schema)}"' if a.schema else ''}
global_tables = ["tenants"]
session_setting = "app.current_tenant"

[identity]
host = "{{tenant}}.example.com"

[[source]]
kind = "postgres"
path = "{rel(a.out)}"
format = "stderr"
prefix = "%m [%p] %q%u@%d app=%a "
timezone = "UTC"

[[source]]
kind = "audit"
path = "{rel(a.audit)}"
""")
    print(f"gen-leak-storm: {n} cross-tenant requests ({len(pairs)} ordered pairs of {a.tenants} tenants)")


if __name__ == "__main__":
    main()
