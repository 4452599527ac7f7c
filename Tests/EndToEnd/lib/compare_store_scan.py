#!/usr/bin/env python3
"""Compares the findings `live` stored with those `scan --format ndjson` prints for the same files.

    compare_store_scan.py STORE.sqlite SCAN.ndjson [LABEL]

A finding is identified as tenantwatch folds sightings (FindingAggregator.key): by kind and
request (trace) when it has one, else by kind, application, caller, shape (fingerprint, else
statement, cache key or message), tables and accessed tenants. Each must be stored exactly once
(one row) with the same count as the scan's. Prints ok/FAIL lines; exit 1 on any difference.
"""
import json
import sqlite3
import sys
from collections import Counter


def key(kind, request, trace, tables, cache_key, fingerprint, statement, message, application, caller, tenants):
    tables = ",".join(tables)
    req = request or trace
    if req:
        return (kind, "request:" + req, tables + "|" + (cache_key or ""))
    shape = fingerprint or statement or cache_key or message
    return (kind, f"app:{application or ''}|caller:{caller or ''}", f"{shape}|{tables}|{','.join(tenants)}")


def main():
    store, scan = sys.argv[1], sys.argv[2]
    label = sys.argv[3] if len(sys.argv) > 3 else "live"
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    stored = Counter()
    rows = Counter()
    for r in db.execute("""SELECT kind, request_id, trace_id, tables, cache_key, fingerprint, statement, message,
                                  application, caller_tenant, accessed_tenants, count FROM finding"""):
        k = key(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5], r[6], r[7], r[8], r[9], json.loads(r[10]))
        stored[k] += r[11]
        rows[k] += 1
    expected = Counter()
    for line in open(scan):
        f = json.loads(line)
        k = key(f["kind"], f.get("request_id"), f.get("trace_id"), f.get("tables") or [], f.get("cache_key"),
                f.get("fingerprint"), f.get("statement"), f.get("message"), f.get("application"),
                f.get("caller_tenant"), f.get("accessed_tenants") or [])
        expected[k] += f.get("count", 1)
    ok = True

    def check(cond, msg, details=()):
        nonlocal ok
        print(("ok - " if cond else "FAIL - ") + msg)
        if not cond:
            ok = False
            for d in list(details)[:10]:
                print("    " + d)

    missing = [k for k in expected if k not in stored]
    extra = [k for k in stored if k not in expected]
    twice = [k for k, n in rows.items() if n > 1]
    counts = [k for k in expected if k in stored and stored[k] != expected[k]]
    kinds = Counter(k[0] for k in expected)
    print(f"# scan: {len(expected)} findings, {sum(expected.values())} sightings ({dict(sorted(kinds.items()))}); "
          f"{label}: {len(stored)} findings, {sum(stored.values())} sightings")
    check(len(expected) > 0, "the scan found something to compare")
    check(not missing, f"every scan finding is in the {label} store ({len(missing)} missing)", map(repr, missing))
    check(not extra, f"no {label} finding the scan does not have ({len(extra)} extra)", map(repr, extra))
    check(not twice, f"each finding stored once ({len(twice)} stored more than once)", map(repr, twice))
    check(not counts, f"every finding counted as often as the scan counts it ({len(counts)} differ)",
          (f"{k!r}: {label} {stored[k]}, scan {expected[k]}" for k in counts))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
