#!/usr/bin/env python3
"""Precision and recall of `scan --format ndjson` against staffsim's expectations.

usage: measure.py EXPECTED.json FINDINGS.ndjson

A finding is a true positive when its request expects a finding of its kind not yet matched
(request id and kind; the multiset of expected kinds per request). Prints one line:
`precision P recall R (tp T, findings F, expected E)`; exit 1 unless both are 1.00.
"""
import json
import sys
from collections import Counter


def main(argv):
    expected = json.load(open(argv[1], encoding="utf-8"))
    want = Counter()
    for e in expected:
        for x in e["expect"]:
            want[(e["request_id"], x["kind"])] += 1
    findings = [json.loads(line) for line in open(argv[2], encoding="utf-8") if line.strip()]
    left = Counter(want)
    tp = 0
    stray = []
    for f in findings:
        key = (f.get("request_id"), f.get("kind"))
        if left[key] > 0:
            left[key] -= 1
            tp += 1
        else:
            stray.append(key)
    total = sum(want.values())
    precision = tp / len(findings) if findings else 1.0
    recall = tp / total if total else 1.0
    print(f"precision {precision:.2f} recall {recall:.2f} (tp {tp}, findings {len(findings)}, expected {total})")
    if stray:
        print("  not expected: " + ", ".join(f"{k} for {r}" for r, k in stray))
    missed = [k for k, n in left.items() if n > 0]
    if missed:
        print("  missed: " + ", ".join(f"{k} for {r}" for r, k in missed))
    return 0 if tp == len(findings) == total else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
