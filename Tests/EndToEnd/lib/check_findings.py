#!/usr/bin/env python3
"""Checks `tenantwatch scan --format ndjson` output against workload/expected-findings.txt.

usage: check_findings.py EXPECTED LABEL=FILE.ndjson[@LOG] [LABEL=FILE.ndjson[@LOG] ...]

Prints one `ok - ...` or `FAIL - ...` line per check; exit 1 when any check failed.
Checks, per output: every line is a JSON object; every finding has evidence; every expected leak is
found with its kind and tables; no control and no unmarked statement is flagged. With @LOG (the
log that was scanned), every marker must occur in it: a control that never reached the log is
not "not flagged", it is untested, and fails. Across outputs: the same set of (kind, tables,
fingerprint, marker).
"""
import json
import re
import sys

MARKER = re.compile(r"tw-([LC][0-9]+)")
failures = 0


def ok(msg):
    print(f"ok - {msg}")


def fail(msg):
    global failures
    failures += 1
    print(f"FAIL - {msg}")


def load_expected(path):
    leaks, controls = {}, set()
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            cols = line.split()
            marker, expect, kind, tables = cols[0], cols[1], cols[2], cols[3]
            if expect == "leak":
                leaks[marker] = (kind, set(tables.split(",")))
            elif expect == "control":
                controls.add(marker)
            else:
                raise SystemExit(f"{path}: bad expectation {expect!r} for {marker}")
    return leaks, controls


def marker_of(finding):
    text = finding.get("statement") or ""
    m = MARKER.search(text)
    if not m:  # fall back on any field (e.g. a tool that shortens `statement`)
        m = MARKER.search(json.dumps(finding))
    return m.group(1) if m else None


def load_findings(label, path):
    findings = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as e:
                fail(f"{label}: line {n} is not JSON ({e}): {raw[:120]!r}")
                continue
            if not isinstance(obj, dict):
                fail(f"{label}: line {n} is not a JSON object")
                continue
            findings.append(obj)
    return findings


def short(finding):
    st = (finding.get("statement") or "").replace("\n", " ")
    return f"{finding.get('kind')} tables={finding.get('tables')} statement={st[:100]!r}"


def check_log(label, log, leaks, controls):
    """Every marker of expected-findings.txt occurs in the scanned log."""
    with open(log, "rb") as f:
        seen = set(m.decode() for m in re.findall(rb"tw-([LC][0-9]+)", f.read()))
    missing = sorted((set(leaks) | controls) - seen)
    if missing:
        fail(f"{label}: markers that never reached the log (so nothing about them is tested): {', '.join(missing)}")
    else:
        ok(f"{label}: all {len(leaks)} leaks and {len(controls)} controls reached the log")


def check_one(label, findings, leaks, controls):
    if not findings:
        fail(f"{label}: no findings at all")
        return set()
    ok(f"{label}: {len(findings)} findings")
    no_evidence = [f for f in findings if not f.get("evidence")]
    if no_evidence:
        fail(f"{label}: {len(no_evidence)} findings without evidence, e.g. {short(no_evidence[0])}")
    by_marker = {}
    for f in findings:
        by_marker.setdefault(marker_of(f), []).append(f)
    for marker, (kind, tables) in sorted(leaks.items()):
        got = by_marker.get(marker, [])
        match = [f for f in got if f.get("kind") == kind and tables <= set(f.get("tables") or [])]
        if match:
            ok(f"{label}: {marker} flagged as {kind} on {','.join(sorted(tables))}")
        elif got:
            fail(f"{label}: {marker} flagged, but not as {kind} on {sorted(tables)}: "
                 + "; ".join(short(f) for f in got))
        else:
            fail(f"{label}: {marker} not flagged (expected {kind} on {sorted(tables)})")
    for marker in sorted(controls):
        got = by_marker.get(marker, [])
        if got:
            fail(f"{label}: control {marker} flagged: " + "; ".join(short(f) for f in got))
    if not any(by_marker.get(m) for m in controls):
        ok(f"{label}: none of the {len(controls)} controls flagged")
    unmarked = by_marker.get(None, [])
    for f in unmarked:
        fail(f"{label}: finding on an unmarked statement: {short(f)}")
    unknown = [m for m in by_marker if m and m not in leaks and m not in controls]
    for m in unknown:
        fail(f"{label}: finding on {m}, which expected-findings.txt does not list")
    return {(f.get("kind"), tuple(sorted(f.get("tables") or [])), f.get("fingerprint"), marker_of(f))
            for f in findings}


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    leaks, controls = load_expected(argv[1])
    sets = {}
    for arg in argv[2:]:
        label, _, path = arg.partition("=")
        path, _, log = path.partition("@")
        if log:
            check_log(label, log, leaks, controls)
        sets[label] = check_one(label, load_findings(label, path), leaks, controls)
    labels = list(sets)
    base = labels[0]
    for other in labels[1:]:
        if sets[other] == sets[base]:
            ok(f"{other} and {base} agree ({len(sets[base])} distinct (kind, tables, fingerprint, marker))")
        else:
            only_b = sorted(map(str, sets[base] - sets[other]))
            only_o = sorted(map(str, sets[other] - sets[base]))
            fail(f"{other} and {base} differ: only in {base}: {only_b[:5]}; only in {other}: {only_o[:5]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
