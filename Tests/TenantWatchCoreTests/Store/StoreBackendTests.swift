import Foundation
import Testing
@testable import TenantWatchCore

/// The store protocol's behaviour, the same assertions against both backends: the embedded
/// SQLite file and a real PostgreSQL 15 database (`TestPostgres`, a throwaway cluster).
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// A store of one backend and what keeps it alive (the SQLite file's directory).
struct OpenedStore {
    let store: any IncidentStoring
    let location: String
    let keep: TempDir
}

func openStore(_ backend: StoreBackend, windowSeconds: Int64 = 24 * 3600,
               clock: @escaping @Sendable () -> Timestamp = { Timestamp(microseconds: 1_800_000_000_000_000) }) throws -> OpenedStore {
    let dir = TempDir()
    switch backend {
    case .sqlite:
        let path = dir.file("incidents.sqlite")
        return OpenedStore(store: try IncidentStore(path: path, windowSeconds: windowSeconds, clock: clock), location: path, keep: dir)
    case .postgres:
        let url = try TestPostgres.shared.get().newDatabase()
        return OpenedStore(store: try PostgresIncidentStore(url: url, windowSeconds: windowSeconds, clock: clock),
                           location: url, keep: dir)
    }
}

func reopen(_ backend: StoreBackend, _ location: String, windowSeconds: Int64 = 24 * 3600) throws -> any IncidentStoring {
    switch backend {
    case .sqlite: return try IncidentStore(path: location, windowSeconds: windowSeconds)
    case .postgres: return try PostgresIncidentStore(url: location, windowSeconds: windowSeconds)
    }
}

func leak(_ kind: FindingKind = .missingTenantPredicate, fingerprint: String = "fp1", at seconds: Int64,
          severity: Severity = .high, line: Int = 1, caller: String? = "acme", tenants: [String] = ["globex"],
          request: String? = nil) -> Finding {
    Finding(kind: kind, severity: severity, time: Timestamp(microseconds: seconds * 1_000_000), message: "leak \(fingerprint)",
            requestID: request, callerTenant: caller, accessedTenants: tenants, tables: ["invoices"], application: "billing",
            statement: "SELECT * FROM invoices WHERE id = $1", fingerprint: fingerprint,
            evidence: [SourcePosition(file: "pg.log", line: line)])
}

@Suite struct StoreBackendTests {
    @Test(arguments: StoreBackend.allCases)
    func numberingContinuesAfterReopenAndAPathJoinsItsOpenIncident(_ backend: StoreBackend) throws {
        let opened = try openStore(backend)
        #expect(try opened.store.record(leak(fingerprint: "a", at: 0)).incidentID == "INC-0001")
        #expect(try opened.store.record(leak(fingerprint: "b", at: 1)).incidentID == "INC-0002")
        let store = try reopen(backend, opened.location)
        #expect(try store.record(leak(fingerprint: "c", at: 2)) == RecordResult(incidentID: "INC-0003", isNewIncident: true, isNewFinding: true))
        let again = try store.record(leak(.crossTenantQuery, fingerprint: "a", at: 3))
        #expect(again == RecordResult(incidentID: "INC-0001", isNewIncident: false, isNewFinding: true))
        #expect(try store.incidents().map(\.id) == ["INC-0001", "INC-0002", "INC-0003"])
        let first = try store.incident("inc-1").incident
        #expect(first.kinds == [.missingTenantPredicate, .crossTenantQuery])
        #expect(first.findingCount == 2 && first.occurrences == 2)
    }

    @Test(arguments: StoreBackend.allCases)
    func aSecondSightingFoldsIntoTheFinding(_ backend: StoreBackend) throws {
        let store = try openStore(backend).store
        let a = try store.record(leak(at: 10, severity: .medium, line: 5, tenants: ["globex"]))
        let b = try store.record(leak(at: 20, severity: .critical, line: 9, tenants: ["globex"]))
        #expect(a.isNewFinding && !b.isNewFinding && a.incidentID == b.incidentID)
        let detail = try store.incident(a.incidentID)
        let f = try #require(detail.findings.first)
        #expect(detail.findings.count == 1 && f.count == 2)
        #expect(f.time == Timestamp(microseconds: 10_000_000) && f.lastSeen == Timestamp(microseconds: 20_000_000))
        #expect(f.severity == .critical && f.evidence.map(\.line) == [5, 9])
        #expect(detail.incident.severity == .critical && detail.incident.exposedTenants == ["globex"])
        // Other tenants read are another finding and another leak path (the exposed tenants are
        // part of both keys): a new incident.
        let c = try store.record(leak(at: 30, line: 11, tenants: ["globex", "initech"]))
        #expect(c.isNewFinding && c.isNewIncident && c.incidentID != a.incidentID)
        #expect(try store.incident(c.incidentID).incident.exposedTenants == ["globex", "initech"])
        #expect(try store.incidentID(for: leak(at: 99)) == a.incidentID)
        #expect(try store.incidentID(for: leak(fingerprint: "never", at: 99)) == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func theWindowAndResolvingOpenNewIncidents(_ backend: StoreBackend) throws {
        let store = try openStore(backend, windowSeconds: 60).store
        #expect(try store.record(leak(at: 0)).incidentID == "INC-0001")
        #expect(try store.record(leak(at: 50)).incidentID == "INC-0001")
        // Quiet for longer than the window: a new incident.
        #expect(try store.record(leak(at: 500)).incidentID == "INC-0002")
        try store.setState("INC-0002", .resolved, author: "ana")
        // A later sighting of a resolved leak is a regression: a new incident again.
        let r = try store.record(leak(at: 510))
        #expect(r.incidentID == "INC-0003" && r.isNewIncident && r.isNewFinding)
        #expect(try store.incidents(state: .resolved).map(\.id) == ["INC-0002"])
        #expect(try store.incidents(state: .open).map(\.id) == ["INC-0001", "INC-0003"])
    }

