#!/usr/bin/env python3
"""Appends the search workload to followed copies as the servers would write it: in log time.

    grow_search_logs.py FROM_DIR TO_DIR STEP_SECONDS METRICS_URL

The slow logs and the search audit log of FROM_DIR are appended to the same names in TO_DIR in
steps of STEP_SECONDS of log time: each step appends, to each file, its lines up to that time,
then waits until `live` (its `--metrics` URL) has read them as events. On a live system the
files grow together in real time; appended all at once, a follower could read one file's whole
minute before another's first second and rightly judge the searches that waited for their
request's audit line without it. A step shorter than the correlation window keeps a search and
its request's audit line within one window. Every line is one event (a slow-log line, repeats
included, or an audit line). Prints one line per step; exit 1 if live falls 60 s behind."""
import re
import sys
import time
import urllib.request
from datetime import datetime

FILES = ("search-slowlog.json", "search-slowlog.log", "search-audit.log")
STAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)[.,](\d{3})")


def when(line):
    m = STAMP.search(line)
    if not m:
        raise SystemExit("no timestamp in: " + line[:120])
    return datetime.fromisoformat(m.group(1)).timestamp() + int(m.group(2)) / 1000


src, dst, step, url = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]


def events_read():
    for line in urllib.request.urlopen(url, timeout=5).read().decode().splitlines():
        if line.startswith("tenantwatch_events_total"):
            return int(float(line.split()[-1]))
    return 0


def wait_for_events(n):
    deadline = time.monotonic() + 60
    while events_read() < n:
        if time.monotonic() > deadline:
            raise SystemExit(f"live read {events_read()} events, not {n}, in 60 s")
        time.sleep(0.1)


# Live has read the other logs whole before the first step: nothing new comes from them.
base = events_read()
total = 0
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
    total += wrote
    wait_for_events(base + total)
    print(f"step {n}: {wrote} lines up to +{cut - min(times):.0f}s", flush=True)
