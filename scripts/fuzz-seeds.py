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

# Search slow logs: the public captures (bit 0: every non-global index tenant-owned).
search_fixtures = os.path.join(fixtures, "search")
for f in sorted(os.listdir(search_fixtures)):
    if f.endswith((".json", ".log")):
        chunks("FuzzSearchSlowLog", os.path.join(search_fixtures, f), [0x00, 0x01], 2)

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

# verify: a bundle-shaped zip (manifest listing its files with their SHA-256 and size) and
# hostile variants (a directory-mode file, a duplicate, a lying size).
import hashlib, io, zipfile
def bundle(extra=None, mode=0o100644):
    files = {"report.md": b"# Incident\n", "evidence/audit.log": b"4\t{}\n"}
    manifest = {"format": "tenantwatch-evidence-bundle", "signature": None,
                "files": [{"path": k, "sha256": hashlib.sha256(v).hexdigest(), "size": len(v)} for k, v in files.items()]}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest))
        for k, v in files.items():
            z.writestr(k, v)
        if extra:
            i = zipfile.ZipInfo(extra)
            i.create_system = 3
            i.external_attr = mode << 16
            z.writestr(i, b"forged")
    return buf.getvalue()
write("FuzzVerify", "bundle.zip", bundle())
write("FuzzVerify", "dirmode.zip", bundle("report.md", 0o040755))
write("FuzzVerify", "symlink.zip", bundle("evidence/link", 0o120777))

# The pseudonymiser: records of the sample logs (multi-line statements whole) and audit lines.
for k, line in enumerate(lines_of(os.path.join(samples, "audit.log"))[:20]):
    write("FuzzPseudonymise", "audit.%d" % k, line)
record, k = [], 0
for line in lines_of(os.path.join(samples, "postgresql.log")):
    if not line.startswith(b"\t") and record:
        write("FuzzPseudonymise", "pg.%d" % k, b"\n".join(record))
        record, k = [], k + 1
    record.append(line.rstrip(b"\n"))
write("FuzzPseudonymise", "literals", b"2026-11-25 00:54:05.890 UTC [1] a@b/c LOG:  statement: SELECT * FROM t WHERE tenant_id = 'globex' AND n = E'CEO\\'s' AND m = 'x\n\ty' AND d = $q$globex$q$")
