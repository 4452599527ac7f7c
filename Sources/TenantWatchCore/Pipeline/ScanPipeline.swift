#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation

/// Reads sources to their end and turns them into findings: the headless path behind `scan`
/// and the benchmark. Stages are wired here and nowhere else:
/// source files → parsers → events (merged by time) → correlator → detectors → aggregation → incidents.
public final class ScanPipeline {
    public typealias ParserFactory = (_ spec: SourceSpec, _ kind: SourceKind, _ file: String) throws -> LogParser

    public private(set) var statistics = IngestStatistics()
    public private(set) var warnings: [String] = []
    public let correlator: Correlator

    private let makeParser: ParserFactory
    private let statementDetectors: [StatementDetector]
    private var requestDetectors: [RequestDetector]
    private var aggregator = FindingAggregator()
    private var cacheKeys: UnscopedCacheKeyDetector
    private var cacheWriters: CacheWriterLedger
    private let hostPatternConfigured: Bool

    /// For the store: keep each new sighting's timeline and the sources' checkpoints (off for
    /// the benchmark and plain `scan`).
    public var storing = false
    /// Checkpoints of an earlier run, by absolute path: a sighting whose evidence lies wholly at
    /// or before its file's checkpoint line (same file: device, inode, head hash) is already stored.
    public var recorded: [String: SourceCheckpoint] = [:]
    /// Where each source file was read to, after `run` (when `storing`).
    public private(set) var checkpoints: [SourceCheckpoint] = []
    private var recordedThrough: [String: Int] = [:]
    /// `live` after a restart: sightings before this log time were stored by the run that
    /// stopped (what is read again before it only rebuilds correlation context), and those
    /// after it that were stored already are named in `storedSightings`.
    public var settledBefore: Int64?
    public var storedSightings: Set<String> = []
    /// How far the stopped run had read each file (by path): only sightings wholly within it can
    /// have been stored; a line appended since is new whatever its time.
    public var readThrough: [String: Int] = [:]
    /// `live`: every counted cache-key sighting is reported as it happens (the store counts
    /// them), since a followed source has no end at which `scan` reports them.
    public var reportsCacheKeysAsSeen = false
    private var newSightings: [(key: String, time: Int64)] = []
    private var fresh = FindingAggregator()
    private var timelines: [String: [TimelineEntry]] = [:]

    public init(configuration: Configuration, model: TenancyModel, makeParser: @escaping ParserFactory,
                statementDetectors: [StatementDetector] = ScanPipeline.defaultStatementDetectors,
                requestDetectors: [RequestDetector] = ScanPipeline.defaultRequestDetectors()) {
        self.makeParser = makeParser
        self.statementDetectors = statementDetectors
        self.requestDetectors = requestDetectors
        self.hostPatternConfigured = configuration.identity.host != nil
        self.cacheKeys = UnscopedCacheKeyDetector(cache: configuration.cache)
        self.cacheWriters = CacheWriterLedger(allowed: configuration.cache.allowed)
        self.correlator = Correlator(model: model, limits: Correlator.Limits(windowSeconds: configuration.correlation.windowSeconds),
                                     knownTenants: configuration.tenancy.tenants)
    }

    public static let defaultStatementDetectors: [StatementDetector] = [
        MissingTenantPredicateDetector(),
        UnconfinedChildAccessDetector(),
        CrossTenantQueryDetector(),
        TenantContextMismatchDetector(),
        LogForgeryDetector(),
    ]

    public static func defaultRequestDetectors() -> [RequestDetector] {
        [CrossTenantResponseDetector(), TokenHostMismatchDetector(), UnresolvedTenantDetector(),
         UnsignedTokenDetector(), RefreshTokenReuseDetector()]
    }

    /// Reads every source, merged in log-time order; a named file that cannot be opened is an error.
    public func run(_ sources: [SourceSpec]) throws {
        var cursors: [SourceCursor] = []
        for spec in sources {
            let files = PathExpansion.expand(spec.path)
            if files.isEmpty { throw SourceError.noMatch(pattern: spec.path) }
            for file in files {
                if let cursor = try open(file: file, spec: spec) { cursors.append(cursor) }
            }
        }
        statistics.files = cursors.count
        correlator.tracksInFlight = cursors.contains { $0.kind == .redis }
        // Parsing runs beside correlation, a thread per source. A glob over a week of rotated
        // files can name hundreds: only the first few read ahead, which bounds threads and memory.
        for c in cursors.prefix(8) { c.startPrefetching() }
        try merge(cursors)
        correlator.finish(emit: detect)
        // Cache-key findings are final only now: a tenant learned late can scope an early key.
        for finding in cacheKeys.findings(knownTenants: correlator.tenants.known) {
            add(finding) { TimelineBuilder.entries(for: finding) }
        }
        for c in cursors {
            statistics.lines += c.lines
            if let failure = c.failure { warnings.append(failure) }
        }
        if storing {
            checkpoints = cursors.compactMap { c in
                SourceCheckpoint.capture(path: ScanPipeline.absolute(c.file), offset: c.bytesRead, lineNumber: c.lines)
            }
        }
    }

