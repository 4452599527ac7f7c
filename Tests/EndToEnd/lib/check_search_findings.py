#!/usr/bin/env python3
"""Precision and recall of the search findings of a scan (issue 20), and what else changed.

    check_search_findings.py TRUTH.json WITH.ndjson WITHOUT.ndjson

TRUTH: [kind, request_id or "line:FILE:N"] for every planted leak. WITH: `scan --format ndjson`
over the sample logs plus the search workload; WITHOUT: the sample logs alone. A search finding is
one whose evidence names a search log, or whose kind is a search kind. Prints precision, recall
and the other findings' difference; exit 1 unless precision and recall are 1.00 and nothing else
changed."""
import json, sys

truth = {tuple(t) for t in json.load(open(sys.argv[1]))}

def load(path):
    out = []
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            out.append(json.loads(line))
    return out

with_, without = load(sys.argv[2]), load(sys.argv[3])
SEARCH_FILES = ("search-audit.log", "search-slowlog.json", "search-slowlog.log")

def is_search(f):
    if f["kind"] in ("unscoped_search", "cross_tenant_search"):
        return True
    return any(e.get("source", "").endswith(SEARCH_FILES) for e in f.get("evidence") or [])

def key(f):
    if f.get("request_id"):
        return (f["kind"], f["request_id"])
    first = (f.get("evidence") or [{}])[0]
    return (f["kind"], "line:%s:%s" % (first.get("source", "").rsplit("/", 1)[-1], first.get("line")))

reported = [key(f) for f in with_ if is_search(f)]
tp = len(set(reported) & truth)
precision = tp / len(reported) if reported else 0.0
recall = tp / len(truth) if truth else 1.0
print("search findings: %d reported, %d planted, %d true" % (len(reported), len(truth), tp))
print("precision %.2f recall %.2f" % (precision, recall))
for k in sorted(set(reported) - truth):
    print("  false positive:", k)
for k in sorted(truth - set(reported)):
    print("  missed:", k)
dupes = len(reported) - len(set(reported))
if dupes:
    print("  %d duplicate search findings" % dupes)

def signature(f, numbered=True):
    return json.dumps([f.get("incident") if numbered else "(provisional)", f["kind"], f["severity"], f.get("request_id"),
                       f.get("caller_tenant"), f.get("accessed_tenants"), f.get("cache_key"), f.get("count"),
                       f.get("fingerprint")])

# A finding `live --no-tui` announced on detection (`provisional`) has no incident number yet: it
# must match one of the other run's findings in everything but the number.
others_with = sorted(signature(f, not f.get("provisional")) for f in with_ if not is_search(f))
provisional = {signature(f, False) for f in with_ if f.get("provisional")}
others_without = sorted(signature(f, signature(f, False) not in provisional) for f in without)
same = others_with == others_without
print("other findings: %d without the search logs, %d with them, %s" % (len(others_without), len(others_with), "unchanged" if same else "CHANGED"))
if not same:
    for s in sorted(set(others_without) - set(others_with)):
        print("  gone:", s)
    for s in sorted(set(others_with) - set(others_without)):
        print("  new:", s)
sys.exit(0 if precision == 1.0 and recall == 1.0 and not dupes and same else 1)
