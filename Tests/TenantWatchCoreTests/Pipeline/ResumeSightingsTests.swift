import Foundation
import Testing
@testable import TenantWatchCore

/// What `live` relies on after `kill -9`: reading lines again from a window back records only the
/// sightings the stopped run had not stored, and the ones it had (by key, or settled by time) not again.
@Suite struct ResumeSightingsTests {
    func configuration(in dir: TempDir) throws -> Configuration {
        let samples = ScanPipelineStoreTests.sampleLogs
        for name in ["postgresql.log", "schema.sql", "tenantwatch.toml"] {
            try FileManager.default.copyItem(atPath: samples + "/" + name, toPath: dir.file(name))
        }
        var configuration = try ConfigurationLoader.load(path: dir.file("tenantwatch.toml"))
        configuration.sources = configuration.sources.filter { $0.kind == .postgres }
        return configuration
    }

    func pipeline(_ configuration: Configuration) throws -> ScanPipeline {
        let p = ScanPipeline(configuration: configuration, model: try TenancyModel(configuration: configuration),
                             makeParser: ParserFactory(configuration: configuration).make)
        p.storing = true
        return p
    }

    @Test func readingAgainRecordsEachSightingOnce() throws {
        let dir = TempDir()
        let configuration = try configuration(in: dir)
        let log = configuration.sources[0].path
        let lines = try String(contentsOfFile: dir.file("postgresql.log"), encoding: .utf8).split(separator: "\n").count

        let first = try pipeline(configuration)
        first.settledBefore = .min
        try first.run(configuration.sources)
        let batch = first.drainNewFindings()
        let keys = first.drainNewSightings()
        #expect(batch.count == 2 && keys.count == 2)
        #expect(Set(keys.map(\.key)).count == 2)
        #expect(first.settledTime != nil)

        // The same lines again, with the ledger of what was stored: nothing new.
        let again = try pipeline(configuration)
        again.settledBefore = .min
        again.storedSightings = Set(keys.map(\.key))
        again.readThrough = [log: lines]
        try again.run(configuration.sources)
        #expect(again.drainNewFindings().isEmpty)
        #expect(again.findings().count == 2)   // still seen (the dashboard marks them), not stored

        // Settled by time: sightings older than the settled time only rebuild context.
        let late = try pipeline(configuration)
        let times = keys.map(\.time).sorted()
        late.settledBefore = times[1]
        late.readThrough = [log: lines]
        try late.run(configuration.sources)
        #expect(late.drainNewSightings().map(\.time) == [times[1]])

        // Lines the stopped run never read are new, whatever their time.
        let unread = try pipeline(configuration)
        unread.settledBefore = .max
        unread.storedSightings = Set(keys.map(\.key))
        unread.readThrough = [log: 1]
        try unread.run(configuration.sources)
        #expect(unread.drainNewSightings().count == 2)
    }

    @Test func theSightingKeyNamesTheEventNotTheRun() {
        let f = Finding(kind: .missingTenantPredicate, severity: .high, time: Timestamp(microseconds: 7), message: "m",
                        fingerprint: "fp", evidence: [SourcePosition(file: "pg.log", line: 3)])
        var g = f
        #expect(ScanPipeline.sightingKey(f) == ScanPipeline.sightingKey(g))
        g.evidence = [SourcePosition(file: "pg.log", line: 4)]
        #expect(ScanPipeline.sightingKey(f) != ScanPipeline.sightingKey(g))
        g = f
        g.time = Timestamp(microseconds: 8)
        #expect(ScanPipeline.sightingKey(f) != ScanPipeline.sightingKey(g))
    }
}
