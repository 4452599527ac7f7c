#!/usr/bin/env python3
"""Writes logs whose logged values carry terminal escapes, for hostile_input.sh:

    escape_logs.py DIR

- postgresql.log: a statement `SELECT '<escapes>' AS x, * FROM invoices` (missing_tenant_predicate)
- audit.log: acme's request (a real HS256 token of the sample logs) whose route carries the
  escapes and whose response carried a tenant id made of them (cross_tenant_response acme -> it)
- redis-monitor.txt: a cache key with the escapes (Redis writes them as \\xNN, decoded by the parser)

The escapes: CSI clear screen and colour, OSC 52 (writes the clipboard), BEL, C1 CSI, bidi override
and isolate. None of them may reach the terminal or a report unescaped.
"""
import json
import os
import sys

out = sys.argv[1]
ESC = "\x1b[2J\x1b[31mRED\x1b]52;c;ZXZpbA==\x07\x9b1m\u202egnp.exe\u2066x\u2069"
# acme's token from sample-logs/audit.log (req-0101): HS256 with the sample secret, valid until 01:54.
with open(os.path.join(os.path.dirname(__file__), "..", "..", "..", "sample-logs", "audit.log")) as f:
    token = json.loads(f.readline())["headers"]["authorization"]

prefix = "2026-11-25 00:55:{s:02d}.100 UTC [31337] app@sample/billing-api sess=6b0631ad.7a69 "
with open(os.path.join(out, "postgresql.log"), "w", encoding="utf-8") as f:
    f.write(prefix.format(s=1) + "LOG:  connection authorized: user=app database=sample application_name=billing-api\n")
    f.write(prefix.format(s=2) + "LOG:  statement: SELECT '" + ESC + "' AS x, * FROM invoices\n")
    f.write(prefix.format(s=3) + "LOG:  disconnection: session time: 0:00:02.000 user=app database=sample host=[local]\n")
with open(os.path.join(out, "audit.log"), "w", encoding="utf-8") as f:
    f.write(json.dumps({"ts": "2026-11-25T00:55:04.000Z", "request_id": "req-esc", "route": "/esc/" + ESC,
                        "headers": {"authorization": token}, "host": "acme.example.com", "status": 200,
                        "response": {"tenant_ids": ["acme", "evil" + ESC]}}, ensure_ascii=False) + "\n")
redis_key = "".join(c if 0x20 <= ord(c) < 0x7f and c not in '"\\' else "".join("\\x%02x" % b for b in c.encode()) for c in ESC)
with open(os.path.join(out, "redis-monitor.txt"), "w") as f:
    f.write('1795568105.000000 [0 127.0.0.1:52600] "SET" "acme:esc:' + redis_key + '" "v"\n')