    @Test(arguments: StoreBackend.allCases)
    func statesAndNotesAreKeptInOrder(_ backend: StoreBackend) throws {
        let store = try openStore(backend).store
        let id = try store.record(leak(at: 0)).incidentID
        try store.setState(id, .acknowledged, author: "ana")
        try store.addNote("1", author: "bo", text: "looking at the billing route")
        let detail = try store.incident(id)
        #expect(detail.incident.state == .acknowledged && detail.incident.stateChangedBy == "ana")
        #expect(detail.incident.stateChangedAt == Timestamp(microseconds: 1_800_000_000_000_000))
        #expect(detail.notes.map(\.text) == ["state: acknowledged", "looking at the billing route"])
        #expect(detail.notes.map(\.author) == ["ana", "bo"])
        #expect(throws: StoreError.noSuchIncident("INC-0042")) { try store.setState("INC-0042", .resolved, author: "ana") }
        #expect(throws: StoreError.noSuchIncident("INC-0042")) { try store.addNote("42", author: "ana", text: "x") }
        #expect(throws: StoreError.noSuchIncident("INC-0042")) { try store.incident("INC-0042") }
    }

    @Test(arguments: StoreBackend.allCases)
    func checkpointsAndSightingsRoundTrip(_ backend: StoreBackend) throws {
        let store = try openStore(backend).store
        var c = SourceCheckpoint(path: "/var/log/pg.log", device: UInt64.max - 3, inode: 42, offset: 1234, lineNumber: 17,
                                 headHash: 0xfeed_beef_dead_cafe, headLength: 256, updatedAt: Timestamp(microseconds: 5))
        c.readOffset = 2000
        c.readLine = 30
        c.settledBefore = 77
        try store.commit(findings: [(leak(at: 1), [])], checkpoints: [c],
                         sightings: SightingBatch(added: [(key: "k1", time: 10), (key: "k2", time: 20)]))
        #expect(try store.checkpoints() == [c.path: c])
        #expect(try store.sightingKeys() == ["k1", "k2"])
        c.offset = 4000
        try store.commit(findings: [], checkpoints: [c], sightings: SightingBatch(added: [(key: "k3", time: 30)], forgetBefore: 15))
        #expect(try store.checkpoints()[c.path]?.offset == 4000)
        #expect(try store.sightingKeys() == ["k2", "k3"])
    }

    @Test(arguments: StoreBackend.allCases)
    func timelineEntriesAreKeptOnceInTimeOrder(_ backend: StoreBackend) throws {
        let store = try openStore(backend).store
        func at(_ s: Int64?) -> Timestamp? { s.map { Timestamp(microseconds: $0 * 1_000_000) } }
        let late = TimelineEntry(kind: .statement, time: at(20), position: SourcePosition(file: "pg.log", line: 9),
                                 summary: "SELECT * FROM invoices", raw: "LOG: statement: SELECT * FROM invoices",
                                 bindValues: ["7", nil])
        let early = TimelineEntry(kind: .request, time: at(10), position: SourcePosition(file: "audit.log", line: 3),
                                  summary: "GET /invoices")
        let untimed = TimelineEntry(kind: .finding, time: nil, position: nil, summary: "missing tenant predicate")
        let id = try store.record(leak(at: 10), timeline: [late, early, untimed]).incidentID
        // The same entries again (a re-read): nothing is added.
        try store.record(leak(at: 12), timeline: [late, early])
        let timeline = try store.incident(id).timeline
        #expect(timeline == [untimed, early, late])
    }

    @Test(arguments: StoreBackend.allCases)
    func evidenceFieldsAndIncidentsByID(_ backend: StoreBackend) throws {
        let store = try openStore(backend).store
        let a = try store.record(leak(fingerprint: "a", at: 0, request: "req-1")).incidentID
        let b = try store.record(leak(fingerprint: "b", at: 1)).incidentID
        #expect(try store.incidents(ids: [b, a, "INC-0099"]).map(\.id) == [a, b])
        let fields = try store.evidenceFields(ids: [a])
        #expect(fields.count == 1 && fields[0].incidentID == a && fields[0].tables == ["invoices"])
        #expect(fields[0].fields.contains("req-1"))
        #expect(try store.evidenceFields().map(\.incidentID) == [a, b])
    }

