import Foundation
import Testing
@testable import TenantWatchCore

/// The pipeline's side of `scan --store`: new sightings with their timelines, the checkpoints of
/// what was read, and nothing at or before a stored checkpoint counted as new again.
@Suite struct ScanPipelineStoreTests {
    static let sampleLogs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sample-logs").path

    func copySamples(to dir: TempDir) throws -> Configuration {
        for name in ["postgresql.log", "schema.sql", "tenantwatch.toml"] {
            try FileManager.default.copyItem(atPath: Self.sampleLogs + "/" + name, toPath: dir.file(name))
        }
        var configuration = try ConfigurationLoader.load(path: dir.file("tenantwatch.toml"))
        // The PostgreSQL log alone: its two findings are the ones this test follows.
        configuration.sources = configuration.sources.filter { $0.kind == .postgres }
        return configuration
    }

    func scan(_ configuration: Configuration, recorded: [String: SourceCheckpoint]) throws -> ScanPipeline {
        let pipeline = ScanPipeline(configuration: configuration, model: try TenancyModel(configuration: configuration),
                                    makeParser: ParserFactory(configuration: configuration).make)
        pipeline.storing = true
        pipeline.recorded = recorded
        try pipeline.run(configuration.sources)
        return pipeline
    }

    @Test func rescanRecordsOnlyWhatIsNew() throws {
        let dir = TempDir()
        let configuration = try copySamples(to: dir)
        let store = try IncidentStore(path: dir.file("state/incidents.sqlite"))

        let first = try scan(configuration, recorded: [:])
        let batch = first.newFindings()
        #expect(batch.map(\.0.kind) == [.crossTenantQuery, .missingTenantPredicate])
        #expect(batch.allSatisfy { entries in entries.1.contains { $0.kind == .statement } && entries.1.last?.kind == .finding })
        let lines = try String(contentsOfFile: dir.file("postgresql.log"), encoding: .utf8).split(separator: "\n").count
        #expect(first.checkpoints.count == 1 && first.checkpoints.first?.lineNumber == lines)
        try store.commit(findings: batch, checkpoints: first.checkpoints)

        let recorded = Dictionary(uniqueKeysWithValues: try store.checkpoints().map { ($0.key, $0.value) })
        let second = try scan(configuration, recorded: recorded)
        #expect(second.newFindings().isEmpty)
        #expect(second.findings().count == 2)

        // The export job's leak again, appended: only that sighting is new.
        let log = dir.file("postgresql.log")
        let text = try String(contentsOfFile: log, encoding: .utf8)
        let leak = try #require(text.split(separator: "\n").first { $0.contains("SELECT * FROM invoices ORDER BY id") })
        // The same line, an hour after the log's end (the timestamp is the first 23 bytes).
        let lastStamp = String(text.split(separator: "\n").last!.prefix(23))
        let hour = Int(lastStamp.dropFirst(11).prefix(2))!
        let later = lastStamp.prefix(11) + String(format: "%02d", (hour + 1) % 24) + lastStamp.dropFirst(13)
        let again = String(later) + leak.dropFirst(23)
        try (text + again + "\n").write(toFile: log, atomically: false, encoding: .utf8)
        let third = try scan(configuration, recorded: recorded)
        let fresh = third.newFindings()
        #expect(fresh.count == 1 && fresh.first?.0.evidence.first?.line == lines + 1)
        try store.commit(findings: fresh, checkpoints: third.checkpoints)
        #expect(try store.incident("INC-0002").findings.first?.count == 2)
        #expect(try store.incidents().count == 2)
        #expect(try store.checkpoints().first?.value.lineNumber == lines + 1)
    }
}
