#if canImport(Glibc)
import Glibc
import TenantWatchModel
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
    private let previewDetector: MissingTenantPredicateDetector
    private var requestDetectors: [RequestDetector]
    private var aggregator = FindingAggregator()
    private var cacheKeys: UnscopedCacheKeyDetector
    private var cacheWriters: CacheWriterLedger
    private var judgedRequests = JudgedRequests()
    /// Searches (slow logs, audit lines): judged against `[search]`, one shard line per search.
    private let searchJudge: SearchBodyJudge
    private var searchShards = SearchShardLines()
    /// `live`: findings previews raised, by statement, until the statement comes back.
    private var previewed: [SourcePosition: [Finding]] = [:]
    /// `live`: judge each tagged statement at once as well (see `Correlator.previewsHeldStatements`).
    public var previewsHeldStatements: Bool {
        get { correlator.previewsHeldStatements }
        set { correlator.previewsHeldStatements = newValue }
    }
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
    private var newSightings: [(key: String, time: Int64, finding: String)] = []
    /// The aggregation keys of the findings the last partial drain handed out (nil: all of them).
    private var lastDrained: Set<String>?
    private var fresh = FindingAggregator()
    private var timelines: [String: [TimelineEntry]] = [:]

    public init(configuration: Configuration, model: TenancyModel, makeParser: @escaping ParserFactory,
                statementDetectors: [StatementDetector] = ScanPipeline.defaultStatementDetectors,
                requestDetectors: [RequestDetector] = ScanPipeline.defaultRequestDetectors()) {
        self.makeParser = makeParser
        // The missing-predicate rule names "every tenant of the table" from the config.
        self.statementDetectors = statementDetectors.map { detector in
            detector is MissingTenantPredicateDetector ? MissingTenantPredicateDetector(allTenants: configuration.tenancy.tenants)
                : PrivilegedAccessPolicy.configured(detector, configuration)
        }.map(PrivilegedAccessPolicy.wrap)
        self.previewDetector = MissingTenantPredicateDetector(allTenants: configuration.tenancy.tenants)
        self.requestDetectors = requestDetectors.map { PrivilegedAccessPolicy.wrap(PrivilegedAccessPolicy.configured($0, configuration)) }
        self.hostPatternConfigured = configuration.identity.host != nil
        self.cacheKeys = UnscopedCacheKeyDetector(cache: configuration.cache)
        self.cacheWriters = CacheWriterLedger(allowed: configuration.cache.allowed)
        self.searchJudge = SearchBodyJudge(search: configuration.search)
        self.correlator = Correlator(model: model, limits: Correlator.Limits(windowSeconds: configuration.correlation.windowSeconds),
                                     knownTenants: configuration.tenancy.tenants)
    }

    public static let defaultStatementDetectors: [StatementDetector] = [
        MissingTenantPredicateDetector(),
        UnconfinedChildAccessDetector(),
        CrossTenantQueryDetector(),
        TenantContextMismatchDetector(),
        LogForgeryDetector(),
        UnjudgedStatementDetector(),
        PrivilegedAccessDetector(),
        UnguardedInternalRouteDetector(),
    ]

    public static func defaultRequestDetectors() -> [RequestDetector] {
        [CrossTenantResponseDetector(), TokenHostMismatchDetector(), UnresolvedTenantDetector(),
         UnsignedTokenDetector(), RefreshTokenReuseDetector(), PrivilegedAccessDetector(), UnguardedInternalRouteDetector()]
    }

    /// Reads every source, merged in log-time order; a named file that cannot be opened is an error.
    public func run(_ sources: [SourceSpec]) throws {
        var cursors: [SourceCursor] = []
        var opened: Set<String> = []
        for spec in sources {
            let files = PathExpansion.expand(spec.path)
            if files.isEmpty { throw SourceError.noMatch(pattern: spec.path) }
            for file in files {
                // One line is one sighting however often it is named (`a.log` and a glob matching it).
                if file != "-", !opened.insert(ScanPipeline.absolute(file)).inserted {
                    warnings.append("\(file): named more than once; read once")
                    continue
                }
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
            add(finding) { TimelineBuilder.entries(for: finding, evidenceTimes: cacheKeys.evidenceTimes(pattern: finding.fingerprint)) }
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
            add(finding) { TimelineBuilder.entries(for: finding, evidenceTimes: cacheKeys.evidenceTimes(pattern: finding.fingerprint)) }
        }
    }

    /// The sightings since the last drain, aggregated, with their timelines (when `storing`): the
    /// store adds them to what it has, so each sighting is counted once.
    ///
    /// `settled`: only findings first seen before this log time go out; the rest wait for a
    /// later drain. The store numbers incidents as findings reach it, so handing them over only
    /// once nothing older can still come makes the ids follow log time (`scan`, `replay` at any
    /// speed and `live` number alike), not the order correlation happened to release them in.
    public func drainNewFindings(settled: Int64? = nil) -> [(Finding, [TimelineEntry])] {
        let batch = newFindings()
        guard let settled else {
            fresh = FindingAggregator()
            timelines.removeAll(keepingCapacity: true)
            lastDrained = nil
            return batch
        }
        var out: [(Finding, [TimelineEntry])] = []
        var kept = FindingAggregator()
        var keptTimelines: [String: [TimelineEntry]] = [:]
        var drained: Set<String> = []
        for (finding, timeline) in batch {
            let key = FindingAggregator.dedupKey(for: finding)
            if (finding.time?.microseconds ?? .min) < settled {
                out.append((finding, timeline))
                drained.insert(key)
            } else {
                kept.absorb(finding)
                keptTimelines[key] = timelines[key]
            }
        }
        fresh = kept
        timelines = keptTimelines
        lastDrained = drained
        return out
    }

    /// Sightings found but not yet handed to the store (see `drainNewFindings(settled:)`),
    /// aggregated, in time order.
    public func pendingFindings() -> [Finding] {
        newFindings().map(\.0)
    }

    /// The keys of the sightings in the findings drained last, for the store's ledger.
    public func drainNewSightings() -> [(key: String, time: Int64)] {
        guard let drained = lastDrained else {
            defer { newSightings.removeAll(keepingCapacity: true) }
            return newSightings.map { ($0.key, $0.time) }
        }
        let out = newSightings.filter { drained.contains($0.finding) }
        newSightings.removeAll { drained.contains($0.finding) }
        return out.map { ($0.key, $0.time) }
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
            newSightings.append((key, time, FindingAggregator.dedupKey(for: f)))
        }
        fresh.absorb(f)
        let key = FindingAggregator.dedupKey(for: f)
        if timelines[key, default: []].count < 64 { timelines[key, default: []].append(contentsOf: timeline()) }
    }

    /// For a caller that opens the files itself (`replay`): sightings wholly at or before each
    /// file's stored checkpoint (same file: device, inode, head hash) are in the store already, so
    /// replaying archives into a store a second time adds nothing.
    public func useRecordedCheckpoints(for files: [String]) {
        for file in files {
            if let c = recorded[ScanPipeline.absolute(file)], c.isResumable() { recordedThrough[file] = c.readLine ?? c.lineNumber }
        }
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
            warnings.append("\(file): cannot tell what kind of log this is; name it with --postgres, --audit, --redis or --search")
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

    /// Hands every event to correlation in log-time order through the one merge of every mode
    /// (`TimeOrderedMerge`: precision-aware keys, the stderr reader's lateness put right).
    private func merge(_ cursors: [SourceCursor]) throws {
        if cursors.count == 1 {
            while let event = try cursors[0].next() { handle(event) }
            return
        }
        var merge = TimeOrderedMerge(orders: cursors.map(\.mergeOrder))
        while let event = try merge.next(pull: { try cursors[$0].next() }) {
            handle(event)
        }
    }

    private func handle(_ event: consuming Event) {
        statistics.count(event)
        // A cache write is noted as it is read, before correlation ties it to its request: a
        // read after it must not be blamed on an older write (see `CacheWriterLedger`).
        if correlator.tracksInFlight, case .cacheCommand(let command) = event, command.access == .write {
            cacheWriters.notePending(command)
        }
        correlator.ingest(event, emit: detect)
    }

    private func detect(_ item: CorrelatedEvent) {
        switch item {
        case .preview(let statement):
            for finding in previewDetector.inspect(statement) {
                add(finding) { TimelineBuilder.entries(for: finding, statement: statement) }
                previewed[statement.execution.position, default: []].append(finding)
            }
        case .statement(let statement):
            let preview = previewed.isEmpty ? nil : previewed.removeValue(forKey: statement.execution.position)
            if let preview {
                detectPreviewed(statement, preview: preview)
                return
            }
            if statement.verdict == .unparseable, !statement.execution.failed {
                statistics.countUnparseable(statement.execution, reason: statement.analysis?.parseError?.message ?? statement.reason)
            }
            if statement.request == nil, !(statement.tags.requestID ?? "").isEmpty || statement.tags.traceID != nil {
                // Tagged, yet released without its request: the audit line never came in the window.
                statistics.unmatchedStatements += 1
                statistics.droppedForCapacity = correlator.statistics.droppedForCapacity
            }
            for detector in statementDetectors {
                for finding in detector.inspect(statement) {
                    add(finding) { TimelineBuilder.entries(for: finding, statement: statement) }
                }
            }
        case .cache(let command, let request, let tie):
            if reportsCacheKeysAsSeen {
                for finding in cacheKeys.inspectEach(command, knownTenants: correlator.tenants.known) {
                    add(finding) { TimelineBuilder.entries(for: finding, evidenceTimes: [command.position: command.time]) }
                }
            } else {
                _ = cacheKeys.inspect(command, knownTenants: correlator.tenants.known)
            }
            if request == nil, command.access == .read || command.access == .write { statistics.untiedCacheCommands += 1 }
            cacheWriters.observe(command, request: request, tie: tie)
            if let request, command.access == .read, let judged = judgedRequests.lookup(request) {
                judgeLateCacheRead(judged.request, statements: judged.statements)
            }
            // A write that reached the ledger after reads it preceded (the writer's request
            // answered after the reader's): the readers already judged are judged for the chain.
            for reader in cacheWriters.takeLateReaders() {
                if let judged = judgedRequests.lookup(reader) { judgeLateCacheRead(judged.request, statements: judged.statements) }
            }
        case .search(let query, let request):
            guard searchShards.isFirst(query) else {
                statistics.searchShardRepeats = searchShards.repeats
                return
            }
            for judged in searchJudge.judge(query) {
                for finding in SearchLeakDetector.inspect(judged, request: request) {
                    add(finding) {
                        TimelineBuilder.entries(for: finding, evidenceTimes: query.time.map { [query.position: $0] } ?? [:])
                    }
                }
            }
        case .request(let request, let statements, let statementTimes):
            let chains = cacheWriters.takeReads(for: request)
            if request.responseTenantsLogged {
                statistics.contradictedTies += chains.filter { !$0.isExact && !request.responseTenants.contains($0.writer.tenant) }.count
            }
            if correlator.tracksInFlight {
                judgedRequests.remember(request, statements: statements, now: correlator.watermark, window: correlator.limits.window)
            }
            let context = RequestDetectionContext(knownTenants: correlator.tenants,
                                                  hostPatternConfigured: hostPatternConfigured,
                                                  statements: statements,
                                                  poisonedReads: chains)
            for i in requestDetectors.indices {
                for finding in requestDetectors[i].inspect(request, context: context) {
                    if finding.kind == .crossTenantResponse { judgedRequests.markReported(request) }
                    add(finding) {
                        TimelineBuilder.entries(for: finding, request: request, statements: statements,
                                                statementTimes: statementTimes, cacheChains: finding.kind == .crossTenantResponse || finding.kind == .suspectedCrossTenantResponse ? chains : [])
                    }
                }
            }
        }
    }

    /// Peeks at the first (decompressed) bytes of a file through a descriptor of its own.
    /// A statement whose preview raised findings comes back (with its request, or released
    /// without): each finding the preview raised is replaced by the enriched one, not counted
    /// again; findings only the request makes possible are added.
    private func detectPreviewed(_ statement: AnalyzedStatement, preview: [Finding]) {
        if statement.verdict == .unparseable, !statement.execution.failed {
            statistics.countUnparseable(statement.execution, reason: statement.analysis?.parseError?.message ?? statement.reason)
        }
        if statement.request == nil, !(statement.tags.requestID ?? "").isEmpty || statement.tags.traceID != nil {
            statistics.unmatchedStatements += 1
        }
        for detector in statementDetectors {
            for finding in detector.inspect(statement) {
                // A preview withheld once the request shows a privileged caller becomes the access record.
                if let old = preview.first(where: { $0.kind == finding.kind || finding.kind == .privilegedAccess }) {
                    replace(old, with: finding) { TimelineBuilder.entries(for: finding, statement: statement) }
                } else {
                    add(finding) { TimelineBuilder.entries(for: finding, statement: statement) }
                }
            }
        }
    }

    /// `add` for an enriched preview: the same sighting, so no count is raised anywhere.
    private func replace(_ old: Finding, with new: Finding, timeline: () -> [TimelineEntry]) {
        aggregator.replace(old, with: new)
        onFinding?(new)
        guard storing, fresh.contains(old) else { return }
        fresh.replace(old, with: new)
        let oldKey = FindingAggregator.dedupKey(for: old)
        let newKey = FindingAggregator.dedupKey(for: new)
        timelines.removeValue(forKey: oldKey)
        timelines[newKey, default: []].append(contentsOf: timeline())
        if settledBefore != nil, let i = newSightings.firstIndex(where: { $0.key == ScanPipeline.sightingKey(old) }) {
            // The ledger names the sighting by both keys: after a kill, the lines read again raise
            // the preview first (under its own key), and only a preview known as stored is not
            // counted again when its request comes and it is enriched (`replace` finds no `old`).
            let time = newSightings[i].time
            let (oldSighting, newSighting) = (ScanPipeline.sightingKey(old), ScanPipeline.sightingKey(new))
            newSightings[i] = (newSighting, time, newKey)
            if oldSighting != newSighting { newSightings.append((oldSighting, time, newKey)) }
        }
    }

    /// A cache read tied (exactly) to a request whose audit line was judged already: in `live` a
    /// Redis log written a second behind the others delivers its `GET` after the response it
    /// fed. The chain is judged now, as `scan` judges it with the request, so no mode loses the
    /// leak; a request already reported as a cross-tenant response is not reported twice.
    private func judgeLateCacheRead(_ request: AuditRequest, statements: [SourcePosition]) {
        let chains = cacheWriters.takeReads(for: request)
        guard !chains.isEmpty, !judgedRequests.wasReported(request) else { return }
        if request.responseTenantsLogged {
            statistics.contradictedTies += chains.filter { !$0.isExact && !request.responseTenants.contains($0.writer.tenant) }.count
        }
        let context = RequestDetectionContext(knownTenants: correlator.tenants, hostPatternConfigured: hostPatternConfigured,
                                              statements: statements, poisonedReads: chains)
        var detector = PrivilegedAccessPolicy.wrap(CrossTenantResponseDetector())
        for finding in detector.inspect(request, context: context) {
            if finding.kind == .crossTenantResponse { judgedRequests.markReported(request) }
            add(finding) {
                TimelineBuilder.entries(for: finding, request: request, statements: statements, cacheChains: chains)
            }
        }
    }

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
