# tenantwatch — build, demo, test, bench.
# Each target first runs scripts/deps.sh for the Debian packages it needs (quiet when all present).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

# Swift may live in /opt/swift without being on PATH.
ifeq ($(shell command -v swift 2>/dev/null),)
  export PATH := /opt/swift/usr/bin:$(PATH)
endif
export SWIFT_BACKTRACE := interactive=no

SWIFT       ?= swift
TENANTWATCH ?= $(CURDIR)/.build/release/tenantwatch
export TENANTWATCH

.PHONY: all build debug install demo test test-mutants tsan e2e bench bench-prod soak fuzz sample-logs deps-build deps-test deps-bench deps-fuzz clean

all: build

deps-build:
	@bash scripts/deps.sh build
deps-test:
	@bash scripts/deps.sh test
deps-bench:
	@bash scripts/deps.sh bench
deps-fuzz:
	@bash scripts/deps.sh fuzz

build: deps-build
	$(SWIFT) build -c release --product tenantwatch

debug: deps-build
	$(SWIFT) build --product tenantwatch

# `make install PREFIX=$$HOME/.local` puts tenantwatch in $(PREFIX)/bin (default /usr/local).
# The binary links ncursesw, libpg_query and zlib from the system (scripts/deps.sh build).
PREFIX  ?= /usr/local
DESTDIR ?=
install: build
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 0755 "$(CURDIR)/.build/release/tenantwatch" "$(DESTDIR)$(PREFIX)/bin/tenantwatch"
	@echo "installed $(DESTDIR)$(PREFIX)/bin/tenantwatch"

# The dashboard replaying the bundled sample logs (a few seconds of a small SaaS's day, at 2x).
# Findings go to a store of the demo's own, so the demo never touches ./.tenantwatch.
demo: build
	@rm -f "$(CURDIR)/.build/demo-incidents.sqlite"*
	@cd sample-logs && "$(TENANTWATCH)" replay --config tenantwatch.toml --speed 2 --store "$(CURDIR)/.build/demo-incidents.sqlite"

# Unit tests, then the end-to-end scripts (real PostgreSQL) and the adversarial suite
# (Tests/Adversarial: hostile bundles, secrets, forged log lines) against the debug binary that
# `swift test` has just built (no second, release, compile in CI).
E2E_TENANTWATCH ?= $(CURDIR)/.build/debug/tenantwatch
test: deps-test
	$(SWIFT) test
	TENANTWATCH="$(E2E_TENANTWATCH)" bash Tests/EndToEnd/run.sh
	TENANTWATCH="$(E2E_TENANTWATCH)" bash Tests/Adversarial/run.sh

# Mutation check (not part of `make test`: it rebuilds once per mutant): flips ten chosen conditions
# in the product one at a time and shows the tests that cover each one turn red. The source is
# restored even when interrupted. MUTANTS picks some (`python3 scripts/test-mutants.py --list`).
MUTANTS ?=
test-mutants: deps-test
	python3 scripts/test-mutants.py $(MUTANTS)

# The unit tests under ThreadSanitizer (a build of their own in .build/tsan): the reading threads,
# their hand-over to the correlating one, and the side-by-side rendering of findings. Any report
# fails the run.
tsan: deps-test
	TSAN_OPTIONS="halt_on_error=1" $(SWIFT) test --sanitize=thread --build-path "$(CURDIR)/.build/tsan"

# Only the end-to-end scripts, against the release binary (make build first).
e2e: deps-test
	bash Tests/EndToEnd/run.sh

bench: deps-bench
	$(SWIFT) build -c release --product tenantwatch
	$(SWIFT) build -c release --product TenantWatchBench
	bash scripts/bench.sh

# A production-shaped log (scripts/gen-prod-log.py: ORM traffic, a unique sqlcommenter traceparent
# per statement, pg_dump, checkpoints) beside pgBadger -j 1 and `lnav -n` on the same file, and
# the incident store under a leak storm (scripts/gen-leak-storm.py): scan against scan --store.
bench-prod: deps-bench
	$(SWIFT) build -c release --product tenantwatch
	bash scripts/bench-prod.sh

# Only the live soak: 24 h of log time (10M query-log lines + audit + Redis, rotated every 1M
# lines) through `live`; RSS and lag over time, findings compared with a scan of the same files.
soak: deps-bench
	$(SWIFT) build -c release --product tenantwatch
	bash scripts/soak-live.sh

# libFuzzer targets for the parsers (Fuzz/, a package of its own), each run FUZZ_SECONDS in turn;
# fails naming the input when one crashed, hung or ran out of memory. FUZZ_TARGETS picks some.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz: deps-fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh $(FUZZ_TARGETS)

# Regenerates sample-logs/ from a real throwaway PostgreSQL 15 server.
sample-logs: deps-test
	bash scripts/make-sample-logs.sh

clean:
	rm -rf .build bench-data Fuzz/.build
