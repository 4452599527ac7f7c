import Foundation
@testable import TenantWatchCore

/// Loads a fixture and runs it through a `PostgresLogParser` the way the file reader will:
/// line by line, without the trailing newline.
enum PG {
    static func fixture(_ name: String) -> [UInt8] {
        let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)!
        return [UInt8](try! Data(contentsOf: url))
    }

    static func parse(bytes: [UInt8], format: PostgresLogParser.Format = .auto, prefix: String? = nil,
                      timezone: String = "Europe/Berlin", file: String = "test.log") -> ([Event], PostgresLogParser) {
        var p = PostgresLogParser(format: format, prefix: prefix, timezone: timezone, file: file)
        var events: [Event] = []
        bytes.withUnsafeBufferPointer { b in
            var start = 0
            var n = 0
            for i in 0...b.count {
                if i == b.count || b[i] == 10 {
                    if i == b.count && start == i { break }
                    n += 1
                    p.feed(line: UnsafeBufferPointer(rebasing: b[start..<i]), lineNumber: n, into: &events)
                    start = i + 1
                }
            }
        }
        p.finish(into: &events)
        return (events, p)
    }

    static func parse(fixture name: String, format: PostgresLogParser.Format = .auto, prefix: String? = nil,
                      timezone: String = "Europe/Berlin") -> ([Event], PostgresLogParser) {
        parse(bytes: fixture(name), format: format, prefix: prefix, timezone: timezone, file: name)
    }

    static func parse(text: String, format: PostgresLogParser.Format = .auto, prefix: String? = nil,
                      timezone: String = "UTC") -> ([Event], PostgresLogParser) {
        parse(bytes: Array(text.utf8), format: format, prefix: prefix, timezone: timezone)
    }

    static func statements(_ events: [Event]) -> [StatementExecution] {
        events.compactMap { if case .statement(let s) = $0 { return s } else { return nil } }
    }

    static func audits(_ events: [Event]) -> [PgAuditRecord] {
        events.compactMap { if case .pgAudit(let a) = $0 { return a } else { return nil } }
    }

    static func unparsed(_ events: [Event]) -> [UnparsedLine] {
        events.compactMap { if case .unparsed(let u) = $0 { return u } else { return nil } }
    }

    /// What must agree between formats: the statement, its parameters, who ran it.
    struct Key: Equatable, CustomStringConvertible {
        var sql: String, parameters: [String?], pid: Int, user: String?, app: String?, failed: Bool, via: ExecutionProtocol
        var description: String { "\(pid) \(user ?? "-") \(app ?? "-") \(via) failed=\(failed) \(sql.prefix(60)) \(parameters)" }
    }

    static func keys(_ events: [Event]) -> [Key] {
        statements(events)
            .sorted { ($0.time?.microseconds ?? 0, $0.position.line) < ($1.time?.microseconds ?? 0, $1.position.line) }
            .map { Key(sql: $0.sql, parameters: $0.parameters, pid: $0.backend.pid, user: $0.user, app: $0.application,
                       failed: $0.failed, via: $0.via) }
    }
}
