import Testing
@testable import TenantWatchModel

/// `StatementExecution` shares its storage between copies; it must still behave as a value.
@Suite struct StatementExecutionTests {
    func make() -> StatementExecution {
        StatementExecution(position: SourcePosition(file: "q.log", line: 7), time: Timestamp(microseconds: 42),
                           backend: BackendID(pid: 9, sessionID: "s"), user: "app", database: "db",
                           application: "api", client: "10.0.0.1", sql: "SELECT 1", parameters: ["a", nil],
                           via: .extended(name: "S_1"), failed: false)
    }

    @Test func aChangedCopyLeavesTheOriginalAlone() {
        let original = make()
        var copy = original
        copy.sql = "SELECT 2"
        copy.parameters.append("b")
        copy.applicationNameLooksForged = true
        copy.backend.pid = 10
        #expect(original.sql == "SELECT 1")
        #expect(original.parameters == ["a", nil])
        #expect(original.applicationNameLooksForged == false)
        #expect(original.backend.pid == 9)
        #expect(copy.sql == "SELECT 2")
        #expect(copy.parameters == ["a", nil, "b"])
        #expect(copy.applicationNameLooksForged)
        #expect(copy.backend.pid == 10)
        // Every other field came along with the copy.
        #expect(copy.position.line == 7 && copy.time?.microseconds == 42 && copy.user == "app"
                && copy.database == "db" && copy.application == "api" && copy.client == "10.0.0.1"
                && copy.via == .extended(name: "S_1") && copy.failed == false)
    }

    @Test func aChangeToTheOriginalLeavesCopiesAlone() {
        var original = make()
        let copies = [original, original]
        original.failed = true
        original.time = nil
        #expect(copies.allSatisfy { !$0.failed && $0.time?.microseconds == 42 })
        #expect(original.failed && original.time == nil)
    }
}
