import Testing
@testable import TenantWatchCore

/// The interpreter cuts `statement: ` / `execute ` off a message by bytes; the text left must be
/// the one cutting Characters gave, also when what follows the space is not ASCII.
@Suite struct PostgresEventInterpreterPrefixTests {
    @Test func cutMatchesDroppingCharacters() {
        let messages = ["statement: SELECT 1", "statement: ", "statement: \u{301}SELECT 1", "statement: é",
                        "statement: \r\nSELECT 1", "statement: 🙂 SELECT 1"]
        for m in messages {
            #expect(m.hasASCIIPrefix("statement: "))
            #expect(String(m.droppingASCIIPrefix(11)) == String(m.dropFirst(11)), "\(m)")
            let sub = ("x" + m).dropFirst()
            #expect(String(sub.droppingASCIIPrefix(11)) == String(sub.dropFirst(11)), "\(m)")
        }
        // A combining mark after the space belongs to the space's Character: dropped with it.
        #expect(String("statement: \u{301}SELECT 1".droppingASCIIPrefix(11)) == "SELECT 1")
    }

    @Test func statementTextIsTheMessageAfterItsPrefix() {
        var interpreter = PostgresEventInterpreter()
        var events: [Event] = []
        for (i, sql) in ["SELECT 1", "\u{301}SELECT 2"].enumerated() {
            let r = PostgresLogRecord(position: SourcePosition(file: "f", line: i + 1), pid: 7, severity: "LOG",
                                      message: "statement: " + sql)
            interpreter.interpret(r, into: &events)
        }
        let texts = events.compactMap { e -> String? in
            if case .statement(let s) = e { return s.sql }
            return nil
        }
        #expect(texts == ["SELECT 1", "SELECT 2"])
    }
}
