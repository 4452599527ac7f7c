#!/usr/bin/env python3
"""Hostile input for every source, through the real `tenantwatch scan`.

Each case is a chunk of hostile lines sandwiched between the known-leaking lines of the sample
logs (inserted at a record boundary in the middle of one source file). For each case the scan
must: not crash (exit 0 or 1, never a signal), count exactly the expected unparsed lines and name
the first one (file and line) in its summary, and report exactly the findings of the clean
sample logs (plus the ones a case is meant to add, e.g. `unsigned_token` for `alg: none`).

    hostile.py TENANTWATCH SAMPLE_DIR WORK_DIR [CASE-FILTER]

Prints `ok - ...` / `FAIL - ...` lines; exits 1 when any failed.
"""
import base64
from collections import Counter
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys

TW, SAMPLE, WORK = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
ONLY = sys.argv[4] if len(sys.argv) > 4 else ""
MB = 1 << 20
FAILS = 0


def ok(msg):
    print("ok - " + msg, flush=True)


def fail(msg):
    global FAILS
    FAILS += 1
    print("FAIL - " + msg, flush=True)


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=")


def jwt(header, claims, signature=b"sig"):
    return b64(json.dumps(header).encode()) + b"." + b64(json.dumps(claims).encode()) + b"." + b64(signature)


rng = random.Random(8)


def random_line(n):
    """Random bytes without a newline; the first byte is a letter so that the line is not a
    stderr continuation (a tab-led line belongs to the record before it, by PostgreSQL's format)."""
    return b"X" + bytes(c for c in rng.randbytes(n) if c != 0x0A)


INVALID_UTF8 = b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\xff\xfe\xed\xa0\x80 not utf-8"
NUL_LINE = b"\x00" * 64 + b"2026-11-25 00:54:05.000 UTC \x00 LOG:  \x00"
TEN_MB = b"A" * (10 * MB)
# Escapes that must never reach a terminal: CSI, OSC 52 (clipboard write), BEL, C1 CSI, bidi.
ESCAPES = "\x1b[2J\x1b[31mRED\x1b]52;c;ZXZpbA==\x07\x9b1m\u202egnp.exe\u2066x\u2069"

STDERR_HEAD = "2026-11-25 00:54:05.100 UTC [{pid}] app@sample/psql sess=6b0631ad.{pid:x} "
CSV_HEAD = '2026-11-25 00:54:05.100 UTC,"app","sample",{pid},"[local]",6b0631ad.{pid:x},1,"idle",2026-11-25 00:54:05 UTC,3/7,0,LOG,00000,'
CSV_TAIL = ',,,,,,,,,"psql","client backend",,0'


def stderr_line(msg, pid=42424):
    return (STDERR_HEAD.format(pid=pid) + msg).encode()


def csv_record(msg, pid=42424):
    return (CSV_HEAD.format(pid=pid) + '"' + msg.replace('"', '""') + '"' + CSV_TAIL).encode()


def json_record(**fields):
    base = {"timestamp": "2026-11-25 00:54:05.100 UTC", "user": "app", "dbname": "sample", "pid": 42424,
            "session_id": "6b0631ad.a5b8", "line_num": 1, "error_severity": "LOG", "message": "statement: SELECT 1",
            "application_name": "psql", "backend_type": "client backend", "query_id": 0}
    base.update(fields)
    return json.dumps(base, ensure_ascii=False).encode()


def raw_json_record(message_json):
    return b'{"timestamp":"2026-11-25 00:54:05.100 UTC","pid":42424,"session_id":"6b0631ad.a5b8","line_num":1,' \
           b'"error_severity":"LOG","message":' + message_json + b',"backend_type":"client backend"}'


def audit_line(**fields):
    base = {"ts": "2026-11-25T00:54:08.500Z", "request_id": "req-hostile", "route": "/health",
            "host": "acme.example.com", "status": 204}
    base.update(fields)
    return json.dumps(base, ensure_ascii=False).encode()


def redis_line(rest):
    return b"1795568049.700000 [0 127.0.0.1:52599] " + rest


def nested(depth):
    return b'{"ts":"2026-11-25T00:54:08.500Z","a":' + b"[" * depth + b"]" * depth + b"}"


