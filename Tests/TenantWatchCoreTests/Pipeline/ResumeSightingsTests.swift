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

    /// `kill -9` between two commits whose settled times fall back (the sources went quiet, so
    /// everything was released and settled; then lines flowed again): the first stored both
    /// sightings, the second saved an earlier settled time. The restart reads the lines again
    /// from the store's checkpoints and ledger and records nothing new. (Forgetting the ledger up
    /// to each commit's own settled time counted the later sighting a second time.)
    @Test func aKillAfterTheSettledTimeFellBackRecordsNothingTwice() throws {
        let dir = TempDir()
        let configuration = try configuration(in: dir)
        let log = configuration.sources[0].path
        let lines = try String(contentsOfFile: dir.file("postgresql.log"), encoding: .utf8).split(separator: "\n").count
        let store = try IncidentStore(path: dir.file("state.sqlite"))
        func checkpoint(settled: Int64) -> SourceCheckpoint {
            var c = SourceCheckpoint(path: log, device: 1, inode: 2, offset: 0, lineNumber: 1, headHash: 3, headLength: 0)
            c.readLine = lines
            c.settledBefore = settled == .min ? nil : settled
            return c
        }

        let first = try pipeline(configuration)
        first.settledBefore = .min
        try first.run(configuration.sources)
        let times = first.pendingFindings().compactMap { $0.time?.microseconds }.sorted()
        #expect(times.count == 2)
        let window: Int64 = 2_000_000
        var progress = SettledProgress(fallBack: window + CheckpointHistory().parserMargin)
        // Commit A: quiet, everything released and settled just after the newest sighting.
        let a = progress.commit(settled: times[1] + 1)
        let batch = first.drainNewFindings(settled: a.settled)
        let stored = first.drainNewSightings()
        #expect(batch.count == 2 && stored.count == 2)
        _ = try store.commit(findings: batch, checkpoints: [checkpoint(settled: a.settled)],
                             sightings: SightingBatch(added: stored, forgetBefore: a.forgetBefore))
        // Commit B: lines flow again, the estimate falls back a window (before the newest sighting).
        let b = progress.commit(settled: times[1] + 1 - window)
        #expect(b.settled <= times[1])
        #expect(first.drainNewFindings(settled: b.settled).isEmpty)
        _ = try store.commit(findings: [], checkpoints: [checkpoint(settled: b.settled)],
                             sightings: SightingBatch(added: first.drainNewSightings(), forgetBefore: b.forgetBefore))

        // Killed here. The restart, as `live` makes it from the store:
        let resumed = LiveResume(sources: configuration.sources, stored: try store.checkpoints())
        #expect(resumed.settledBefore == b.settled)
        let again = try pipeline(configuration)
        again.settledBefore = try #require(resumed.settledBefore)
        again.storedSightings = try store.sightingKeys()
        again.readThrough = resumed.readThrough
        try again.run(configuration.sources)
        #expect(again.drainNewFindings().isEmpty)
        #expect(again.drainNewSightings().isEmpty)
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
