import Foundation
import Testing
@testable import TenantWatchCore

/// The in-place path for Cloud SQL entries (`cloudSQLTextPayload`) reads what the JSON tree
/// read: only the entry's own top-level `textPayload`, whatever the key order, with braces and
/// quotes inside other members' strings, one record a payload however many lines it has.
@Suite struct CloudSQLTextPayloadTests {
    static let head = #"{"insertId":"x1","logName":"projects/p/logs/cloudsql.googleapis.com%2Fpostgres.log","#

    static func parse(_ lines: [String]) -> ([Event], PostgresLogParser) {
        PG.parse(text: lines.joined(separator: "\n"), format: .cloudsql)
    }

    @Test func payloadIsReadWhateverTheMembersAround() {
        let (events, _) = Self.parse([
            Self.head + #""resource":{"labels":{"note":"a } brace and \" quote","list":[1,{"a":"]"}]},"type":"cloudsql_database"},"textPayload":"2024-03-01 10:00:02.242 UTC [4242]: [2-1] db=billing,user=app LOG:  statement: SELECT 1","timestamp":"2024-03-01T10:00:02.242Z"}"#,
            #"{"timestamp":"2024-03-01T10:00:03Z","textPayload":"2024-03-01 10:00:03.000 UTC [4242]: [3-1] db=billing,user=app LOG:  statement: SELECT \"t\".id\n\tFROM t\n\tWHERE t.x = 'a\\b'","severity":"INFO"}"#,
        ])
        #expect(PG.unparsed(events).isEmpty, "\(PG.unparsed(events))")
        #expect(PG.statements(events).map(\.sql) == ["SELECT 1", "SELECT \"t\".id\nFROM t\nWHERE t.x = 'a\\b'"])
        #expect(PG.statements(events).first?.user == "app")
    }

    @Test func aNestedTextPayloadIsNotTheEntrys() {
        let (events, p) = Self.parse([
            Self.head + #""jsonPayload":{"textPayload":"2024-03-01 10:00:02.242 UTC [1]: [1-1] db=a,user=b LOG:  statement: SELECT 2"},"timestamp":"2024-03-01T10:00:02Z"}"#,
        ])
        #expect(PG.statements(events).isEmpty)
        #expect(p.statistics.unparsed == 0)
    }
}
