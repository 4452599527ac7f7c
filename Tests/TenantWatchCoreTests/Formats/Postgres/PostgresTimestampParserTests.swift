import Foundation
import Testing
@testable import TenantWatchCore

/// Timestamps the prefix matcher reads; the inputs here came from fuzzing (`make fuzz`).
@Suite struct PostgresTimestampParserTests {
    static func statements(_ events: [Event]) -> [StatementExecution] {
        events.compactMap { if case .statement(let s) = $0 { return s } else { return nil } }
    }

    static func unparsed(_ events: [Event]) -> [UnparsedLine] {
        events.compactMap { if case .unparsed(let u) = $0 { return u } else { return nil } }
    }

    /// `%n` with more digits than any epoch has used to overflow Int64 (a trap) before the
    /// length check: any text can stand where the matcher tries `%n`. The whole run is not an
    /// epoch; the reader then finds a record starting inside the line at its last 12 digits,
    /// as it does for stderr written without the logging collector (what time it gets there is the
    /// split's business, not this test's).
    @Test func epochWithTooManyDigitsIsNotATimestamp() {
        let text = """
            1795353126.093 [4242] LOG:  statement: SELECT 1
            333333333333333333333333.093 [4242] LOG:  statement: SELECT 2
            1795353127.5 [4242] LOG:  statement: SELECT 3
            """
        let (events, parser) = PG.parse(text: text, format: .stderr, prefix: "%n [%p] ")
        let st = Self.statements(events)
        #expect(st.map(\.sql) == ["SELECT 1", "SELECT 2", "SELECT 3"])
        #expect(st.first?.time == Timestamp(microseconds: 1_795_353_126_093_000))
        #expect(st.last?.time == Timestamp(microseconds: 1_795_353_127_500_000))
        #expect(parser.statistics.recordsSplitInsideLines == 1)
    }

    /// The fuzzer's minimised input (selector byte dropped): the digits sit after other text,
    /// where the matcher looks for a record starting inside the line.
    @Test func fuzzEpochOverflowInsideALine() {
        let bytes: [UInt8] = Array("333es.c:".utf8) + [0xD7, 0xFF, 0xFF, 0xFF]
            + Array("ET 3333333333393333333333333333333333.c:1019".utf8)
        let (events, parser) = PG.parse(bytes: bytes, format: .stderr, prefix: "%n [%p] %h %-10u| ", timezone: "UTC")
        #expect(Self.statements(events).isEmpty)
        #expect(Self.unparsed(events).map(\.position.line) == [1])
        #expect(parser.statistics.lines == 1)
    }
}
