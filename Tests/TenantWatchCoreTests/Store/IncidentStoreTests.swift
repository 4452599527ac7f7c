import Foundation
import Testing
@testable import TenantWatchCore
import TenantWatchTestSupport

/// A fresh directory per test, removed at the end.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "tw-store-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
}

@Suite struct IncidentStoreTests {
    func finding(_ kind: FindingKind = .missingTenantPredicate, fingerprint: String = "fp1", at seconds: Int64,
                 severity: Severity = .high, line: Int = 1, caller: String? = "acme", tenants: [String] = ["globex"]) -> Finding {
        Finding(kind: kind, severity: severity, time: Timestamp(microseconds: seconds * 1_000_000), message: "leak \(fingerprint)",
                callerTenant: caller, accessedTenants: tenants, tables: ["invoices"], application: "billing",
                statement: "SELECT * FROM invoices", fingerprint: fingerprint,
                evidence: [SourcePosition(file: "pg.log", line: line)])
    }

    func fixedClock() -> @Sendable () -> Timestamp { { Timestamp(microseconds: 1_800_000_000_000_000) } }

    @Test func migratesANewFileInNestedDirectories() throws {
        let dir = TempDir()
        let path = dir.file("a/b/incidents.sqlite")
        let store = try IncidentStore(path: path)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try store.incidents().isEmpty)
        #expect(try store.checkpoints().isEmpty)
        // Reopening an already migrated file is a no-op.
        _ = try IncidentStore(path: path)
    }

    @Test func numberingContinuesAfterReopen() throws {
        let dir = TempDir()
        let path = dir.file("s.sqlite")
        do {
            let store = try IncidentStore(path: path)
            #expect(try store.record(finding(fingerprint: "a", at: 0)).incidentID == "INC-0001")
            #expect(try store.record(finding(fingerprint: "b", at: 1)).incidentID == "INC-0002")
        }
        let reopened = try IncidentStore(path: path)
        let r = try reopened.record(finding(fingerprint: "c", at: 2))
        #expect(r == RecordResult(incidentID: "INC-0003", isNewIncident: true, isNewFinding: true))
        // The open incident of a known path is found from the database, too.
        let again = try reopened.record(finding(.crossTenantQuery, fingerprint: "a", at: 3))
        #expect(again == RecordResult(incidentID: "INC-0001", isNewIncident: false, isNewFinding: true))
        #expect(try reopened.incidents().map(\.id) == ["INC-0001", "INC-0002", "INC-0003"])
        let first = try reopened.incident("INC-0001").incident
        #expect(first.kinds == [.missingTenantPredicate, .crossTenantQuery])
        #expect(first.findingCount == 2)
    }

    @Test func theSameFindingTwiceIsOneRowWithCountTwo() throws {
        let dir = TempDir()
        let store = try IncidentStore(path: dir.file("s.sqlite"))
        let a = try store.record(finding(at: 10, severity: .medium, line: 5))
        let b = try store.record(finding(at: 20, severity: .critical, line: 9))
        #expect(a.isNewFinding && !b.isNewFinding && a.incidentID == b.incidentID)
        let detail = try store.incident(a.incidentID)
        #expect(detail.findings.count == 1)
        let f = try #require(detail.findings.first)
        #expect(f.count == 2)
        #expect(f.time == Timestamp(microseconds: 10_000_000))
        #expect(f.lastSeen == Timestamp(microseconds: 20_000_000))
        #expect(f.severity == .critical)
        #expect(f.evidence.map(\.line) == [5, 9])
        #expect(detail.incident.severity == .critical)
        #expect(detail.incident.findingCount == 1 && detail.incident.occurrences == 2)
        #expect(detail.incident.lastSeen == Timestamp(microseconds: 20_000_000))
    }

    @Test func samePathAfterTheWindowIsANewIncident() throws {
        let dir = TempDir()
        let store = try IncidentStore(path: dir.file("s.sqlite"), windowSeconds: 60)
        #expect(try store.record(finding(at: 0)).incidentID == "INC-0001")
        #expect(try store.record(finding(fingerprint: "other", at: 30)).incidentID == "INC-0002")
        #expect(try store.record(finding(at: 50)).incidentID == "INC-0001")
        let late = try store.record(finding(at: 50 + 61))
        #expect(late == RecordResult(incidentID: "INC-0003", isNewIncident: true, isNewFinding: true))
        #expect(try store.incident("INC-0001").findings.first?.count == 2)
    }

    @Test func aResolvedIncidentIsNotReopenedByARecurrence() throws {
        let dir = TempDir()
        let store = try IncidentStore(path: dir.file("s.sqlite"))
        #expect(try store.record(finding(at: 0)).incidentID == "INC-0001")
        try store.setState("INC-0001", .resolved, author: "ana")
        // Re-reading the old sighting keeps it where it was...
        #expect(try store.record(finding(at: 0)).incidentID == "INC-0001")
        // ...a new one after resolution is a regression: a new incident.
        #expect(try store.record(finding(at: 100)).incidentID == "INC-0002")
    }

    @Test func checkpointsAndFindingsAreOneTransaction() throws {
        let dir = TempDir()
        let store = try IncidentStore(path: dir.file("s.sqlite"))
        let good = SourceCheckpoint(path: "/logs/pg.log", device: 1, inode: UInt64.max, offset: 100, lineNumber: 3, headHash: 0xff, headLength: 100)
        try store.commit(findings: [(finding(at: 0), [])], checkpoints: [good])
        #expect(try store.checkpoints()["/logs/pg.log"]?.inode == UInt64.max)

        // A batch whose checkpoint cannot be written (negative offset violates a CHECK) leaves
        // neither its findings nor its other checkpoints behind.
        var bad = good
        bad.offset = -1
        var moved = good
        moved.path = "/logs/other.log"
        #expect(throws: StoreError.self) {
            try store.commit(findings: [(finding(fingerprint: "new", at: 5), []), (finding(at: 6), [])],
                             checkpoints: [moved, bad])
        }
        #expect(try store.incidents().count == 1)
        #expect(try store.incident("INC-0001").findings.first?.count == 1)
        let saved = try store.checkpoints()
        #expect(saved.count == 1 && saved["/logs/pg.log"]?.offset == 100)

        var later = good
        later.offset = 250
        later.lineNumber = 7
        try store.saveCheckpoints([later])
        #expect(try store.checkpoints()["/logs/pg.log"]?.lineNumber == 7)
    }

    @Test func statesAndNotes() throws {
        let dir = TempDir()
        let store = try IncidentStore(path: dir.file("s.sqlite"), clock: fixedClock())
        let id = try store.record(finding(at: 0)).incidentID
        try store.setState(id, .acknowledged, author: "ana")
        try store.addNote("inc-1", author: "bo", text: "customer informed")
        #expect(try store.incidents(state: .acknowledged).map(\.id) == [id])
        #expect(try store.incidents(state: .open).isEmpty)
        let d = try store.incident(id)
        #expect(d.incident.state == .acknowledged && d.incident.stateChangedBy == "ana")
        #expect(d.notes.map(\.text) == ["state: acknowledged", "customer informed"])
        #expect(d.notes.map(\.author) == ["ana", "bo"])
        #expect(d.notes[1].time == Timestamp(microseconds: 1_800_000_000_000_000))
        #expect(throws: StoreError.noSuchIncident("INC-0042")) { try store.setState("INC-0042", .resolved, author: "x") }
        #expect(throws: StoreError.noSuchIncident("INC-0042")) { try store.addNote("INC-0042", author: "x", text: "y") }
        #expect(throws: StoreError.noSuchIncident("INC-0042")) { try store.incident("INC-0042") }
    }

    @Test func timelineIsKeptInOrderWithoutDuplicates() throws {
        let dir = TempDir()
        let store = try IncidentStore(path: dir.file("s.sqlite"))
        let f = finding(at: 10, line: 7)
        let stmt = TimelineEntry(kind: .statement, time: Timestamp(microseconds: 10_000_000),
                                 position: SourcePosition(file: "pg.log", line: 7, endLine: 9), summary: "SELECT",
                                 raw: String(repeating: "x", count: 5000), bindValues: ["acme", nil])
        let request = TimelineEntry(kind: .request, time: nil, position: SourcePosition(file: "audit.log", line: 2), summary: "request")
        let setting = TimelineEntry(kind: .sessionSetting, time: Timestamp(microseconds: 9_000_000), position: nil, summary: "tenant globex")
        try store.record(f, timeline: [stmt, request, setting, TimelineBuilder.findingEntry(f)])
        try store.record(f, timeline: [stmt, TimelineBuilder.findingEntry(f)])
        let t = try store.incident("INC-0001").timeline
        #expect(t.map(\.kind) == [.request, .sessionSetting, .statement, .finding])
        let s = t[2]
        #expect(s.position == SourcePosition(file: "pg.log", line: 7, endLine: 9))
        #expect(s.bindValues == ["acme", nil])
        #expect(s.rawTruncated && s.raw?.utf8.count == TimelineEntry.rawLimit)
    }

    @Test func aCorruptFileIsAnErrorNotACrash() throws {
        let dir = TempDir()
        let path = dir.file("s.sqlite")
        var bytes = [UInt8](repeating: 0, count: 8192)
        var rng = SeededRandom()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        do {
            _ = try IncidentStore(path: path)
            Issue.record("opened random bytes as a store \(rng.seedNote)")
        } catch let error as StoreError {
            guard case .corrupt(let p, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(p == path)
            #expect(error.description.contains(path))
        }
    }

    @Test func aDirectoryThatCannotBeCreatedIsAClearError() throws {
        let dir = TempDir()
        _ = FileManager.default.createFile(atPath: dir.file("plain"), contents: Data("x".utf8))
        let path = dir.file("plain/sub/s.sqlite")
        #expect {
            _ = try IncidentStore(path: path)
        } throws: { error in
            guard let e = error as? StoreError, case .cannotCreateDirectory(let p, _) = e else { return false }
            return p == path && e.description.contains(path)
        }
    }

    @Test(.enabled(if: geteuid() != 0, "root ignores directory permissions"))
    func aReadOnlyDirectoryIsAClearError() throws {
        let dir = TempDir()
        let ro = dir.file("ro")
        try FileManager.default.createDirectory(atPath: ro, withIntermediateDirectories: true)
        chmod(ro, 0o555)
        defer { chmod(ro, 0o755) }
        #expect(throws: StoreError.self) { _ = try IncidentStore(path: ro + "/s.sqlite") }
    }

    @Test func aFullDiskIsAnErrorNamingTheStoreAndWritesNothing() throws {
        let dir = TempDir()
        let path = dir.file("s.sqlite")
        let store = try IncidentStore(path: path)
        try store.record(finding(at: 0))
        // The file may not grow any more (the limit cannot go below its current size): SQLite
        // answers SQLITE_FULL, as on a full disk.
        try store.executeOnWriter("PRAGMA max_page_count = 1")
        let big = (0..<200).map { i in
            (finding(fingerprint: "fp\(i)-" + String(repeating: "x", count: 2000), at: Int64(i)), [TimelineEntry]())
        }
        #expect(throws: StoreError.diskFull(path: path)) { try store.commit(findings: big) }
        #expect(try store.incidents().count == 1)
    }

    @Test func storeErrorsNameTheStore() {
        #expect(StoreError.diskFull(path: "/x/s.sqlite").description.contains("/x/s.sqlite"))
        #expect(StoreError.noSuchIncident("INC-0009").description == "no such incident: INC-0009")
    }

    @Test func incidentIDsAreNormalized() {
        #expect(IncidentStore.normalize("inc-0007") == "INC-0007")
        #expect(IncidentStore.normalize("7") == "INC-0007")
        #expect(IncidentStore.normalize("INC-12345") == "INC-12345")
        #expect(IncidentStore.normalize("bogus") == "bogus")
    }

    @Test func checkpointCaptureRecognizesRotationAndTruncation() throws {
        let dir = TempDir()
        let path = dir.file("pg.log")
        try Data("line one\nline two\n".utf8).write(to: URL(fileURLWithPath: path))
        let c = try #require(SourceCheckpoint.capture(path: path, offset: 18, lineNumber: 2))
        #expect(c.isResumable())
        // Appended: still the same file.
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        h.seekToEndOfFile(); h.write(Data("line three\n".utf8)); h.closeFile()
        #expect(c.isResumable())
        // Rewritten in place with other content: not resumable.
        let fd = open(path, O_WRONLY | O_TRUNC)
        _ = "LINE ONE\n".withCString { write(fd, $0, 9) }
        close(fd)
        #expect(!c.isResumable())
        // Gone: not resumable.
        try FileManager.default.removeItem(atPath: path)
        #expect(!c.isResumable())
    }
}
