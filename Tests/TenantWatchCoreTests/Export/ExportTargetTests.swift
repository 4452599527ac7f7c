import Foundation
import Testing
@testable import TenantWatchCore

/// `export --out` never overwrites what it must not: an existing file without --force, and
/// never the store, a key, the config or a SQLite database, by any name.
@Suite struct ExportTargetTests {
    @Test func refusesExistingAndPreciousFiles() throws {
        let dir = TempDir()
        let store = dir.file("incidents.sqlite")
        _ = try IncidentStore(path: store)
        let key = dir.file("sign.key")
        try "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI...\n-----END PRIVATE KEY-----\n".write(toFile: key, atomically: true, encoding: .utf8)
        let plain = dir.file("old.zip")
        try "old".write(toFile: plain, atomically: true, encoding: .utf8)
        let protected = ExportTarget.protections(store: store, signingKey: nil, config: nil)
        func refusal(_ path: String, force: Bool) -> String? {
            do { try ExportTarget(path: path, force: force, protected: protected).check(); return nil } catch {
                return error.description
            }
        }
        #expect(refusal(dir.file("new.zip"), force: false) == nil)
        #expect(refusal(plain, force: false)?.contains("--force") == true)
        #expect(refusal(plain, force: true) == nil)
        // The store by another name: a symbolic link, a hard link, a path with `./`.
        symlink(store, dir.file("link.zip"))
        link(store, dir.file("hard.zip"))
        for alias in [store, dir.file("link.zip"), dir.file("hard.zip"), dir.path + "/./incidents.sqlite"] {
            #expect(refusal(alias, force: true)?.contains("incident store") == true, "\(alias)")
        }
        #expect(refusal(key, force: true)?.contains("PEM key") == true)
        #expect(refusal(dir.path, force: true)?.contains("directory") == true)
        // A SQLite database that is not the open store (another store) is refused too.
        let other = dir.file("other.sqlite")
        _ = try IncidentStore(path: other)
        #expect(refusal(other, force: true)?.contains("SQLite") == true)
    }
}
