import Foundation
import Testing
@testable import TenantWatchCore

/// The live cursor: a followed file's new lines become events, a parser per file.
@Suite struct FollowLiveCursorTests {
    @Test func quietPostgresSourceIsFlushedAfterIdling() {
        let dir = FollowTempDir()
        let path = dir.file("postgresql.log")
        let writer = FollowTestWriter(path)
        let follower = FileFollower(pattern: path, start: .end, options: fastFollow())
        let cursor = LiveSourceCursor(follower: follower, idleFlushSeconds: 0.2) { file in
            PostgresLogParser(format: .stderr, prefix: "%m [%p] ", timezone: "UTC", file: file)
        }
        var events = cursor.poll()
        #expect(events.isEmpty)
        writer.write("2026-11-22 13:00:00.000 UTC [7] LOG:  statement: SELECT 1\n")
        let deadline = Date().addingTimeInterval(5)
        var sawHeld = false
        while Date() < deadline {
            let batch = cursor.poll()
            if batch.isEmpty && cursor.lines == 1 && events.isEmpty { sawHeld = true }
            events += batch
            if events.contains(where: { if case .statement = $0 { return true } else { return false } }) { break }
            follower.wait(timeout: 0.05)
        }
        #expect(sawHeld)   // held for its DETAIL line at first ...
        guard case .statement(let s)? = events.first else {
            Issue.record("no statement: \(events)")
            return
        }
        #expect(s.sql == "SELECT 1")  // ... then flushed once the source went quiet
        #expect(s.position == SourcePosition(file: path, line: 1))
    }

    @Test func eachGlobFileGetsItsOwnParserAndPositions() {
        let dir = FollowTempDir()
        let follower = FileFollower(pattern: dir.file("*.log"), start: .beginning, options: fastFollow())
        let cursor = LiveSourceCursor(follower: follower) { file in LineEcho(file: file) }
        FollowTestWriter(dir.file("a.log")).lines(1...2)
        FollowTestWriter(dir.file("b.log")).lines(1...3)
        var events: [Event] = []
        let deadline = Date().addingTimeInterval(5)
        while events.count < 5 && Date() < deadline {
            cursor.poll(into: &events)
            follower.wait(timeout: 0.05)
        }
        #expect(events.map { ($0.position.file as NSString).lastPathComponent + ":\($0.position.line)" }
                == ["a.log:1", "a.log:2", "b.log:1", "b.log:2", "b.log:3"])
        #expect(cursor.lines == 5)
    }
}
