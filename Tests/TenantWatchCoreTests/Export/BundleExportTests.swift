import Crypto
import Foundation
import Testing
import ZIPFoundation
@testable import TenantWatchCore

/// Bundles exported from a store built by scanning the sample logs, checked without the
/// verifier's code (SHA-256 recomputed here, the signature checked with the public key).
@Suite struct BundleExportTests {
    static let sampleLogs = ScanPipelineStoreTests.sampleLogs

    /// A store with the sample logs' incidents, and the config (its sources in `dir`).
    func sampleStore(_ dir: TempDir) async throws -> (IncidentStore, Configuration) {
        for name in ["postgresql.log", "audit.log", "redis-monitor.txt", "schema.sql", "tenantwatch.toml"] {
            try FileManager.default.copyItem(atPath: Self.sampleLogs + "/" + name, toPath: dir.file(name))
        }
        let configuration = try ConfigurationLoader.load(path: dir.file("tenantwatch.toml"))
        // Awaited, not `loadSynchronously`: a semaphore wait inside a test task can starve the pool.
        let keys = try await JWTKeySet.load(configuration.identity, configFile: configuration.file)
        let pipeline = ScanPipeline(configuration: configuration, model: try TenancyModel(configuration: configuration),
                                    makeParser: ParserFactory(configuration: configuration, keys: keys).make)
        pipeline.storing = true
        try pipeline.run(configuration.sources)
        var batch = pipeline.newFindings()
        TimelineQuoter.quote(&batch)
        let store = try IncidentStore(path: dir.file("s.sqlite"))
        try store.commit(findings: batch, checkpoints: pipeline.checkpoints)
        return (store, configuration)
    }

