"""Checks a `scan --format ndjson` output: forge-case assertions for Tests/Adversarial/log_*.sh.

    findings.py FILE.ndjson CHECK...
CHECK is KIND:SUBSTRING (a finding of KIND whose statement contains SUBSTRING must exist),
!KIND:SUBSTRING (none may), or KIND=N (exactly N findings of KIND). Exits 1 naming the first
check that failed.
"""
import json
import sys

findings = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]


def matching(kind, text):
    return [f for f in findings if f["kind"] == kind and text in (f.get("statement") or "")]


for check in sys.argv[2:]:
    if "=" in check and ":" not in check:
        kind, n = check.split("=")
        got = len([f for f in findings if f["kind"] == kind])
        ok = got == int(n)
    elif check.startswith("!"):
        kind, text = check[1:].split(":", 1)
        got = matching(kind, text)
        ok = not got
    else:
        kind, text = check.split(":", 1)
        got = matching(kind, text)
        ok = bool(got)
    if not ok:
        print("check %s failed; findings: %s" % (check, json.dumps(
            [(f["kind"], f["message"][:160], (f.get("statement") or "")[:120]) for f in findings], indent=1)))
        sys.exit(1)
