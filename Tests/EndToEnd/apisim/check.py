#!/usr/bin/env python3
"""Checks `tenantwatch scan --format ndjson` outputs against the simulator's expectations.

usage: check.py EXPECTED.json LABEL=FILE.ndjson [LABEL=FILE.ndjson ...]

EXPECTED.json (written by apisim.py --expected) lists every request: its request_id (null for the
background job, matched by `application`), the caller's tenant, and `expect`: the findings it must
produce ([] for a control), each with kind and optionally tables (a subset of the finding's) and
accessed tenants (equal to the finding's). Per output: every line is JSON with evidence; each leak
gives exactly the kinds listed (with the caller and accessed tenants); no control is flagged; no
finding is left unexplained. Across outputs: the same set of findings.
Prints `ok - ...` / `FAIL - ...` lines; exit 1 when any check failed.
"""
import json
import sys

failures = 0


def ok(msg):
    print(f"ok - {msg}")


def fail(msg):
    global failures
    failures += 1
    print(f"FAIL - {msg}")


def short(f):
    return (f"{f.get('kind')} request={f.get('request_id')} caller={f.get('caller_tenant')} "
            f"accessed={f.get('accessed_tenants')} tables={f.get('tables')} app={f.get('application')}")


def load(label, path):
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except ValueError as e:
                fail(f"{label}: line {n} is not JSON: {e}")
                continue
            if not isinstance(obj, dict) or "kind" not in obj:
                fail(f"{label}: line {n} is not a finding")
                continue
            out.append(obj)
    return out


def owner(f, expected):
    """The expected entry a finding belongs to: by request id, else by application (background job)."""
    rid = f.get("request_id")
    for e in expected:
        if rid is not None and e["request_id"] == rid:
            return e
    if rid is None:
        for e in expected:
            if e["request_id"] is None and e.get("application") == f.get("application"):
                return e
    return None


def name(e):
    return e["request_id"] or f"job {e.get('application')}"


def check(label, findings, expected):
    ok(f"{label}: {len(findings)} findings")
    if any(not f.get("evidence") for f in findings):
        fail(f"{label}: findings without evidence: {[short(f) for f in findings if not f.get('evidence')]}")
    by = {}
    for f in findings:
        e = owner(f, expected)
        if e is None:
            fail(f"{label}: unexplained finding: {short(f)}")
            continue
        by.setdefault(id(e), []).append(f)
    controls_clean = 0
    controls = [e for e in expected if not e["expect"]]
    for e in expected:
        got = by.get(id(e), [])
        if not e["expect"]:
            if got:
                fail(f"{label}: control {name(e)} ({e['what']}) flagged: " + "; ".join(map(short, got)))
            else:
                controls_clean += 1
            continue
        want_kinds = sorted(x["kind"] for x in e["expect"])
        got_kinds = sorted(f["kind"] for f in got)
        if got_kinds != want_kinds:
            fail(f"{label}: {name(e)} ({e['what']}): kinds {got_kinds}, expected {want_kinds}: "
                 + "; ".join(map(short, got)))
        used = []
        for x in sorted(e["expect"], key=lambda x: "tables" not in x):
            # One finding per expectation: of several of a kind (a request's and its statement's),
            # the first not yet used that has the tables expected.
            match = [f for f in got if f["kind"] == x["kind"] and not any(f is u for u in used)]
            if not match:
                continue
            f = next((f for f in match if set(x.get("tables", [])) <= set(f.get("tables") or [])), match[0])
            used.append(f)
            problems = []
            if e["caller"] is not None and x["kind"] != "unsigned_token" and f.get("caller_tenant") != e["caller"]:
                problems.append(f"caller_tenant {f.get('caller_tenant')!r}, expected {e['caller']!r}")
            if "tables" in x and not set(x["tables"]) <= set(f.get("tables") or []):
                problems.append(f"tables {f.get('tables')}, expected to include {x['tables']}")
            if "accessed" in x and sorted(f.get("accessed_tenants") or []) != sorted(x["accessed"]):
                problems.append(f"accessed_tenants {f.get('accessed_tenants')}, expected {x['accessed']}")
            if problems:
                fail(f"{label}: {name(e)}: {x['kind']}: " + "; ".join(problems))
            else:
                extra = f" accessed {x['accessed']}" if "accessed" in x else ""
                ok(f"{label}: {name(e)} -> {x['kind']}{extra}")
    if controls_clean == len(controls):
        ok(f"{label}: none of the {len(controls)} controls flagged")
    return {(f.get("kind"), f.get("request_id"), f.get("caller_tenant"),
             tuple(sorted(f.get("accessed_tenants") or [])), tuple(sorted(f.get("tables") or [])),
             f.get("application")) for f in findings}


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as fh:
        expected = json.load(fh)
    sets = {}
    for arg in argv[2:]:
        label, _, path = arg.partition("=")
        sets[label] = check(label, load(label, path), expected)
    labels = list(sets)
    for other in labels[1:]:
        if sets[other] == sets[labels[0]]:
            ok(f"{other} and {labels[0]} agree ({len(sets[other])} findings)")
        else:
            fail(f"{other} and {labels[0]} differ: only in {labels[0]}: {sorted(map(str, sets[labels[0]] - sets[other]))}; "
                 f"only in {other}: {sorted(map(str, sets[other] - sets[labels[0]]))}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