    /// The request where initech got globex's order from the cache (req-0104).
    func initechGotGlobex(_ store: IncidentStore) throws -> String {
        try #require(try store.incidents().first {
            $0.kinds == [.crossTenantResponse] && $0.callerTenant == "initech" && $0.exposedTenants == ["globex"]
        }).id
    }

    func unzip(_ path: String) throws -> [String: Data] {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        var out: [String: Data] = [:]
        for e in archive {
            var d = Data()
            _ = try archive.extract(e) { d.append($0) }
            out[e.path] = d
        }
        return out
    }

    @Test func bundleIsCompleteHashedSignedAndLeaksNoOtherTenant() async throws {
        let dir = TempDir()
        let (store, configuration) = try await sampleStore(dir)
        let id = try initechGotGlobex(store)
        try store.addNote(id, author: "ana", text: "measures: cache keys now carry the tenant (globex notified)",
                          visibility: .customer)
        let key = Curve25519.Signing.PrivateKey()
        for (tenant, others) in [("initech", ["acme", "globex"]), ("globex", ["acme", "initech"])] {
            let out = dir.file("\(tenant).zip")
            let result = try BundleWriter.export(incident: id, store: store, options: .init(
                forTenant: tenant, output: out, signingKey: key, extraTenants: configuration.tenancy.tenants,
                sourceDirectories: [dir.path]))
            let files = try unzip(out)
            #expect(Set(files.keys).isSuperset(of: ["manifest.json", "manifest.sig", "incident.json", "timeline.ndjson",
                                                    "report.md", "report.html", "art33.json", "evidence/audit.log"]))
            // Every listed file's hash and size, recomputed here.
            let manifest = try #require(try JSONSerialization.jsonObject(with: files["manifest.json"]!) as? [String: Any])
            let listed = try #require(manifest["files"] as? [[String: Any]])
            #expect(Set(listed.map { $0["path"] as! String }) == Set(files.keys).subtracting(["manifest.json", "manifest.sig"]))
            for entry in listed {
                let data = try #require(files[entry["path"] as! String])
                #expect(SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() == entry["sha256"] as? String)
                #expect(data.count == (entry["size"] as? NSNumber)?.intValue)
            }
            #expect(manifest["for_tenant"] as? String == tenant && manifest["tool_version"] as? String == TenantWatchVersion.string)
            #expect(key.publicKey.isValidSignature(files["manifest.sig"]!, for: files["manifest.json"]!))
            #expect(result.manifestSHA256 == Digest.sha256(files["manifest.json"]!))
            let sources = try #require(manifest["sources"] as? [[String: Any]])
            #expect(sources.contains { $0["name"] as? String == "audit.log" && $0["available"] as? Bool == true
                && ($0["line_ranges"] as? [[Int]])?.isEmpty == false })
            // No other tenant's id anywhere, in any file (case-insensitive), and no token.
            for (name, data) in files where name != "manifest.sig" {
                let text = String(decoding: data, as: UTF8.self).lowercased()
                for other in others { #expect(!text.contains(other), "\(tenant)'s \(name) names \(other)") }
                #expect(!text.contains("eyj"), "\(tenant)'s \(name) carries a JWT")
            }
            #expect(String(decoding: files["incident.json"]!, as: UTF8.self).contains("tenant-"))
            let html = String(decoding: files["report.html"]!, as: UTF8.self)
            #expect(html.contains("<svg") && !html.contains("src=") && !html.contains("href="))
            let art33 = String(decoding: files["art33.json"]!, as: UTF8.self)
            #expect(art33.contains("cache keys now carry the tenant") && art33.contains(Art33Summary.toBeCompleted))
            // The timeline is Timesketch-shaped.
            for line in String(decoding: files["timeline.ndjson"]!, as: UTF8.self).split(separator: "\n") {
                let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(o["datetime"] is String && o["timestamp_desc"] is String && o["message"] is String)
            }
            #expect(try BundleVerifier.verify(zip: out, publicKey: key.publicKey).signatureChecked)
            #expect(!FileManager.default.fileExists(atPath: out + ".tmp-\(getpid())"))
        }
    }

    @Test func refusesATenantTheIncidentDoesNotConcern() async throws {
        let dir = TempDir()
        let (store, _) = try await sampleStore(dir)
        let id = try initechGotGlobex(store)
        #expect(throws: BundleError.self) {
            try BundleWriter.export(incident: id, store: store, options: .init(forTenant: "acme", output: dir.file("a.zip")))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("a.zip")))
    }

    @Test func chainsBundlesPerTenant() async throws {
        let dir = TempDir()
        let (store, _) = try await sampleStore(dir)
        let id = try initechGotGlobex(store)
        let first = try BundleWriter.export(incident: id, store: store, options: .init(forTenant: "initech", output: dir.file("1.zip")))
        let second = try BundleWriter.export(incident: id, store: store, options: .init(forTenant: "initech", output: dir.file("2.zip")))
        #expect(first.manifest.sequence == 1 && first.manifest.previousManifestSHA256 == nil)
        #expect(second.manifest.sequence == 2 && second.manifest.previousManifestSHA256 == first.manifestSHA256)
        #expect(try store.bundles(forTenant: "initech").map(\.manifestSHA256) == [first.manifestSHA256, second.manifestSHA256])
        // Pseudonyms are the same in both (and kept in the store only).
        let pseudonyms = try store.pseudonyms(forTenant: "initech", covering: [])
        #expect(Set(pseudonyms.keys) == ["acme", "globex"] && Set(pseudonyms.values) == ["tenant-1", "tenant-2"])
        let zips = [try unzip(dir.file("1.zip")), try unzip(dir.file("2.zip"))]
        // globex is exposed: both bundles name it by the same recorded pseudonym, never by name.
        for files in zips {
            let text = String(decoding: files["incident.json"]!, as: UTF8.self)
            #expect(!text.contains("globex") && text.contains(pseudonyms["globex"]!))
        }
    }

    @Test func verifyNamesTheFirstMismatch() async throws {
        let dir = TempDir()
        let (store, _) = try await sampleStore(dir)
        let id = try initechGotGlobex(store)
        let key = Curve25519.Signing.PrivateKey()
        let out = dir.file("b.zip")
        _ = try BundleWriter.export(incident: id, store: store, options: .init(forTenant: "initech", output: out, signingKey: key))
        // Rewrite report.md with one byte changed.
        var files = try unzip(out)
        var report = files["report.md"]!
        report[10] ^= 0x01
        files["report.md"] = report
        let tampered = dir.file("t.zip")
        let archive = try Archive(url: URL(fileURLWithPath: tampered), accessMode: .create)
        for (path, data) in files.sorted(by: { $0.key < $1.key }) {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count)) { pos, size in
                data.subdata(in: Int(pos)..<Int(pos) + size)
            }
        }
        #expect {
            try BundleVerifier.verify(zip: tampered, publicKey: nil)
        } throws: { e in
            guard case .hashMismatch(let path, _, _) = e as? BundleVerifier.Mismatch else { return false }
            return path == "report.md"
        }
        // An extra file, and a second entry under a listed name.
        for (path, expected) in [("notes.txt", BundleVerifier.Mismatch.extraFile("notes.txt")),
                                 ("report.md", BundleVerifier.Mismatch.duplicateEntry("report.md"))] {
            let copy = dir.file("extra-\(path).zip")
            try FileManager.default.copyItem(atPath: out, toPath: copy)
            let a = try Archive(url: URL(fileURLWithPath: copy), accessMode: .update)
            let data = Data("x".utf8)
            try a.addEntry(with: path, type: .file, uncompressedSize: Int64(1)) { (_: Int64, _: Int) in data }
            #expect(throws: expected) { try BundleVerifier.verify(zip: copy, publicKey: nil) }
        }
        // A wrong key fails the signature.
        #expect(throws: BundleVerifier.Mismatch.badSignature) {
            try BundleVerifier.verify(zip: out, publicKey: Curve25519.Signing.PrivateKey().publicKey)
        }
    }

    @Test func failedExportLeavesNothing() async throws {
        let dir = TempDir()
        let (store, _) = try await sampleStore(dir)
        let id = try initechGotGlobex(store)
        let out = dir.file("missing-dir/b.zip")
        #expect(throws: BundleError.self) {
            try BundleWriter.export(incident: id, store: store, options: .init(forTenant: "initech", output: out))
        }
        // The rename fails at the very end (the name is a directory): nothing is left, no chain link.
        try FileManager.default.createDirectory(atPath: dir.file("taken.zip"), withIntermediateDirectories: false)
        #expect(throws: BundleError.self) {
            try BundleWriter.export(incident: id, store: store, options: .init(forTenant: "initech", output: dir.file("taken.zip")))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".zip") } == ["taken.zip"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("taken.zip")).isEmpty)
        #expect(try store.bundles(forTenant: "initech").isEmpty)
    }

    @Test func pemRoundTripsInOpenSSLsFormats() throws {
        let key = Curve25519.Signing.PrivateKey()
        let pem = Ed25519PEM.privatePEM(key)
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI"))
        #expect(try Ed25519PEM.privateKey(pem: pem).rawRepresentation == key.rawRepresentation)
        let pub = Ed25519PEM.publicPEM(key.publicKey)
        #expect(pub.hasPrefix("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"))
        #expect(try Ed25519PEM.publicKey(pem: pub).rawRepresentation == key.publicKey.rawRepresentation)
        #expect(throws: Ed25519PEM.KeyError.self) { try Ed25519PEM.publicKey(pem: pem) }
    }
}