# name -> (chunk lines, offsets inside the chunk that must be counted unparsed, kinds added)
# A statement libpg_query rejects in a `statement:` record is read (not unparsed): it is judged
# `unparseable` like check-sql does, and the statements around it are judged as before.
COMMON = {
    "random-bytes": ([random_line(4000)], [0]),
    "invalid-utf8": ([INVALID_UTF8], [0]),
    "nul-bytes": ([NUL_LINE], [0]),
    "10mb-line": ([TEN_MB], [0]),
}

CASES = {
    "stderr": {
        **COMMON,
        # Cut at the line limit: its head is kept and reported (it cannot be judged), never dropped.
        "10mb-statement": ([stderr_line("LOG:  statement: SELECT '" + "B" * (10 * MB) + "'")], [0], ["unjudged_statement"]),
        "3mb-of-prefixes": ([b"X" + stderr_line("x ") * 40_000], [0]),
        "cut-mid-quote": ([stderr_line("LOG:  statement: SELECT * FROM tenants WHERE name = 'acm")], []),
        # Rejected by libpg_query: on a tenant-owned table that is an unjudged_statement.
        "libpg_query-rejects": ([stderr_line("LOG:  statement: SELEC * FROM invoices WHERE AND"),
                                 stderr_line("LOG:  statement: SELECT * FROM tenants /*traceparent='00-")], [],
                                ["unjudged_statement"]),
        "sqlcommenter-garbage": ([stderr_line("LOG:  statement: SELECT * FROM tenants /*traceparent='%ZZ%%%zz%',"
                                              "request_id='%E0%A4%A%00',x='\\'*/")], []),
        # A reload's announcement is text in a line: a forged one with a padding past Int.
        "announced-prefix": ([b'X parameter "log_line_prefix" changed to "%99999999999999999999999999m [%p] "'], [0]),
        "huge-pid": ([b"2026-11-25 00:54:05.100 UTC [99999999999999999999999999] app@sample/psql sess=x LOG:  statement: SELECT 1"], [0]),
        "huge-duration": ([stderr_line("LOG:  duration: 99999999999999999999999999999.999 ms  statement: SELECT * FROM tenants"),
                           stderr_line("LOG:  duration: 1e400 ms")], []),
        "huge-timestamp": ([b"9999-12-31 23:59:59.999999999999999999 UTC [42425] app@sample/psql sess=6b0631ad.a5b9 LOG:  statement: SELECT 1"], []),
        "escapes": ([stderr_line("LOG:  statement: SELECT '" + ESCAPES + "' FROM tenants")], []),
    },
    "csvlog": {
        **COMMON,
        "cut-mid-quote": ([csv_record("statement: SELECT 1")[:-40]], [0]),
        # Both lines are one unparsed range (73-74 in the summary's terms: first at 73).
        "never-closed": ([(CSV_HEAD.format(pid=42424) + '"statement: SELECT 1').encode(),
                          b"  FROM tenants WHERE name = 'x"], [0]),
        "libpg_query-rejects": ([csv_record("statement: SELEC * FROM invoices WHERE AND")], [], ["unjudged_statement"]),
        "huge-numbers": ([csv_record("statement: SELECT 1", pid=0).replace(b",0,\"[local]\"", b",99999999999999999999999,\"[local]\"")
                          .replace(b",1,\"idle\"", b",99999999999999999999999,\"idle\"")[:-2] + b",-99999999999999999999999"], []),
        "escapes": ([csv_record("statement: SELECT '" + ESCAPES + "' FROM tenants")], []),
    },
    "jsonlog": {
        **COMMON,
        "invalid-utf8-in-value": ([raw_json_record(b'"statement: SELECT \'\xff\xfe\xc3\x28\' FROM tenants"')], []),
        "cut-mid-quote": ([json_record(message="statement: SELECT 1")[:-30]], [0]),
        "nested-100k": ([b'{"timestamp":"2026-11-25 00:54:05.100 UTC","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
                         b'{"timestamp":' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"}"], [0, 1]),
        "huge-numbers": ([json_record(pid=10**30, line_num=10**30, query_id=-(10**30)),
                          raw_json_record(b'"statement: SELECT 1"').replace(b'"pid":42424', b'"pid":1e400')], []),
        "libpg_query-rejects": ([json_record(message="statement: SELEC * FROM invoices WHERE AND")], [], ["unjudged_statement"]),
        "escapes": ([json_record(message="statement: SELECT '" + ESCAPES + "' FROM tenants", application_name=ESCAPES)], []),
    },
    "audit": {
        **COMMON,
        "cut-mid-quote": ([audit_line()[:-20]], [0]),
        "nested-100k": ([nested(100_000), b'{"ts":' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"}"], [0, 1]),
        "huge-numbers": ([audit_line(ts=9999999999999999999), audit_line(request_id="req-hostile-2", ts=1e300),
                          audit_line(request_id="req-hostile-3").replace(b'"status": 204', b'"status": 1e400'),
                          audit_line(request_id="req-hostile-4", ts="99999999999999999999999999999")], []),
        "jwt-malformed": ([audit_line(headers={"authorization": "Bearer " + t}) for t in
                           ["e30", "e30.e30", "....", "eyJhbGciOiJIUzI1NiJ9.!!!.###", "a.b.c.d.e", "\x1b[31m.\x00.\xff"]],
                          [], ["unsigned_token"]),
        "jwt-1mb": ([audit_line(headers={"authorization": "Bearer " + jwt({"alg": "HS256"}, {"tenant_id": "acme", "pad": "P" * MB}).decode()})],
                    [], ["unsigned_token"]),
        "jwt-alg-none": ([audit_line(status=200, response={"tenant_ids": ["acme"]},
                                     headers={"authorization": "Bearer " + jwt({"alg": "none"}, {"tenant_id": "acme"}, b"").decode()})],
                         [], ["unsigned_token"]),
        # A host that names no tenant, answered 2xx: the finding the request is meant to cause.
        "escapes": ([audit_line(route=ESCAPES, request_id=ESCAPES, host=ESCAPES + ".example.com")], [], ["unresolved_tenant"]),
    },
    "redis": {
        **COMMON,
        "cut-mid-quote": ([redis_line(b'"SET" "acme:project:1" "{\\"tenant\\":')], [0]),
        "huge-numbers": ([b'99999999999999999999.000001 [0 127.0.0.1:52599] "GET" "acme:x"',
                          b'1795568049.700000 [99999999999999999999 127.0.0.1:52599] "GET" "acme:x"',
                          b'1795568049.700000 [0 127.0.0.1:99999999999] "GET" "acme:x"',
                          b'1795568049.7000000000000000000000001 [0 127.0.0.1:52599] "GET" "acme:x"'], [0, 1, 2]),
        # A key count past Int: the client's number, read without a trap.
        "huge-key-count": ([redis_line(b'"EVAL" "return 1" "9223372036854775807" "acme:k"'),
                            redis_line(b'"EVAL" "return 1" "-9223372036854775808" "acme:k"')], []),
        "bad-escapes": ([redis_line(b'"GET" "acme:\\xZZ"'), redis_line(b'"GET" "acme:\\q"'), redis_line(b'"GET" "acme:\\x4')], [0, 1, 2]),
        "escapes": ([redis_line(b'"GET" "acme:' + ESCAPES.encode().replace(b"\x1b", b"\\x1b").replace(b"\x07", b"\\a")
                                .replace(b'"', b'\\"') + b'"')], []),
    },
}

