import Crypto
import Foundation
import Testing
@testable import TenantWatchCore

/// Only customer-visible notes leave in a bundle: an internal note's text and author (and the
/// `state: ...` notes of whoever acknowledged) appear in no file of the zip, read back entry by
/// entry with ZIPFoundation (the end-to-end `export_bundle.sh` does the same with `unzip` and
/// python's `zipfile`).
@Suite struct BundleNoteVisibilityTests {
    @Test func internalNotesStayOutOfEveryFileOfTheBundle() async throws {
        let dir = TempDir()
        let exports = BundleExportTests()
        let (store, configuration) = try await exports.sampleStore(dir)
        let id = try exports.initechGotGlobex(store)
        try store.setState(id, .acknowledged, author: "zoltan-oncall")
        try store.addNote(id, author: "zoltan-oncall", text: "measures: suspect the friday deploy 7f3a, keep quiet for now")
        try store.addNote(id, author: "ana", text: "measures: cache keys now carry the tenant", visibility: .customer)
        let key = Curve25519.Signing.PrivateKey()
        for tenant in ["initech", "globex"] {
            let out = dir.file("\(tenant).zip")
            _ = try BundleWriter.export(incident: id, store: store, options: .init(
                forTenant: tenant, output: out, signingKey: key, extraTenants: configuration.tenancy.tenants,
                sourceDirectories: [dir.path]))
            let files = try exports.unzip(out)
            #expect(files.count > 5)
            for (name, data) in files {
                let text = String(decoding: data, as: UTF8.self).lowercased()
                #expect(!text.contains("zoltan"), "\(tenant)'s \(name) names the internal note's author")
                #expect(!text.contains("friday deploy"), "\(tenant)'s \(name) quotes the internal note")
                #expect(!text.contains("state: acknowledged"), "\(tenant)'s \(name) carries a state note")
            }
            // The customer-visible note is there, where the contract says notes go.
            let incident = try #require(try JSONSerialization.jsonObject(with: files["incident.json"]!) as? [String: Any])
            let notes = try #require(incident["notes"] as? [[String: Any]])
            #expect(notes.map { $0["text"] as? String } == ["measures: cache keys now carry the tenant"])
            #expect(notes.map { $0["author"] as? String } == ["ana"])
            #expect(String(decoding: files["report.md"]!, as: UTF8.self).contains("cache keys now carry the tenant"))
            #expect(String(decoding: files["art33.json"]!, as: UTF8.self).contains("cache keys now carry the tenant"))
        }
    }

    @Test func withOnlyInternalNotesTheReportSaysNone() async throws {
        let dir = TempDir()
        let exports = BundleExportTests()
        let (store, configuration) = try await exports.sampleStore(dir)
        let id = try exports.initechGotGlobex(store)
        try store.addNote(id, author: "zoltan-oncall", text: "consequences: probably none, unconfirmed")
        let out = dir.file("initech.zip")
        _ = try BundleWriter.export(incident: id, store: store, options: .init(
            forTenant: "initech", output: out, signingKey: nil, extraTenants: configuration.tenancy.tenants,
            sourceDirectories: [dir.path]))
        let files = try exports.unzip(out)
        let report = String(decoding: files["report.md"]!, as: UTF8.self)
        #expect(!report.contains("probably none"))
        let art33 = String(decoding: files["art33.json"]!, as: UTF8.self)
        #expect(!art33.contains("probably none") && art33.contains(Art33Summary.toBeCompleted))
    }
}
