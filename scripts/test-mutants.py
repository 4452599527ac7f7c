#!/usr/bin/env python3
"""Mutation check: does the suite notice when the product is wrong?

Flips ten chosen conditions in the product, one at a time (a verdict, tie rules, hash and size
comparisons, a key binding, bounds, an exit code), rebuilds the debug build and runs the tests
that cover that condition. A mutant is *killed* when those tests fail; one that survives names a
check that cannot fail. Prints one line per mutant and a summary; exits 1 when any survived or
did not build.

    python3 scripts/test-mutants.py [NAME...]       (make test-mutants; names pick mutants)
    python3 scripts/test-mutants.py --list

The source is always restored: each mutated file is copied to .build/mutants/ first and copied
back after the run, on Ctrl-C and SIGTERM too; a run killed outright (SIGKILL) leaves the copy,
and the next run puts it back before anything else. Not part of `make test` (it rebuilds ten
times: about a minute a mutant on two cores).
"""
import os
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKUPS = os.path.join(ROOT, ".build", "mutants")
SWIFT = os.environ.get("SWIFT", "swift")


def unit(filter_):
    return [SWIFT, "test", "--skip-build", "--filter", filter_]


def e2e(name):
    return ["bash", "Tests/EndToEnd/run.sh", name]


# (name, what it breaks, file, original text (must occur exactly once), mutated text, tests)
MUTANTS = [
    ("verdict-or-branch", "an OR confines a table when only one branch does (`tenant_id = 'acme' OR total > 100` scoped)",
     "Sources/TenantWatchSQL/StatementWalker.swift",
     "for (leaf, v) in c { if let w = branch[leaf] { next[leaf] = (v.0, v.1.union(w.1)) } }",
     "for (leaf, v) in c { next[leaf] = (v.0, v.1.union(branch[leaf]?.1 ?? [])) }",
     [unit("SQLAnalyzerTests")]),
    # (A first choice, `status = p.count == 1 ? .scoped : .multiTenant`, survived: an equivalent
    # mutant, since the verdict is taken from the pinned values, not from that status.)
    ("verdict-multi-tenant", "a table pinned to several tenants is judged scoped",
     "Sources/TenantWatchSQL/TenantPredicateAnalyzer.swift",
     "if item.values.count > 1 { return .multiTenant }",
     "if item.values.count > 1 { return .scoped }",
     [unit("SQLAnalyzerTests")]),
    ("tie-by-time-ambiguous", "a cache read is tied by time although several requests are in flight",
     "Sources/TenantWatchCore/Correlation/Correlator.swift",
     "if candidates.count == 1 { key = candidates.first!.key; tie = .time }",
     "if candidates.count >= 1 { key = candidates.first!.key; tie = .time }",
     [unit("CorrelatorTieTests")]),
    ("tie-traceparent", "the sqlcommenter trace id is ignored (only request_id ties)",
     "Sources/TenantWatchCore/Correlation/Correlator.swift",
     "if let t = traceID, !t.isEmpty { keys.trace = .trace(t) }",
     "if let t = traceID, t.isEmpty { keys.trace = .trace(t) }",
     [unit("CorrelatorTieTests")]),
    ("verify-hash", "verify accepts a file whose SHA-256 differs from the manifest's",
     "Sources/TenantWatchCore/Export/BundleVerifier.swift",
     "if sha != f.sha256.lowercased() {",
     "if sha == \"mutant\" {",
     [unit("BundleExportTests")]),
    ("verify-size", "verify accepts a file whose size differs from the manifest's",
     "Sources/TenantWatchCore/Export/BundleVerifier.swift",
     "if size != f.size {",
     "if size < 0 {",
     [e2e("cli_commands")]),
    ("key-resolve", "`r` in the incident detail no longer resolves",
     "Sources/TenantWatchTUI/Input/KeyHandler.swift",
     'case .char("r"): s.message = "\\(id) resolved"; return [.resolve(id)]',
     'case .char("R"): s.message = "\\(id) resolved"; return [.resolve(id)]',
     [unit("TenantWatchTUITests")]),
    ("bound-cache-ledger", "the cache writer ledger forgets by age only: its key bound is gone",
     "Sources/TenantWatchCore/Detection/Cache/CacheWriterLedger.swift",
     "while let first = order.first, first.time < cutoff || order.count > capacity {",
     "while let first = order.first, first.time < cutoff {",
     [unit("CacheWriterLedgerTests")]),
    ("bound-refresh-tokens", "the refresh-token detector remembers 1000 times its capacity",
     "Sources/TenantWatchCore/Detection/RefreshTokenReuseDetector.swift",
     "if order.count > capacity {",
     "if order.count > capacity * 1000 {",
     [unit("RefreshTokenReuseDetectorTests")]),
    ("exit-unparseable", "check-sql exits 0 for a statement it cannot parse",
     "Sources/tenantwatch/CheckSQLCommand.swift",
     "case .scoped, .rls, .notApplicable: return\n        case .unscoped, .multiTenant, .unparseable: throw ExitCode(1)",
     "case .scoped, .rls, .notApplicable, .unparseable: return\n        case .unscoped, .multiTenant: throw ExitCode(1)",
     [e2e("cli_commands")]),
]


