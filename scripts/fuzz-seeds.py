#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora from sample-logs/ and the unit-test fixtures.

    scripts/fuzz-seeds.py OUTDIR

One directory per fuzz target under OUTDIR. Logs are cut into small runs of lines (small seeds
mutate faster than whole files); each seed starts with the selector byte its target reads
first (which prefix, zone, key...), so a seed replays the configuration its log was written with.
Statements for the SQL target are taken from the JSON logs' `message` fields (a log format,
not SQL: the SQL itself is only ever parsed by libpg_query), with bind values from `detail`.
"""
import json, os, re, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
fixtures = os.path.join(root, "Tests/TenantWatchCoreTests/Fixtures")
samples = os.path.join(root, "sample-logs")
out = sys.argv[1]


def lines_of(path):
    with open(path, "rb") as f:
        return f.read().split(b"\n")


def write(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def chunks(target, path, selectors, size):
    ls = lines_of(path)
    base = os.path.basename(path)
    for i in range(0, len(ls), size):
        body = b"\n".join(ls[i:i + size])
        for s in selectors:
            write(target, "%s.%d.%02x" % (base, i, s), bytes([s]) + body)


# stderr: selector bits 0-2 pick the prefix in Fuzz/Sources/FuzzStderr (0 sample, 1 inferred,
# 2 default, 3 phase1's, 4 phase2/3's, 7 auto-detected); bit 3 = Europe/Berlin; bits 4-5 idle flush.
chunks("FuzzStderr", os.path.join(samples, "postgresql.log"), [0x00, 0x01, 0x17], 40)
chunks("FuzzStderr", os.path.join(fixtures, "pg15_phase1_stderr.log"), [0x0B, 0x09], 40)
chunks("FuzzStderr", os.path.join(fixtures, "pg15_phase2_verbose_pgaudit_logrows_stderr.log"), [0x0C], 30)
chunks("FuzzStderr", os.path.join(fixtures, "pg15_phase3_appname_injection_stderr.log"), [0x0C, 0x19], 30)
chunks("FuzzStderr", os.path.join(fixtures, "nocollector_interleaved_excerpt.log"), [0x02], 40)

for f, s in [(os.path.join(samples, "postgresql.csv"), 0),
             (os.path.join(fixtures, "pg15_phase1.csv"), 1),
             (os.path.join(fixtures, "pg15_phase2_verbose_pgaudit_logrows.csv"), 1)]:
    chunks("FuzzCSVLog", f, [s], 40)

# audit: bit 0 verifies with the sample HS256 secret, bit 1 adds the caller-tenant field.
chunks("FuzzAudit", os.path.join(samples, "audit.log"), [0x00, 0x01, 0x03], 2)

for f in [os.path.join(samples, "redis-monitor.txt"), os.path.join(fixtures, "redis7_monitor.txt"),
          os.path.join(fixtures, "redis_seed_story.txt")]:
    chunks("FuzzRedisMonitor", f, [0x00, 0x01], 20)

# SQL: statement text, then NUL-separated bind values.
n = 0
seen = set()
for f in [os.path.join(samples, "postgresql.json"), os.path.join(fixtures, "pg15_phase1.json"),
          os.path.join(fixtures, "pg15_phase2_verbose_pgaudit_logrows.json"),
          os.path.join(fixtures, "pg15_phase3_appname_injection.json")]:
    for line in lines_of(f):
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        msg = rec.get("message", "")
        m = re.match(r"(?:statement|execute [^:]*): (.*)", msg, re.S)
        if not m or m.group(1) in seen:
            continue
        seen.add(m.group(1))
        params = re.findall(r"\$\d+ = (?:'((?:[^']|'')*)'|NULL)", rec.get("detail", ""))
        data = m.group(1).encode() + b"".join(b"\0" + p.replace("''", "'").encode() for p in params)
        write("FuzzSQL", "stmt.%d" % n, data)
        n += 1
with open(os.path.join(samples, "schema.sql"), "rb") as f:
    write("FuzzSQL", "schema.sql", f.read())
