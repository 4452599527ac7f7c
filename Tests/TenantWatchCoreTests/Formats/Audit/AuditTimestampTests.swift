import Foundation
import Testing
@testable import TenantWatchCore

/// Epoch times at the edge of Int64; the first input is FuzzAudit's minimised crash.
@Suite struct AuditTimestampTests {
    func parse(_ line: String) -> (request: AuditRequest?, parser: AuditLogParser) {
        var parser = AuditLogParser(file: "audit.log", configuration: Configuration())
        var events: [Event] = []
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBufferPointer { parser.feed(line: UnsafeBufferPointer($0), lineNumber: 1, into: &events) }
        parser.finish(into: &events)
        let request = events.compactMap { if case .request(let r) = $0 { return r } else { return nil } }.first
        return (request, parser)
    }

    /// 19 digits past Int64.max used to overflow (a trap): now the line is a request whose time
    /// is unreadable, counted as such.
    @Test(arguments: [#"{"ts":9999999999999999999}"#, #"{"ts":"9999999999999999999"}"#,
                      #"{"ts":-9999999999999999999}"#, #"{"ts":99999999999999999999999}"#])
    func epochPastInt64IsAnUnreadableTime(_ line: String) {
        let (request, parser) = parse(line)
        #expect(request != nil)
        #expect(request?.time == nil)
        #expect(parser.unreadableTimes == 1)
        #expect(parser.unparsedLines == 0)
    }

    /// Nanoseconds since the epoch have 19 digits today and still read.
    @Test func nineteenDigitNanosecondsStillRead() {
        let (request, parser) = parse(#"{"ts":1795353237358614123}"#)
        #expect(request?.time == Timestamp(microseconds: 1_795_353_237_358_614))
        #expect(parser.unreadableTimes == 0)
        let (top, _) = parse(#"{"ts":"9223372036854775807"}"#)
        #expect(top?.time == Timestamp(microseconds: 9_223_372_036_854_775))
    }
}
