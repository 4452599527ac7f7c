import Foundation
import Testing
@testable import TenantWatchCore

/// Issue 14, "one answer whatever the mode": the sample logs driven through `scan` (stderr,
/// csvlog, jsonlog), a replay (`MergedEventReader`, event by event into the pipeline, with the
/// store committing twice a second as the dashboard does) and a `live`-like feed whose Redis log
/// arrives 1.5 s behind the others give the same findings with the same incident ids.
@Suite struct OneAnswerTests {
    static let sampleLogs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sample-logs").path

    enum PostgresFile: String, CaseIterable {
        case stderr = "postgresql.log", csvlog = "postgresql.csv", jsonlog = "postgresql.json"
    }

    func configuration(_ file: PostgresFile = .stderr) throws -> Configuration {
        var configuration = try ConfigurationLoader.load(path: Self.sampleLogs + "/tenantwatch.toml")
        for i in configuration.sources.indices where configuration.sources[i].kind == .postgres {
            configuration.sources[i].path = Self.sampleLogs + "/" + file.rawValue
            switch file {
            case .stderr: break
            case .csvlog: configuration.sources[i].format = .csvlog
            case .jsonlog: configuration.sources[i].format = .jsonlog
            }
        }
        return configuration
    }

    func pipeline(_ configuration: Configuration) throws -> ScanPipeline {
        ScanPipeline(configuration: configuration, model: try TenancyModel(configuration: configuration),
                     makeParser: ParserFactory(configuration: configuration).make)
    }

    /// What must agree: incident, kind, severity, who, what (not evidence line numbers, which
    /// differ between formats).
    static func signature(_ findings: [Finding]) -> [String] {
        findings.map { f in
            "\(f.incident ?? "-") \(f.kind.rawValue) \(f.severity.rawValue) req=\(f.requestID ?? "-") "
                + "\(f.callerTenant ?? "?")->\(f.accessedTenants.joined(separator: ",")) key=\(f.cacheKey ?? "-") count=\(f.count)"
        }.sorted()
    }

    func scanned(_ file: PostgresFile) throws -> [Finding] {
        let p = try pipeline(try configuration(file))
        try p.run(try configuration(file).sources)
        return p.findings()
    }

    @Test func scanOfEveryFormatGivesTheSameFindings() throws {
        let stderr = try scanned(.stderr)
        #expect(stderr.count == 9)
        #expect(stderr.contains { $0.kind == .crossTenantResponse && $0.cacheKey == "project:1041" && $0.severity == .critical })
        // The export job's missing predicate names its exposed scope: every configured tenant.
        let export = try #require(stderr.first { $0.kind == .missingTenantPredicate })
        #expect(export.accessedTenants == ["acme", "globex", "initech"])
        #expect(export.message.contains("exposed: all tenants of invoices"))
        for file in [PostgresFile.csvlog, .jsonlog] {
            #expect(Self.signature(try scanned(file)) == Self.signature(stderr), "\(file)")
        }
    }

    /// Every event of `sources`, in the merge's order.
    func events(_ configuration: Configuration, _ sources: [SourceSpec]) throws -> [Event] {
        let factory = ParserFactory(configuration: configuration)
        let reader = try MergedEventReader(sources: sources) { spec, kind, file in try factory.make(spec: spec, kind: kind, file: file) }
        var out: [Event] = []
        while let e = try reader.next() { out.append(e) }
        return out
    }

    /// Feeds `events` one by one, committing to a store every `commitEvery` events as the
    /// dashboard does twice a second; returns the store's incident id of every finding.
    func fed(_ events: [Event], _ configuration: Configuration, commitEvery: Int, previews: Bool = false) throws -> (findings: [Finding], stored: [String]) {
        let dir = TempDir()
        let store = try IncidentStore(path: dir.file("incidents.sqlite"))
        let p = try pipeline(configuration)
        p.storing = true
        p.previewsHeldStatements = previews
        for (i, e) in events.enumerated() {
            p.ingest(e)
            if i % commitEvery == 0 { _ = try store.commit(findings: p.drainNewFindings(settled: p.settledTime)) }
        }
        p.finishInput()
        _ = try store.commit(findings: p.drainNewFindings(settled: nil))
        let findings = p.findings()
        var stored: [String] = []
        for f in findings {
            stored.append("\(try store.incidentID(for: f) ?? "none") \(f.kind.rawValue) req=\(f.requestID ?? "-")")
        }
        return (findings, stored.sorted())
    }

    static func ids(_ findings: [Finding]) -> [String] {
        findings.map { "\($0.incident ?? "none") \($0.kind.rawValue) req=\($0.requestID ?? "-")" }.sorted()
    }

    @Test func replayGivesScansFindingsAndIncidentIds() throws {
        let configuration = try configuration()
        let scan = try scanned(.stderr)
        let replay = try fed(try events(configuration, configuration.sources), configuration, commitEvery: 5)
        #expect(Self.signature(replay.findings) == Self.signature(scan))
        #expect(replay.stored == Self.ids(scan), "the store numbers incidents in log-time order")
    }

