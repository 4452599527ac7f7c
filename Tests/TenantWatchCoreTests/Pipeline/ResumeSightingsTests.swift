import Foundation
import Testing
@testable import TenantWatchCore

/// What `live` relies on after `kill -9`: reading lines again from a window back records only the
/// sightings the stopped run had not stored, and the ones it had (by key, or settled by time) not again.
@Suite struct ResumeSightingsTests {
    func pipeline(_ dir: TempDir) throws -> (ScanPipeline, Configuration) {
        let samples = ScanPipelineStoreTests.sampleLogs
        for name in ["postgresql.log", "schema.sql", "tenantwatch.toml"] {
            try FileManager.default.copyItem(atPath: samples + "/" + name, toPath: dir.file(name))
        }
        var configuration = try ConfigurationLoader.load(path: dir.file("tenantwatch.toml"))
        configuration.sources = configuration.sources.filter { $0.kind == .postgres }
        let p = ScanPipeline(configuration: configuration, model: try TenancyModel(configuration: configuration),
                             makeParser: ParserFactory(configuration: configuration).make)
        p.storing = true
        return (p, configuration)
    }

    @Test func readingAgainRecordsEachSightingOnce() throws {
        let dir = TempDir()
        let (first, configuration) = try pipeline(dir)
        first.settledBefore = .min
        try first.run(configuration.sources)
        let batch = first.drainNewFindings()
        let keys = first.drainNewSightings()
        #expect(batch.count == 2 && keys.count == 2)
        #expect(Set(keys.map(\.key)).count == 2)
        #expect(first.settledTime != nil)

        // The same lines again, with the ledger of what was stored: nothing new.
        let (again, _) = try pipeline(TempDir())
        again.settledBefore = .min
        again.storedSightings = Set(keys.map(\.key))
        try again.run(configuration.sources)
        #expect(again.drainNewFindings().isEmpty)
        #expect(again.findings().count == 2)   // still seen (the dashboard marks them), not stored

        // Settled by time: sightings older than the settled time only rebuild context.
        let (late, _) = try pipeline(TempDir())
        let times = keys.map(\.time).sorted()
        late.settledBefore = times[1]
        try late.run(configuration.sources)
        let rest = late.drainNewSightings()
        #expect(rest.map(\.time) == [times[1]])
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
