import Testing
@testable import TenantWatchCore

@Suite struct StoreSightingTests {
    @Test func sightingsAreCommittedWithTheirFindingsAndForgottenByTime() throws {
        let dir = TempDir()
        let store = try IncidentStore(path: dir.file("s.sqlite"))
        let f = Finding(kind: .missingTenantPredicate, severity: .high, time: Timestamp(microseconds: 5), message: "m",
                        tables: ["invoices"], fingerprint: "fp", evidence: [SourcePosition(file: "pg.log", line: 3)])
        var c = SourceCheckpoint(path: "/logs/pg.log", device: 1, inode: 2, offset: 10, lineNumber: 1, headHash: 3, headLength: 10)
        c.readOffset = 90
        c.readLine = 9
        c.settledBefore = 42
        try store.commit(findings: [(f, [])], checkpoints: [c],
                         sightings: SightingBatch(added: [("a", 5), ("b", 50)]))
        #expect(try store.sightingKeys() == ["a", "b"])
        let saved = try #require(try store.checkpoints()["/logs/pg.log"])
        #expect(saved.offset == 10 && saved.readOffset == 90 && saved.readLine == 9 && saved.settledBefore == 42)
        // Recorded twice by mistake: still one key.
        try store.commit(findings: [], checkpoints: [c], sightings: SightingBatch(added: [("b", 50)], forgetBefore: 42))
        #expect(try store.sightingKeys() == ["b"])
    }

    @Test func aFailedBatchLeavesNeitherFindingsNorSightingsNorCheckpoints() throws {
        let dir = TempDir()
        let store = try IncidentStore(path: dir.file("s.sqlite"))
        // A CHECK constraint refuses the checkpoint: the whole transaction goes.
        let bad = SourceCheckpoint(path: "/x", device: 1, inode: 1, offset: -1, lineNumber: 0, headHash: 0, headLength: 0)
        let f = Finding(kind: .missingTenantPredicate, severity: .high, time: Timestamp(microseconds: 5), message: "m",
                        fingerprint: "fp", evidence: [])
        #expect(throws: StoreError.self) {
            try store.commit(findings: [(f, [])], checkpoints: [bad], sightings: SightingBatch(added: [("a", 5)]))
        }
        #expect(try store.sightingKeys().isEmpty)
        #expect(try store.incidents().isEmpty)
    }
}
