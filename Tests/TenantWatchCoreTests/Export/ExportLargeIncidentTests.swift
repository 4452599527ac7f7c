import Foundation
import Testing
import ZIPFoundation
@testable import TenantWatchCore

/// A store-sized incident (the timeline cap, each entry at the raw-text limit) whose sources are
/// gone: the bundle is made from the store's quotes, verifies, and escapes hostile text.
@Suite struct ExportLargeIncidentTests {
    @Test func fullTimelineFromStoredQuotesWithHostileNotes() throws {
        let dir = TempDir()
        let store = try IncidentStore(path: dir.file("s.sqlite"))
        let f = Finding(kind: .crossTenantResponse, severity: .critical, time: Timestamp(microseconds: 1_000_000),
                        message: "response to initech's request carried data of globex",
                        requestID: "req-1", callerTenant: "initech", accessedTenants: ["globex"], route: "/orders/:id",
                        evidence: [SourcePosition(file: "/gone/audit.log", line: 1)])
        let payload = String(repeating: "x", count: 3900)
        let entries = (1...IncidentStore.timelineLimit).map { n in
            TimelineEntry(kind: .response, time: Timestamp(microseconds: Int64(n) * 1000), position: SourcePosition(file: "/gone/audit.log", line: n),
                          summary: "response \(n) carried tenants initech, globex",
                          raw: #"{"ts":"x","host":"globex.example.com","response":{"tenant_ids":["globex"],"items":1,"rows":[""# + payload + #""]}}"#)
        }
        let id = try store.record(f, timeline: entries).incidentID
        // Customer-visible: an internal note would not reach the report to be escaped.
        try store.addNote(id, author: "ana", text: "<script>alert('globex')</script>", visibility: .customer)
        let out = dir.file("big.zip")
        let result = try BundleWriter.export(incident: id, store: store, options: .init(forTenant: "initech", output: out))
        let source = try #require(result.manifest.sources.first)
        #expect(!source.available && source.sha256 == nil && source.linesCut == IncidentStore.timelineLimit)
        #expect(source.lineRanges == [[1, IncidentStore.timelineLimit]])
        #expect(try BundleVerifier.verify(zip: out, publicKey: nil).files == result.manifest.files.count)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: out)[.size] as? NSNumber).intValue
        #expect(size < 2_000_000)  // the payloads (row data) are cut, not carried
        let archive = try Archive(url: URL(fileURLWithPath: out), accessMode: .read)
        var html = Data()
        _ = try archive.extract(try #require(archive["report.html"])) { html.append($0) }
        let text = String(decoding: html, as: UTF8.self)
        #expect(!text.contains("<script>") && text.contains("&lt;script&gt;alert(&#39;tenant-1&#39;)"))
        #expect(!text.lowercased().contains("globex") && text.contains("<svg"))
    }
}
