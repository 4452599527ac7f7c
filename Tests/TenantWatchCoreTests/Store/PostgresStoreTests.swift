import Foundation
import Testing
@testable import TenantWatchCore

/// What only the shared store promises: versioned migrations refuse a
/// newer schema, passwords are never shown, other writers' changes are heard, concurrent writers
/// number incidents once. Against a real PostgreSQL 15 (`TestPostgres`).
@Suite struct PostgresStoreTests {
    @Test func migrationsAreVersionedAndANewerSchemaIsRefused() throws {
        let pg = try TestPostgres.shared.get()
        let url = try pg.newDatabase()
        let store = try PostgresIncidentStore(url: url)
        #expect(try store.schemaVersion() == PostgresSchema.current)
        // Opening again migrates nothing and keeps what is there.
        try store.record(leak(at: 1))
        #expect(try PostgresIncidentStore(url: url).incidents().count == 1)
        try pg.execute("INSERT INTO schema_version (version) VALUES (\(PostgresSchema.current + 1))", in: url)
        do {
            _ = try PostgresIncidentStore(url: url)
            Issue.record("a newer schema was opened")
        } catch let error as StoreError {
            guard case .newerSchema = error else { Issue.record("wrong error: \(error)"); return }
            #expect(!error.description.contains("\n"))
            #expect(error.description.contains("newer tenantwatch"))
        }
    }

    @Test func passwordsAreNeverShown() throws {
        let pg = try TestPostgres.shared.get()
        let url = pg.url("nosuchdb", user: "postgres", password: "s3cr3t-pw")
        let parsed = try PostgresURL(url)
        #expect(!parsed.redacted.contains("s3cr3t-pw") && parsed.redacted.contains("nosuchdb"))
        #expect(StoreLocation.display(url) == parsed.redacted)
        do {
            _ = try PostgresIncidentStore(url: url)
            Issue.record("connected to a database that does not exist")
        } catch {
            let said = "\(error)"
            #expect(said.contains("nosuchdb") && !said.contains("s3cr3t-pw"))
        }
        // A URL libpq cannot parse is not quoted at all.
        let bad = "postgres://u:s3cr3t-pw@/db?nosuchoption=1"
        #expect(throws: (any Error).self) { try PostgresURL(bad) }
        do { _ = try PostgresURL(bad) } catch { #expect(!"\(error)".contains("s3cr3t-pw")) }
    }

    @Test func anotherProcesssAckIsHeardWithinASecond() throws {
        let url = try TestPostgres.shared.get().newDatabase()
        let mine = try PostgresIncidentStore(url: url), theirs = try PostgresIncidentStore(url: url)
        let id = try mine.record(leak(at: 1)).incidentID
        _ = theirs.takeChanges()   // starts listening
        _ = mine.takeChanges()
        var heard = StoreChanges()
        let deadline = Date().addingTimeInterval(5)
        // The listener may still be connecting: ack until the other side hears one.
        var acked: Date?
        while heard.isEmpty && Date() < deadline {
            if acked == nil || Date().timeIntervalSince(acked!) > 1 {
                try mine.setState(id, .acknowledged, author: "ana")
                acked = Date()
            }
            heard = try waitForChanges(theirs, seconds: 0.05)
        }
        #expect(heard.ids == [id])
        #expect(Date().timeIntervalSince(acked ?? .distantPast) < 1)
        #expect(try theirs.incident(id).incident.state == .acknowledged)
        // A note and a new incident written elsewhere are heard the same way.
        try mine.addNote(id, author: "ana", text: "paging billing")
        let other = try mine.record(leak(fingerprint: "zz", at: 2)).incidentID
        var both = Set<String>()
        let until = Date().addingTimeInterval(2)
        while both != [id, other] && Date() < until { both.formUnion(try waitForChanges(theirs, seconds: 0.05).ids) }
        #expect(both == [id, other])
        // Our own writes are not news to us (the listener skips its store's own connection).
        #expect(mine.takeChanges().isEmpty)
    }

    @Test func concurrentWritersNumberEachIncidentOnce() throws {
        let url = try TestPostgres.shared.get().newDatabase()
        let stores = try (0..<4).map { _ in try PostgresIncidentStore(url: url) }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 4) { w in
            for i in 0..<15 {
                do { try stores[w].record(leak(fingerprint: "w\(w)-\(i)", at: Int64(i))) } catch { failures.add("\(error)") }
            }
        }
        #expect(failures.all.isEmpty)
        let incidents = try stores[0].incidents()
        #expect(incidents.count == 60)
        #expect(incidents.map(\.number) == Array(1...60))
    }

    private func waitForChanges(_ store: any IncidentStoring, seconds: Double) throws -> StoreChanges {
        var out = StoreChanges()
        let until = Date().addingTimeInterval(seconds)
        repeat {
            let c = store.takeChanges()
            out.ids.formUnion(c.ids)
            out.everything = out.everything || c.everything
            if !out.isEmpty { break }
            usleep(10_000)
        } while Date() < until
        return out
    }
}

final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return list }
}
