#!/usr/bin/env python3
"""Appends the search workload to followed copies as the servers would write it: in log time.

    grow_search_logs.py FROM_DIR TO_DIR STEP_SECONDS

The slow logs and the search audit log of FROM_DIR are appended to the same names in TO_DIR in
steps of STEP_SECONDS of log time: each step appends, to each file, its lines up to that time.
A step shorter than the correlation window keeps a search and its request's audit line within
one window, as on a live system (the slow log is written while the request runs, the audit line
when it ends). Prints one line per step."""
import re
import sys
from datetime import datetime

FILES = ("search-slowlog.json", "search-slowlog.log", "search-audit.log")
STAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)[.,](\d{3})")


def when(line):
    m = STAMP.search(line)
    if not m:
        raise SystemExit("no timestamp in: " + line[:120])
    return datetime.fromisoformat(m.group(1)).timestamp() + int(m.group(2)) / 1000


src, dst, step = sys.argv[1], sys.argv[2], float(sys.argv[3])
lines = {f: [(when(l), l) for l in open(f"{src}/{f}") if l.strip()] for f in FILES}
times = [t for ls in lines.values() for t, _ in ls]
cut, last = min(times), max(times)
n = 0
while cut <= last:
    cut += step
    n += 1
    wrote = 0
    for f in FILES:
        chunk = [l for t, l in lines[f] if cut - step < t <= cut] if n > 1 else [l for t, l in lines[f] if t <= cut]
        with open(f"{dst}/{f}", "a") as out:
            out.writelines(chunk)
        wrote += len(chunk)
    print(f"step {n}: {wrote} lines up to +{cut - min(times):.0f}s", flush=True)
