import Foundation
import Testing
@testable import TenantWatchCore

@Suite struct SearchSlowLogParserTests {
    static func fixture(_ name: String) throws -> [[UInt8]] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/search/\(name)", withExtension: nil))
        var lines = [UInt8](try Data(contentsOf: url)).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    static func parse(_ lines: [[UInt8]], file: String = "slow.json") -> (searches: [SearchQuery], unparsed: [UnparsedLine], parser: SearchSlowLogParser) {
        var parser = SearchSlowLogParser(file: file)
        var events: [Event] = []
        for (k, line) in lines.enumerated() {
            line.withUnsafeBufferPointer { parser.feed(line: $0, lineNumber: k + 1, into: &events) }
        }
        parser.finish(into: &events)
        let searches = events.compactMap { e -> SearchQuery? in if case .searchQuery(let q) = e { return q } else { return nil } }
        let unparsed = events.compactMap { e -> UnparsedLine? in if case .unparsed(let u) = e { return u } else { return nil } }
        return (searches, unparsed, parser)
    }

    static func parse(_ lines: [String]) -> (searches: [SearchQuery], unparsed: [UnparsedLine], parser: SearchSlowLogParser) {
        parse(lines.map { Array($0.utf8) })
    }

    static func utc(_ text: String) -> Timestamp? { AuditTimestamp.parse(text) }

    @Test func elasticsearch814ECSCaptureWithDoublyEscapedBody() throws {
        let (searches, unparsed, parser) = Self.parse(try Self.fixture("beats_es814_index_search_slowlog.json"))
        #expect(unparsed.isEmpty, "\(unparsed.map(\.reason))")
        #expect(searches.count == 2 && parser.searches == 2)
        let first = try #require(searches.first)
        #expect(first.origin == .slowLogECS)
        #expect(first.indices == ["my-index"])
        #expect(first.body == #"{"query":{"match_none":{"boost":1.0}}}"#)
        #expect(first.opaqueID == nil)   // "elasticsearch.slowlog.id": null
        #expect(first.phase == "query")
        #expect(first.tookMillis == 7)
        #expect(first.totalHits == 0)
        #expect(first.time == Self.utc("2024-03-13T09:42:41.350Z"))
        #expect(searches[1].position.line == 2)
    }

    @Test func elasticsearch800CarriesOpaqueIdAndTraceId() throws {
        let (searches, unparsed, _) = Self.parse(try Self.fixture("beats_es800_search_slowlog.json"))
        #expect(unparsed.isEmpty)
        #expect(searches.map(\.opaqueID) == ["myApp1", nil])
        #expect(searches.allSatisfy { $0.traceID == "0af7651916cd43dd8448eb211c80319c" })
        #expect(searches.map(\.indices) == [["test_1"], ["test_1"]])
        #expect(searches.map(\.totalHits) == [1, 2])
        #expect(searches[0].body == "{}")
    }

    @Test func elasticsearch71JSONLayoutWithCommaMillisAndOffset() throws {
        let (searches, unparsed, _) = Self.parse(try Self.fixture("beats_es71_index_search_slowlog.json"))
        #expect(unparsed.isEmpty)
        #expect(searches.count == 2)
        #expect(searches[0].origin == .slowLogJSON)
        #expect(searches[0].indices == [".monitoring-es-7-2019.06.25"])
        #expect(searches[0].time == Self.utc("2019-06-25T15:43:00.587Z"))
        #expect(searches[0].body.hasPrefix(#"{"size":10000,"query":{"bool":{"filter":"#))
        #expect(searches[0].opaqueID == nil)   // "id": ""
        #expect(searches[1].indices == ["foo"])
        #expect(searches[1].body == "{}")
    }

    @Test func plainTextQueryAndFetchReadIndexingLineCountedWithPosition() throws {
        let (searches, unparsed, parser) = Self.parse(try Self.fixture("beats_plaintext_slowlog.log"), file: "slow.log")
        #expect(searches.map(\.position.line) == [1, 2, 4])
        #expect(searches.map(\.phase) == ["query", "fetch", "query"])
        #expect(searches[0].indices == ["metricbeat-6.3.0-2018.06.26"])
        #expect(searches[0].body == #"{"query":{"match_all":{"boost":1.0}}}"#)
        #expect(searches[0].totalHits == 19435)
        #expect(searches[0].time == Self.utc("2018-06-29T10:06:14.933Z"))
        #expect(searches[2].opaqueID == "MY_USER_ID")
        #expect(searches[2].indices == ["index6"])
        #expect(unparsed.count == 1 && parser.unparsedLines == 1)
        #expect(unparsed.first?.position == SourcePosition(file: "slow.log", line: 3))
        #expect(unparsed.first?.reason.contains("index.indexing.slowlog.index") == true)
    }