    /// Findings in order of first sighting, each with its incident id.
    public func findings() -> [Finding] {
        var grouper = IncidentGrouper()
        let sorted = aggregator.findings.enumerated().sorted { a, b in
            switch (a.element.time, b.element.time) {
            case let (x?, y?) where x != y: return x < y
            default: return a.offset < b.offset
            }
        }
        return sorted.map { pair in
            var f = pair.element
            f.incident = grouper.assign(f)
            return f
        }
    }

    // MARK: incremental use (live, replay)

    /// Called with every sighting as it is found (before aggregation): the dashboard marks the
    /// stream row that caused it.
    public var onFinding: ((Finding) -> Void)?

    /// Feeds one event from a source the caller reads itself (live following, paced replay).
    public func ingest(_ event: Event) {
        handle(event)
    }

    /// The sources went quiet for longer than the correlation window (wall time, in `live`):
    /// statements still waiting for an audit line that is not coming are judged without it.
    public func releaseHeld() {
        correlator.finish(emit: detect)
    }

    /// The caller's sources ended: releases what correlation still holds.
    public func finishInput() {
        correlator.finish(emit: detect)
        for finding in cacheKeys.findings(knownTenants: correlator.tenants.known) {
            add(finding) { TimelineBuilder.entries(for: finding) }
        }
    }

    /// The sightings since the last drain, aggregated, with their timelines (when `storing`): the
    /// store adds them to what it has, so each sighting is counted once.
    public func drainNewFindings() -> [(Finding, [TimelineEntry])] {
        let batch = newFindings()
        fresh = FindingAggregator()
        timelines.removeAll(keepingCapacity: true)
        return batch
    }

    /// The keys of the sightings in the findings drained last, for the store's ledger.
    public func drainNewSightings() -> [(key: String, time: Int64)] {
        defer { newSightings.removeAll(keepingCapacity: true) }
        return newSightings
    }

    /// The log time before which nothing is held any more: every event older has been judged and
    /// its sightings handed out. nil before the first timed event.
    public var settledTime: Int64? {
        guard correlator.watermark != .min else { return nil }
        return min(correlator.oldestHeldTime ?? .max, correlator.watermark)
    }