# Cases whose statements libpg_query rejects: read, not judged, and counted as such in the
# summary (`, J statements unparseable (first at FILE:LINE: ...)`): offsets inside the chunk.
UNPARSEABLE = {"stderr/cut-mid-quote": [0], "stderr/libpg_query-rejects": [0, 1], "stderr/10mb-statement": [0],
               "csvlog/libpg_query-rejects": [0], "jsonlog/libpg_query-rejects": [0]}
STATEMENTS = re.compile(r", (\d+) statements? unparseable \(first at (.*?):(\d+)[:)]")

FILES = {"stderr": "postgresql.log", "csvlog": "postgresql.csv", "jsonlog": "postgresql.json",
         "audit": "audit.log", "redis": "redis-monitor.txt"}
POSTGRES_FORMAT = {"stderr": "stderr", "csvlog": "csvlog", "jsonlog": "jsonlog", "audit": "stderr", "redis": "stderr"}


def config(kind):
    """The sample config with its postgres source switched to the format under test."""
    text = open(os.path.join(SAMPLE, "tenantwatch.toml")).read()
    fmt = POSTGRES_FORMAT[kind]
    text = text.replace('path = "postgresql.log"\nformat = "stderr"', f'path = "{FILES.get(kind if fmt == kind else "stderr")}"\nformat = "{fmt}"')
    return text