    /// Cause 4 of issue 14: the Redis log appended 1.5 s behind the others. Each event arrives
    /// at its log time (+1.5 s for Redis) and is handed on by the live merge at once.
    @Test func liveWithTheRedisLogLateLosesNothing() throws {
        let configuration = try configuration()
        let others = try events(configuration, configuration.sources.filter { $0.kind != .redis })
        let redis = try events(configuration, configuration.sources.filter { $0.kind == .redis })
        #expect(!redis.isEmpty)
        func arrival(_ e: Event, late: Int64) -> Int64 { (e.time?.microseconds ?? 0) + late }
        var arrivals = others.map { (arrival($0, late: 0), 0, $0) } + redis.map { (arrival($0, late: 1_500_000), 1, $0) }
        arrivals.sort { $0.0 < $1.0 }
        var merge = TimeOrderedMerge(orders: [MergeOrder.typical(for: .postgres), MergeOrder.typical(for: .redis)])
        var order: [Event] = []
        for (_, source, event) in arrivals {
            merge.append([event], source: source, behind: false)
            merge.drain { order.append($0) }
        }
        let live = try fed(order, configuration, commitEvery: 3, previews: true)
        let scan = try scanned(.stderr)
        #expect(live.findings.contains { $0.kind == .crossTenantResponse && $0.cacheKey == "project:1041" })
        #expect(Self.signature(live.findings) == Self.signature(scan))
        #expect(Self.ids(live.findings) == Self.ids(scan))
        #expect(live.stored == Self.ids(scan))
    }

    /// One line is one sighting however often it is named: the same log twice (by path and by a
    /// glob matching it) is read once, in `scan` and in `replay`, and the run says so.
    @Test func aFileNamedTwiceIsReadOnce() throws {
        var configuration = try configuration()
        let once = try scanned(.stderr)
        let postgres = try #require(configuration.sources.first { $0.kind == .postgres })
        var glob = postgres
        glob.path = Self.sampleLogs + "/postgresql.l?g"
        configuration.sources.append(glob)
        let p = try pipeline(configuration)
        try p.run(configuration.sources)
        #expect(Self.signature(p.findings()) == Self.signature(once))
        #expect(p.warnings.contains { $0.contains("named more than once") })
        let factory = ParserFactory(configuration: configuration)
        let reader = try MergedEventReader(sources: configuration.sources) { s, k, f in try factory.make(spec: s, kind: k, file: f) }
        #expect(reader.files.count == 3)
        #expect(reader.warnings.contains { $0.contains("named more than once") })
    }

    /// Cause 5 of issue 14: four replays of the sample logs into one store made INC-0008
    /// `occurrences: 4`. Replaying (or scanning) the same files again adds nothing.
    @Test func replayingTheSameFilesIntoAStoreAgainAddsNothing() throws {
        let configuration = try configuration()
        let dir = TempDir()
        let store = try IncidentStore(path: dir.file("incidents.sqlite"))
        func replayOnce() throws -> [String] {
            let factory = ParserFactory(configuration: configuration)
            let reader = try MergedEventReader(sources: configuration.sources) { spec, kind, file in try factory.make(spec: spec, kind: kind, file: file) }
            let p = try pipeline(configuration)
            p.storing = true
            p.recorded = Dictionary(try store.checkpoints().map { ($0.value.path, $0.value) }, uniquingKeysWith: { a, _ in a })
            p.useRecordedCheckpoints(for: reader.files)
            while let e = try reader.next() { p.ingest(e) }
            p.finishInput()
            _ = try store.commit(findings: p.drainNewFindings(), checkpoints: reader.checkpoints)
            return try store.incidents().map { "\($0.id) \($0.findingCount) \($0.occurrences)" }.sorted()
        }
        let first = try replayOnce()
        #expect(first.count == 8)
        for _ in 0..<3 { #expect(try replayOnce() == first) }
        // And a scan into the same store after the replays adds nothing either.
        let p = try pipeline(configuration)
        p.storing = true
        p.recorded = Dictionary(try store.checkpoints().map { ($0.value.path, $0.value) }, uniquingKeysWith: { a, _ in a })
        try p.run(configuration.sources)
        #expect(p.newFindings().isEmpty)
    }
}

/// Issue 14's timeline defects: Redis and audit rows had no time (`--:--:--.---`, sorted first)
/// and a `session_setting` entry pointed at no line.
@Suite struct SampleTimelineTests {
    @Test func everyTimelineEntryOfTheSampleHasATimeAndTheSessionSettingItsSetLine() throws {
        let configuration = try ConfigurationLoader.load(path: OneAnswerTests.sampleLogs + "/tenantwatch.toml")
        let dir = TempDir()
        let store = try IncidentStore(path: dir.file("incidents.sqlite"))
        let p = ScanPipeline(configuration: configuration, model: try TenancyModel(configuration: configuration),
                             makeParser: ParserFactory(configuration: configuration).make)
        p.storing = true
        try p.run(configuration.sources)
        _ = try store.commit(findings: p.drainNewFindings())
        var sessionSettings = 0
        for incident in try store.incidents() {
            let detail = try store.incident(incident.id)
            for e in detail.timeline {
                #expect(e.time != nil, "\(incident.id) \(e.kind.rawValue) \(e.position?.description ?? "-") has no time")
                if e.kind == .sessionSetting {
                    sessionSettings += 1
                    let p = try #require(e.position)
                    let lines = try String(contentsOfFile: p.file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
                    #expect(lines[p.line - 1].contains("SET app.current_tenant"), "\(lines[p.line - 1])")
                }
            }
            let times = detail.timeline.compactMap(\.time)
            #expect(times == times.sorted(), "\(incident.id) timeline in time order")
        }
        #expect(sessionSettings >= 1)
    }
}
