#!/usr/bin/env python3
"""Precision and recall of `scan --format ndjson` against concurrent.py's --expected.

    check_concurrent.py EXPECTED.json LABEL=FINDINGS.ndjson...

A finding is identified by its kind and its request (request-bound findings), its application
(a background job's statement) or its key pattern (unscoped_cache_key). Each output must have
precision 1.00 and recall 1.00, and every output must give the same set.
"""
import json
import sys


def ident(f):
    if f.get("request_id"):
        return (f["kind"], "request", f["request_id"])
    if f["kind"] == "unscoped_cache_key":
        return (f["kind"], "key", f.get("fingerprint"))
    return (f["kind"], "app", f.get("application"))


def main():
    expected_list = json.load(open(sys.argv[1]))
    expected = set()
    for e in expected_list:
        if e.get("request_id"):
            expected.add((e["kind"], "request", e["request_id"]))
        elif e["kind"] == "unscoped_cache_key":
            expected.add((e["kind"], "key", e["key"]))
        else:
            expected.add((e["kind"], "app", e["key"]))
    failures = 0
    sets = {}
    for arg in sys.argv[2:]:
        label, path = arg.split("=", 1)
        found = set()
        guesses = []
        with open(path) as f:
            for line in f:
                if not line.strip():
                    continue
                finding = json.loads(line)
                # A guess is labelled as one: never critical, and not an alert to score.
                if finding["kind"] == "suspected_cross_tenant_response":
                    guesses.append(finding)
                    continue
                found.add(ident(finding))
        sets[label] = found | {ident(g) for g in guesses}
        bad = [g for g in guesses if g.get("severity") != "medium" or "To confirm" not in g.get("message", "")]
        if bad:
            failures += 1
            print(f"FAIL - {label}: a suspected finding is not a medium guess saying how to confirm it: {bad[0]}")
        else:
            print(f"ok - {label}: {len(guesses)} suspected (medium, each saying what would confirm it)")
        true_pos = found & expected
        precision = len(true_pos) / len(found) if found else 0.0
        recall = len(true_pos) / len(expected) if expected else 1.0
        status = "ok" if precision == 1.0 and recall == 1.0 else "FAIL"
        print(f"{status} - {label}: precision {precision:.2f} recall {recall:.2f} "
              f"({len(true_pos)} of {len(expected)} expected, {len(found)} reported)")
        if status == "FAIL":
            failures += 1
            for fp in sorted(found - expected):
                print(f"    false positive: {fp}")
            for fn in sorted(expected - found):
                print(f"    missed: {fn}")
    labels = list(sets)
    for other in labels[1:]:
        if sets[other] != sets[labels[0]]:
            failures += 1
            print(f"FAIL - {other} and {labels[0]} disagree: {sorted(sets[other] ^ sets[labels[0]])}")
    kinds = sorted({k for k, _, _ in expected})
    print(f"# expected kinds: {', '.join(kinds)}; {len(expected)} findings")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
