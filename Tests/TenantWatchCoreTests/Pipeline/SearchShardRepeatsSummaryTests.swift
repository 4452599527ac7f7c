import Foundation
import Testing
@testable import TenantWatchCore

/// The shard and phase repeats of a search are read but not judged; the summary counts them so
/// that every search line read is accounted for (events judged, repeats skipped, unparsed).
@Suite struct SearchShardRepeatsSummaryTests {
    let dir = NSTemporaryDirectory() + "tw-shard-repeats-\(UUID().uuidString)/"

    func scan(_ log: String) throws -> ScanPipeline {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir + "slow.log", contents: Data(log.utf8))
        let model = TenancyModel(schema: TenancySchema(pgDump: "CREATE TABLE public.invoices (id int, tenant_id text);"),
                                 sessionSetting: "app.current_tenant")
        let configuration = Configuration()
        let pipeline = ScanPipeline(configuration: configuration, model: model,
                                    makeParser: ParserFactory(configuration: configuration).make)
        try pipeline.run([SourceSpec(kind: .search, path: dir + "slow.log")])
        return pipeline
    }

    /// One search over two shards, query and fetch phase (four lines), then another search: two
    /// judged, three repeats skipped and said in the summary.
    @Test func repeatsAreCountedInTheSummary() throws {
        func line(_ ms: Int, _ phase: String, _ shard: Int, _ body: String, _ id: String) -> String {
            "[2026-11-25T00:54:05,\(100 + ms)][WARN ][i.s.s.\(phase)] [node-0] [documents][\(shard)] took[1ms], took_millis[1], "
                + "total_hits[1 hits], stats[], search_type[QUERY_THEN_FETCH], total_shards[2], source[\(body)], id[\(id)],\n"
        }
        let acme = #"{"query":{"term":{"organization_id":"acme"}}}"#
        let log = line(0, "query", 0, acme, "req-1") + line(1, "query", 1, acme, "req-1")
            + line(5, "fetch", 0, acme, "req-1") + line(6, "fetch", 1, acme, "req-1")
            + line(300, "query", 0, #"{"query":{"match_all":{}}}"#, "req-2")
        let p = try scan(log)
        #expect(p.statistics.lines == 5)
        #expect(p.statistics.unparsed == 0)
        #expect(p.statistics.searchShardRepeats == 3)
        #expect(p.statistics.summary.contains(", 3 search shard repeats skipped"))
    }

    /// No repeat, nothing said: the summary of other logs is unchanged.
    @Test func noRepeatsNothingSaid() {
        var s = IngestStatistics()
        s.lines = 3
        s.events = 3
        #expect(s.summary == "3 lines, 3 events, 0 unparsed")
        s.searchShardRepeats = 1
        #expect(s.summary == "3 lines, 3 events, 0 unparsed, 1 search shard repeat skipped")
    }
}