def backup_path(rel):
    return os.path.join(BACKUPS, rel.replace("/", "__"))


def restore_all():
    """Puts back every file a run mutated (this run's, or an earlier run killed outright)."""
    if not os.path.isdir(BACKUPS):
        return
    for name in os.listdir(BACKUPS):
        rel = name.replace("__", "/")
        src = os.path.join(BACKUPS, name)
        shutil.copyfile(src, os.path.join(ROOT, rel))
        os.remove(src)
        print(f"restored {rel}", flush=True)


def on_signal(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def run(cmd, log):
    with open(log, "a") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        env = dict(os.environ, TENANTWATCH=os.path.join(ROOT, ".build", "debug", "tenantwatch"))
        return subprocess.run(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env).returncode


def main(argv):
    restore_all()   # first of all: a run killed outright left its mutant in place
    if "--list" in argv:
        for name, what, path, *_ in MUTANTS:
            print(f"{name:24} {path}: {what}")
        return 0
    chosen = [m for m in MUTANTS if not argv or m[0] in argv]
    if not chosen:
        print(f"no such mutant: {' '.join(argv)} (--list shows them)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    os.makedirs(BACKUPS, exist_ok=True)
    log = os.path.join(BACKUPS, "..", "mutants.log")
    open(log, "w").close()
    # Every mutant must apply to today's source before any is tried.
    for name, _, path, original, mutated, _ in chosen:
        text = open(os.path.join(ROOT, path), encoding="utf-8").read()
        if text.count(original) != 1:
            print(f"{name}: the original text occurs {text.count(original)} times in {path}; update MUTANTS", file=sys.stderr)
            return 2
    if run([SWIFT, "build", "--build-tests"], log) != 0:
        print(f"the unmutated source does not build (see {log})", file=sys.stderr)
        return 2
    results = []
    try:
        for name, what, path, original, mutated, tests in chosen:
            full = os.path.join(ROOT, path)
            shutil.copyfile(full, backup_path(path))
            text = open(full, encoding="utf-8").read()
            with open(full, "w", encoding="utf-8") as f:
                f.write(text.replace(original, mutated, 1))
            start = time.time()
            try:
                if run([SWIFT, "build", "--build-tests"], log) != 0:
                    verdict = "NOT BUILT"
                else:
                    failed = [t for t in tests if run(t, log) != 0]
                    verdict = "killed" if failed else "SURVIVED"
            finally:
                shutil.copyfile(backup_path(path), full)
                os.remove(backup_path(path))
            tests_shown = "; ".join(" ".join(t[-2:]) if t[0] == SWIFT else " ".join(t[-1:]) + " (e2e)" for t in tests)
            line = f"{verdict:9} {name:24} {what} [{tests_shown}] {time.time() - start:.0f} s"
            print(line, flush=True)
            results.append((name, verdict))
    except KeyboardInterrupt as e:
        print(f"interrupted ({e}): source restored", file=sys.stderr)
        return 130
    finally:
        restore_all()
        # The build left behind is the mutated one: rebuild the real source.
        run([SWIFT, "build", "--build-tests"], log)
    killed = sum(1 for _, v in results if v == "killed")
    print(f"{killed} of {len(results)} mutants killed (log: .build/mutants.log)")
    return 0 if killed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