    @Test(arguments: StoreBackend.allCases)
    func bundleChainAndPseudonyms(_ backend: StoreBackend) throws {
        let store = try openStore(backend).store
        try store.record(leak(at: 0, caller: "acme", tenants: ["globex", "initech"]))
        #expect(try store.knownTenants() == ["acme", "globex", "initech"])
        let first = try store.pseudonyms(forTenant: "acme", covering: ["globex"])
        let second = try store.pseudonyms(forTenant: "acme", covering: ["globex", "initech"])
        #expect(second["globex"] == first["globex"] && second["initech"] != nil && second["initech"] != second["globex"])
        let r = BundleExportRecord(forTenant: "acme", sequence: 1, incidentID: "INC-0001", manifestSHA256: "aa",
                                   previousManifestSHA256: nil, exportedAt: Timestamp(microseconds: 9), file: "/tmp/b1.zip")
        try store.recordBundle(r)
        #expect(try store.lastBundle(forTenant: "acme") == r)
        // Another export that took the same sequence number meanwhile: refused, nothing written.
        #expect(throws: (any Error).self) { try store.recordBundle(r) }
        #expect(try store.bundles(forTenant: "acme") == [r])
        #expect(try store.lastBundle(forTenant: "globex") == nil)
    }

    /// The same findings into both backends: the same incidents, findings and timelines.
    /// `IncidentRules.deliveryKey`: the same sighting recorded again (a batch retried after a
    /// crash, a worker's redelivery) changes nothing, in either store and after reopening it; a
    /// new sighting of the same finding still counts.
    @Test(arguments: StoreBackend.allCases)
    func aRedeliveredBatchChangesNothing(_ backend: StoreBackend) throws {
        func snapshot(_ store: any IncidentStoring) throws -> [String] {
            try store.incidents().map { IncidentPrinter.json(try store.incident($0.id)) }
        }
        let opened = try openStore(backend)
        let store = opened.store
        let batch = (0..<20).map { i in
            let f = leak(fingerprint: "fp\(i % 4)", at: Int64(i * 10), line: i + 1, request: "r\(i)")
            return (f, TimelineBuilder.entries(for: f))
        }
        let first = try store.commit(findings: batch)
        let before = try snapshot(store)
        #expect(before.count == 4)
        // The same batch comes again, whole and in parts, and one of it alone.
        let again = try store.commit(findings: batch)
        try store.commit(findings: Array(batch[5..<12]))
        #expect(try store.record(batch[3].0, timeline: batch[3].1) == RecordResult(incidentID: first[3].incidentID,
                                                                                   isNewIncident: false, isNewFinding: false))
        #expect(try snapshot(store) == before)
        #expect(again.map(\.incidentID) == first.map(\.incidentID))
        #expect(again.allSatisfy { !$0.isNewFinding && !$0.isNewIncident })
        // The keys are stored: a reopened store refuses the batch too.
        let reopened = try reopen(backend, opened.location)
        try reopened.commit(findings: batch)
        #expect(try snapshot(reopened) == before)
        // A new sighting of the same finding still counts.
        let later = try reopened.record(leak(fingerprint: "fp0", at: 500, line: 99, request: "r0"))
        #expect(!later.isNewFinding)
        #expect(try reopened.incident(later.incidentID).findings.first { $0.requestID == "r0" }?.count == 2)
    }

    @Test func bothBackendsNumberAndFoldTheSameFindingsTheSame() throws {
        var findings: [Finding] = []
        for i in 0..<60 {
            let kind: FindingKind = [.missingTenantPredicate, .crossTenantQuery, .unscopedCacheKey][i % 3]
            findings.append(leak(kind, fingerprint: "fp\(i % 7)", at: Int64(i * 40), severity: [.low, .high, .critical][i % 3],
                                 line: i + 1, caller: "t\(i % 4)", tenants: ["t\((i + 1) % 4)"], request: i % 5 == 0 ? "r\(i)" : nil))
        }
        var results: [[StoredIncident]] = []
        var details: [[String]] = []
        for backend in StoreBackend.allCases {
            let store = try openStore(backend, windowSeconds: 300).store
            try store.commit(findings: Array(findings[0..<30]).map { ($0, TimelineBuilder.entries(for: $0)) })
            try store.setState("INC-0002", .resolved, author: "ana")
            for f in findings[30...] { try store.record(f, timeline: TimelineBuilder.entries(for: f)) }
            let incidents = try store.incidents()
            results.append(incidents)
            details.append(try incidents.map { IncidentPrinter.json(try store.incident($0.id)) })
        }
        #expect(results[0].count > 3)
        #expect(results[0] == results[1])
        #expect(details[0] == details[1])
    }
}