    @Test func vendorReferenceExamples() throws {
        let (searches, unparsed, _) = Self.parse(try Self.fixture("docs_elasticsearch_examples.json"))
        #expect(unparsed.isEmpty)
        #expect(searches.map(\.origin) == [.slowLogECS, .slowLogJSON])
        #expect(searches.map(\.opaqueID) == ["tomcat-123", "MY_USER_ID"])
        #expect(searches.map(\.indices) == [["index6"], ["index6"]])
        #expect(searches[1].time == Self.utc("2030-08-30T09:59:37.786Z"))
    }

    @Test func sourceHoldingBracketsAndCommasIsDelimitedByItsJSON() {
        let line = #"[2026-11-22T12:00:00,001][WARN ][i.s.s.query] [n1] [activities-2026][3] took[1ms], took_millis[1], total_hits[2 hits], stats[], search_type[QUERY_THEN_FETCH], total_shards[5], source[{"query":{"match":{"name":"a], id[x], b"}}}], id[00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01],"#
        let (searches, unparsed, _) = Self.parse([line])
        #expect(unparsed.isEmpty)
        #expect(searches.first?.body == #"{"query":{"match":{"name":"a], id[x], b"}}}"#)
        #expect(searches.first?.opaqueID == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        #expect(searches.first?.indices == ["activities-2026"])
    }

    @Test func strictEveryBadLineCountedWithPositionAndReason() {
        let lines = [
            "",                                                                           // skipped
            "not a slow log",                                                             // 2
            #"{"type": "index_indexing_slowlog", "timestamp": "2026-11-22T12:00:00,000Z"}"#, // 3
            #"{"type": "index_search_slowlog", "timestamp": "2026-11-22T12:00:00,000Z", "message": "[a][0]"}"#, // 4: no source
            #"{"type": "index_search_slowlog", "timestamp": "yesterday", "message": "[a][0]", "source": "{}"}"#, // 5
            #"{"type": "index_search_slowlog", "timestamp": "2026-11-22T12:00:00,000Z", "message": "a-0", "source": "{}"}"#, // 6
            #"[2026-11-22T12:00:00,001][WARN ][i.s.s.query] [n1] [a][0] took[1ms], source[{"query":{"#, // 7: cut
            #"[2026-11-22T12:00:00,001][WARN ][i.s.s.query] [n1] took[1ms], source[{}],"#,        // 8: no shard
            #"{"@timestamp":"2026-11-22T12:00:00.000Z","log.logger":"index.indexing.slowlog.index","elasticsearch.slowlog.message":"[a/x]","elasticsearch.slowlog.source":"{}"}"#, // 9
            #"{"type": "index_search_slowlog", "timestamp": "2026-11-22T12:00:00,000Z", "message": "[a][0]", "source": "{}"}"#, // 10: good
            "{\"type\": \"index_search_slowlog\", \"timestamp\": \"2026-11-22T12:00:00,000Z\", \"message\": \"[a][0]\", \"source\": \"{}\"",  // 11: not closed
        ]
        let (searches, unparsed, parser) = Self.parse(lines)
        #expect(searches.map(\.position.line) == [10])
        #expect(unparsed.map(\.position.line) == [2, 3, 4, 5, 6, 7, 8, 9, 11])
        #expect(parser.unparsedLines == 9)
        #expect(unparsed.allSatisfy { $0.reason.hasPrefix("search slow log: ") })
        #expect(unparsed[0].reason.contains("neither"))
        #expect(unparsed[2].reason.contains("no source"))
        #expect(unparsed[5].reason.contains("cut off"))
        #expect(unparsed[7].reason.contains("indexing"))
    }

    @Test func detectorTellsSearchSlowLogsFromAuditAndPostgres() {
        for name in ["beats_es814_index_search_slowlog.json", "beats_es71_index_search_slowlog.json", "beats_plaintext_slowlog.log",
                     "docs_elasticsearch_examples.json"] {
            let sample = ((try? Self.fixture(name)) ?? []).joined(separator: [0x0A]).map { $0 }
            #expect(SourceKindDetector.detect(sample: Array(sample)) == .search, "\(name)")
        }
        #expect(SourceKindDetector.detect(sample: Array(#"{"ts":"2026-11-22T12:00:00Z","route":"/x"}"#.utf8)) == .audit)
    }
}