def record_starts(kind, lines):
    """Indexes where a record starts (a hostile chunk goes before one of them)."""
    if kind == "stderr":
        return [i for i, l in enumerate(lines) if re.match(rb"\d{4}-\d\d-\d\d ", l)]
    if kind == "csvlog":
        starts, open_ = [], False
        for i, l in enumerate(lines):
            if not open_:
                starts.append(i)
            if l.count(b'"') % 2:
                open_ = not open_
        return starts
    return list(range(len(lines)))


def projected(findings):
    keep = ("kind", "severity", "caller_tenant", "accessed_tenants", "tables", "statement", "request_id",
            "trace_id", "cache_key", "count", "application")
    return sorted(json.dumps({k: f.get(k) for k in keep}, sort_keys=True) for f in findings)


def scan(directory):
    def limits():
        # A hostile line must not blow memory: the scan runs under a 4 GB address-space limit
        # (and its peak resident size is checked at the end).
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    p = subprocess.run([TW, "scan", "--config", "tenantwatch.toml", "--format", "ndjson"], cwd=directory,
                       capture_output=True, timeout=120, preexec_fn=limits)
    findings = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
    return p.returncode, findings, p.stderr.decode(errors="replace")


SUMMARY = re.compile(r"(\d+) lines, (\d+) events, (\d+) unparsed(?: \(first at (.*?):(\d+)[:)])?")


# The nine findings sample-logs/README.md promises for the sample logs (its "Expected from
# `tenantwatch scan`" table): kind, severity, request, caller (None where the README names none
# or the caller is not what the row is about), accessed tenants, tables included, count. The clean
# scan each hostile case is compared with must match this first: comparing the product only with
# its own earlier output would pass whatever that output was.
README_FINDINGS = [
    ("cross_tenant_query", "high", None, None, ["acme", "globex"], ["orders"], 1),
    ("missing_tenant_predicate", "high", None, None, ["acme", "globex", "initech"], ["invoices"], 1),
    ("cross_tenant_response", "critical", "req-0104", "initech", ["globex"], [], 1),
    ("token_host_mismatch", "high", "req-0105", "acme", ["globex"], [], 1),
    ("tenant_context_mismatch", "high", "req-0107", "initech", ["globex"], ["projects"], 1),
    ("cross_tenant_response", "critical", "req-0107", "initech", ["globex"], [], 1),
    ("unsigned_token", "high", "req-0109", None, ["acme"], [], 1),
    ("cross_tenant_response", "critical", "req-0111", "globex", ["acme"], [], 1),
    ("unscoped_cache_key", "medium", None, None, [], [], 2),
]


def matches_readme(findings):
    """Each README finding matched by exactly one finding, and nothing else: (ok, why not)."""
    left = list(findings)
    for kind, severity, request, caller, accessed, tables, count in README_FINDINGS:
        hit = [f for f in left if f.get("kind") == kind and f.get("severity") == severity
               and f.get("request_id") == request and sorted(f.get("accessed_tenants") or []) == accessed
               and set(tables) <= set(f.get("tables") or []) and f.get("count") == count
               and (caller is None or f.get("caller_tenant") == caller)]
        if len(hit) != 1:
            return False, f"{kind} {request or ''} {caller or ''}->{accessed}: {len(hit)} matching findings"
        left.remove(hit[0])
    if left:
        return False, f"unexpected: {[(f.get('kind'), f.get('request_id')) for f in left]}"
    return True, ""