    /// One sighting's identity: the same event read twice gives the same key.
    public static func sightingKey(_ f: Finding) -> String {
        var text = FindingAggregator.dedupKey(for: f)
        text += "\u{1F}\(f.time?.microseconds ?? 0)\u{1F}\(f.cacheKey ?? "")"
        for e in f.evidence { text += "\u{1F}\(e.file):\(e.line)-\(e.endLine)" }
        return SHA256.hash(data: Array(text.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// Forgets the aggregated findings (after the store has them): a `live` session that runs for
    /// weeks keeps its findings in the store, not in memory.
    public func forgetFindings() {
        aggregator = FindingAggregator()
    }

    /// Sightings not yet in the store (see `recorded`), aggregated, in time order, each with its
    /// timeline; only when `storing`.
    public func newFindings() -> [(Finding, [TimelineEntry])] {
        let sorted = fresh.findings.enumerated().sorted { a, b in
            switch (a.element.time, b.element.time) {
            case let (x?, y?) where x != y: return x < y
            default: return a.offset < b.offset
            }
        }
        return sorted.map { ($0.element, timelines[FindingAggregator.dedupKey(for: $0.element)] ?? []) }
    }

    private func add(_ f: Finding, timeline: () -> [TimelineEntry]) {
        aggregator.absorb(f)
        onFinding?(f)
        guard storing else { return }
        if !f.evidence.isEmpty,
           f.evidence.allSatisfy({ p in recordedThrough[p.file].map { p.endLine <= $0 } ?? false }) { return }
        if let settled = settledBefore {
            let time = f.time?.microseconds ?? .min
            let key = ScanPipeline.sightingKey(f)
            let readBefore = !f.evidence.isEmpty
                && f.evidence.allSatisfy { p in readThrough[p.file].map { p.endLine <= $0 } ?? false }
            if readBefore && (time < settled || storedSightings.contains(key)) { return }
            newSightings.append((key, time))
        }
        fresh.absorb(f)
        let key = FindingAggregator.dedupKey(for: f)
        if timelines[key, default: []].count < 64 { timelines[key, default: []].append(contentsOf: timeline()) }
    }

    static func absolute(_ file: String) -> String {
        guard file != "-", let p = realpath(file, nil) else { return file }
        defer { free(p) }
        return String(cString: p)
    }

    // MARK: reading

    private func open(file: String, spec: SourceSpec) throws -> SourceCursor? {
        let source = try ByteSources.open(path: file)
        if storing, let c = recorded[ScanPipeline.absolute(file)], c.isResumable() { recordedThrough[file] = c.readLine ?? c.lineNumber }
        guard let kind = spec.kind ?? detectKind(file: file) else {
            warnings.append("\(file): cannot tell what kind of log this is; name it with --postgres, --audit or --redis")
            return nil
        }
        do {
            let cursor = SourceCursor(file: file, source: source, parser: try makeParser(spec, kind, file))
            cursor.kind = kind
            return cursor
        } catch let error as UnsupportedSource {
            warnings.append("\(file): \(error.message)")
            return nil
        }
    }

    /// Always takes the earliest pending event; events without a time go first, as read (on a
    /// tie, the source named first).
    ///
    /// Each source's next event is moved out of its cursor and kept here with its time: peeking
    /// into a cursor's batch for the time on every step copied the event there (a retain and a
    /// release of each of its strings, per source, per event).
    private func merge(_ cursors: [SourceCursor]) throws {
        if cursors.count == 1 {
            while let event = try cursors[0].next() { handle(event) }
            return
        }
        var live: [SourceCursor] = []
        var heads: [Event] = []
        var times: [Int64] = []
        for cursor in cursors {
            guard let event = try cursor.next() else { continue }
            times.append(event.time?.microseconds ?? .min)
            heads.append(event)
            live.append(cursor)
        }
        while !heads.isEmpty {
            var best = 0
            var index = 1
            while index < times.count {
                if times[index] < times[best] { best = index }
                index += 1
            }
            var event = Event.moved
            swap(&event, &heads[best])
            handle(event)
            if let next = try live[best].next() {
                times[best] = next.time?.microseconds ?? .min
                heads[best] = next
            } else {
                live.remove(at: best)
                heads.remove(at: best)
                times.remove(at: best)
            }
        }
    }

    private func handle(_ event: consuming Event) {
        statistics.count(event)
        correlator.ingest(event, emit: detect)
    }

    private func detect(_ item: CorrelatedEvent) {
        switch item {
        case .statement(let statement):
            if statement.verdict == .unparseable, !statement.execution.failed {
                statistics.countUnparseable(statement.execution, reason: statement.analysis?.parseError?.message ?? statement.reason)
            }
            for detector in statementDetectors {
                for finding in detector.inspect(statement) {
                    add(finding) { TimelineBuilder.entries(for: finding, statement: statement) }
                }
            }
        case .cache(let command, let request, let tie):
            if reportsCacheKeysAsSeen {
                for finding in cacheKeys.inspectEach(command, knownTenants: correlator.tenants.known) {
                    add(finding) { TimelineBuilder.entries(for: finding) }
                }
            } else {
                _ = cacheKeys.inspect(command, knownTenants: correlator.tenants.known)
            }
            cacheWriters.observe(command, request: request, tie: tie)
        case .request(let request, let statements):
            let chains = cacheWriters.takeReads(for: request)
            let context = RequestDetectionContext(knownTenants: correlator.tenants,
                                                  hostPatternConfigured: hostPatternConfigured,
                                                  statements: statements,
                                                  poisonedReads: chains)
            for i in requestDetectors.indices {
                for finding in requestDetectors[i].inspect(request, context: context) {
                    add(finding) {
                        TimelineBuilder.entries(for: finding, request: request, statements: statements,
                                                cacheChains: finding.kind == .crossTenantResponse ? chains : [])
                    }
                }
            }
        }
    }

    /// Peeks at the first (decompressed) bytes of a file through a descriptor of its own.
    private func detectKind(file: String) -> SourceKind? {
        if file == "-" { return .postgres }
        guard let sample = try? ByteSources.sample(path: file), !sample.isEmpty else { return nil }
        return SourceKindDetector.detect(sample: sample)
    }
}

/// A source kind this build cannot read yet; the pipeline reports it and goes on with the rest.
public struct UnsupportedSource: Error {
    public var message: String
    public init(_ message: String) { self.message = message }
}