def prepare(kind, name=None):
    d = os.path.join(WORK, kind + ("-" + name if name else ""))
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for f in ("schema.sql", "audit.log", "redis-monitor.txt", "postgresql.log", "postgresql.csv", "postgresql.json"):
        shutil.copy(os.path.join(SAMPLE, f), d)
    with open(os.path.join(d, "tenantwatch.toml"), "w") as f:
        f.write(config(kind))
    return d


def main():
    for kind, cases in CASES.items():
        base_dir = prepare(kind)
        code, base, err = scan(base_dir)
        m = SUMMARY.search(err)
        if code != 1 or not base or not m or m.group(3) != "0":
            fail(f"{kind}: the clean sample scan: exit {code}, {len(base)} findings, {err.strip()[-300:]}")
            continue
        good, why = matches_readme(base)
        if not good:
            fail(f"{kind}: the clean sample scan is not the nine findings of sample-logs/README.md: {why}")
            continue
        ok(f"{kind}: the clean sample scan gives exactly the nine findings of sample-logs/README.md")
        name_of_file = FILES[kind]
        lines = open(os.path.join(SAMPLE, name_of_file), "rb").read().split(b"\n")
        if lines[-1] == b"":
            lines.pop()
        starts = record_starts(kind, lines)
        at = min(s for s in starts if s >= len(lines) // 2)
        for name, spec in cases.items():
            if ONLY and ONLY not in f"{kind}/{name}":
                continue
            chunk, bad = spec[0], spec[1]
            added = spec[2] if len(spec) > 2 else []
            d = prepare(kind, name)
            with open(os.path.join(d, name_of_file), "wb") as f:
                f.write(b"\n".join(lines[:at] + chunk + lines[at:]) + b"\n")
            label = f"{kind}/{name}"
            try:
                code, got, err = scan(d)
            except subprocess.TimeoutExpired:
                fail(f"{label}: scan did not finish in 120 s")
                continue
            if code not in (0, 1):
                fail(f"{label}: scan exit {code}: {err.strip()[-400:]}")
                continue
            m = SUMMARY.search(err)
            if not m:
                fail(f"{label}: no summary line: {err.strip()[-300:]}")
                continue
            unparsed = int(m.group(3))
            first = (m.group(4), int(m.group(5))) if m.group(4) else None
            want_first = (name_of_file, at + 1 + bad[0]) if bad else None
            if first:
                first = (os.path.basename(first[0]), first[1])
            if unparsed == len(bad) and first == want_first:
                ok(f"{label}: {unparsed} unparsed" + (f", first at {first[0]}:{first[1]}" if first else ""))
            else:
                fail(f"{label}: unparsed {unparsed} first {first}, expected {len(bad)} first {want_first}: {err.strip()[-300:]}")
            m = STATEMENTS.search(err)
            got_rejected = (int(m.group(1)), os.path.basename(m.group(2)), int(m.group(3))) if m else None
            rejected = UNPARSEABLE.get(label, [])
            want_rejected = (len(rejected), name_of_file, at + 1 + rejected[0]) if rejected else None
            if got_rejected != want_rejected:
                fail(f"{label}: statements libpg_query rejects: {got_rejected}, expected {want_rejected}: {err.strip()[-300:]}")
            elif rejected:
                ok(f"{label}: {len(rejected)} statement(s) libpg_query rejects counted, first at {name_of_file}:{want_rejected[2]}")
            want, have = Counter(projected(base)), Counter(projected(got))
            missing, extra = want - have, have - want
            extra_kinds = sorted(json.loads(f)["kind"] for f in extra.elements())
            if not missing and extra_kinds == sorted(added):
                ok(f"{label}: every finding of the good lines around it still found ({len(base)})" +
                   (f", plus the {', '.join(added)} it causes" if added else ""))
            else:
                fail(f"{label}: findings differ: missing {list(missing)[:3]} unexpected {list(extra)[:3]}")
    # Bounded memory: the scans' peak resident size, a structural bound (lines are cut at 4 MB),
    # not a timing: a clean scan of the sample logs peaks near 40 MB.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    if peak < 150:
        ok(f"peak memory of every hostile scan: {peak} MB (under 150 MB)")
    else:
        fail(f"peak memory of a hostile scan: {peak} MB")
    return 1 if FAILS else 0


sys.exit(main())
