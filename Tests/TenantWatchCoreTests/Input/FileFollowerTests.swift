import Foundation
import Testing
@testable import TenantWatchCore

/// tail -F semantics against real files changed by a writer while the follower polls.
@Suite struct FileFollowerTests {
    @Test func startsAtTheEndAndDeliversAppendedLines() {
        let dir = FollowTempDir()
        let writer = FollowTestWriter(dir.file("app.log"))
        writer.lines(1...10)
        let follower = FileFollower(pattern: dir.file("app.log"), start: .end, options: fastFollow())
        var got: [FollowedRecord] = []
        followUntil(follower, into: &got, seconds: 0.2) { _ in false }
        #expect(got.isEmpty)
        writer.lines(11...20)
        #expect(followUntil(follower, into: &got) { $0.count >= 10 })
        #expect(texts(got) == expectedLines(11...20))
        #expect(got.map(\.number) == Array(11...20))
        #expect(follower.state == .following)
    }

    @Test func partialLineIsHeldUntilItsNewline() {
        let dir = FollowTempDir()
        let writer = FollowTestWriter(dir.file("app.log"))
        let follower = FileFollower(pattern: dir.file("app.log"), start: .beginning, options: fastFollow())
        writer.write("first\nsec")
        var got: [FollowedRecord] = []
        #expect(followUntil(follower, into: &got) { $0.count >= 1 })
        followUntil(follower, into: &got, seconds: 0.2) { _ in false }
        #expect(texts(got) == ["first"])
        #expect(follower.checkpoint().files.first?.offset == 6)
        writer.write("ond\nthird\n")
        #expect(followUntil(follower, into: &got) { $0.count >= 3 })
        #expect(texts(got) == ["first", "second", "third"])
        #expect(got.map(\.number) == [1, 2, 3])
    }

    @Test func renameRotationFinishesTheOldFileThenFollowsTheNewOne() {
        let dir = FollowTempDir()
        let path = dir.file("postgresql.log")
        let writer = FollowTestWriter(path)
        let follower = FileFollower(pattern: path, start: .beginning, options: fastFollow())
        writer.lines(1...50)
        var got: [FollowedRecord] = []
        #expect(followUntil(follower, into: &got) { $0.count >= 50 })
        // logrotate `create`: rename, create; the writer still appends to the old file before it reopens.
        #expect(rename(path, dir.file("postgresql.log.1")) == 0)
        writer.write("line 51\nline 5")
        close(open(path, O_WRONLY | O_CREAT, 0o644))
        var sawRotated = false
        // Polled until the follower has seen the rotation (not a fixed window that a slow poll misses).
        #expect(followUntil(follower, into: &got, states: { if $0 == .rotated { sawRotated = true } }) { _ in sawRotated })
        writer.write("2\n")
        writer.reopen()
        writer.lines(53...100)
        #expect(followUntil(follower, into: &got, states: { if $0 == .rotated { sawRotated = true } }) { $0.count >= 100 })
        // The old file is closed after its quiet spell: polled for, under the generous deadline.
        #expect(followUntil(follower, into: &got) { _ in follower.files.count == 1 })
        #expect(texts(got) == expectedLines(1...100))
        #expect(got.map(\.number) == Array(1...52) + Array(1...48))
        #expect(sawRotated)
        #expect(follower.files.count == 1)   // the old file was closed after its quiet spell
    }

    @Test func copytruncateRestartsAtZero() {
        let dir = FollowTempDir()
        let path = dir.file("redis.log")
        let writer = FollowTestWriter(path)
        let follower = FileFollower(pattern: path, start: .beginning, options: fastFollow())
        writer.lines(1...50)
        var got: [FollowedRecord] = []
        #expect(followUntil(follower, into: &got) { $0.count >= 50 })
        writer.truncate()
        var sawRotated = false
        #expect(followUntil(follower, into: &got, states: { if $0 == .rotated { sawRotated = true } }) { _ in sawRotated })
        writer.lines(51...60)
        #expect(followUntil(follower, into: &got) { $0.count >= 60 })
        #expect(texts(got) == expectedLines(1...60))
        #expect(got.suffix(10).map(\.number) == Array(1...10))
        #expect(sawRotated)
    }

    @Test func truncatedAndRefilledPastTheOffsetIsCaughtByTheHeadHash() {
        let dir = FollowTempDir()
        let path = dir.file("app.log")
        let writer = FollowTestWriter(path)
        let follower = FileFollower(pattern: path, start: .beginning, options: fastFollow())
        writer.lines(1...5, "old")
        var got: [FollowedRecord] = []
        #expect(followUntil(follower, into: &got) { $0.count >= 5 })
        // Between two polls: emptied and refilled beyond the old offset.
        writer.truncate()
        writer.lines(1...40, "new")
        #expect(followUntil(follower, into: &got) { $0.count >= 45 })
        followUntil(follower, into: &got, seconds: 0.2) { _ in false }
        #expect(texts(got) == expectedLines(1...5, "old") + expectedLines(1...40, "new"))
    }

    @Test func deletionWaitsUntilTheFileIsCreatedAgain() {
        let dir = FollowTempDir()
        let path = dir.file("audit.log")
        var writer: FollowTestWriter? = FollowTestWriter(path)
        let follower = FileFollower(pattern: path, start: .beginning, options: fastFollow())
        writer!.lines(1...20)
        var got: [FollowedRecord] = []
        #expect(followUntil(follower, into: &got) { $0.count >= 20 })
        writer = nil
        #expect(unlink(path) == 0)
        var state = SourceState.following
        // Drained, closed after its quiet spell, then waiting.
        #expect(followUntil(follower, into: &got, states: { state = $0 }) { _ in state == .waiting && follower.files.isEmpty })
        writer = FollowTestWriter(path)
        writer!.lines(21...30)
        #expect(followUntil(follower, into: &got) { $0.count >= 30 })
        #expect(texts(got) == expectedLines(1...30))
        #expect(follower.state == .following || follower.state == .rotated)
    }

    @Test func missingFileWaitsThenIsReadFromItsStart() {
        let dir = FollowTempDir()
        let path = dir.file("later.log")
        let follower = FileFollower(pattern: path, start: .end, options: fastFollow())
        var got: [FollowedRecord] = []
        followUntil(follower, into: &got, seconds: 0.1) { _ in false }
        #expect(follower.state == .waiting)
        let writer = FollowTestWriter(path)
        writer.lines(1...3)
        #expect(followUntil(follower, into: &got) { $0.count >= 3 })
        #expect(texts(got) == expectedLines(1...3))
    }

    @Test func globPicksUpNewFilesFromTheirStartInNameOrder() {
        let dir = FollowTempDir()
        let old = FollowTestWriter(dir.file("postgresql-2026-11-24_000000.log"))
        old.lines(1...5, "old")
        let other = FollowTestWriter(dir.file("other.log"))
        let follower = FileFollower(pattern: dir.file("postgresql-*.log"), start: .end, options: fastFollow())
        var got: [FollowedRecord] = []
        followUntil(follower, into: &got, seconds: 0.1) { _ in false }
        #expect(got.isEmpty)
        old.lines(6...7, "old")
        other.lines(1...3, "other")
        let b = FollowTestWriter(dir.file("postgresql-2026-11-25_000000.log"))
        b.lines(1...3, "b")
        // Compressed rotations in the glob's reach are left to `replay`.
        FileManager.default.createFile(atPath: dir.file("postgresql-2026-11-23_000000.log.gz"), contents: Data([0x1F, 0x8B, 8, 0]))
        #expect(followUntil(follower, into: &got) { $0.count >= 5 })
        followUntil(follower, into: &got, seconds: 0.2) { _ in false }
        #expect(texts(got) == expectedLines(6...7, "old") + expectedLines(1...3, "b"))
        #expect(got.map(\.number) == [6, 7, 1, 2, 3])
        #expect(got.last?.path.hasSuffix("postgresql-2026-11-25_000000.log") == true)
        #expect(follower.files.map { ($0.file.path as NSString).lastPathComponent }
                == ["postgresql-2026-11-24_000000.log", "postgresql-2026-11-25_000000.log"])
    }

    @Test func renameWithinTheGlobKeepsReadingWithoutRereading() {
        let dir = FollowTempDir()
        let path = dir.file("postgresql.log")
        let writer = FollowTestWriter(path)
        writer.lines(1...10)
        let follower = FileFollower(pattern: dir.file("postgresql.log*"), start: .beginning, options: fastFollow())
        var got: [FollowedRecord] = []
        #expect(followUntil(follower, into: &got) { $0.count >= 10 })
        #expect(rename(path, path + ".1") == 0)
        writer.lines(11...12)
        writer.reopen()
        writer.lines(13...15)
        #expect(followUntil(follower, into: &got) { $0.count >= 15 })
        followUntil(follower, into: &got, seconds: 0.3) { _ in false }
        #expect(Set(texts(got)) == Set(expectedLines(1...15)))
        #expect(got.count == 15)
    }

    @Test func standardInputIsReadAsItComesAndEnds() {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let follower = FileFollower(pattern: "-", options: fastFollow(), standardInput: fds[0])
        func send(_ text: String) { _ = text.utf8CString.withUnsafeBufferPointer { write(fds[1], $0.baseAddress, $0.count - 1) } }
        var got: [FollowedRecord] = []
        send("one\ntw")
        #expect(followUntil(follower, into: &got) { $0.count >= 1 })
        followUntil(follower, into: &got, seconds: 0.1) { _ in false }   // never blocks on the pipe
        #expect(texts(got) == ["one"])
        #expect(follower.state == .following)
        send("o\nthree")
        close(fds[1])
        var state = SourceState.following
        #expect(followUntil(follower, into: &got, states: { state = $0 }) { _ in state == .ended })
        #expect(texts(got) == ["one", "two", "three"])
        #expect(got.map(\.path) == ["-", "-", "-"])
    }

    @Test func checkpointOfAGlobReadsFilesThatAppearedAfterItFromTheirStart() {
        let dir = FollowTempDir()
        let current = FollowTestWriter(dir.file("postgresql-2.log"))
        current.lines(1...10, "two")
        let idle = FollowTestWriter(dir.file("postgresql-1.log"))
        idle.lines(1...5, "one")
        let first = FileFollower(pattern: dir.file("postgresql-*.log"), start: .beginning, options: fastFollow())
        first.poll { _ in }
        var checkpoint = first.checkpoint()
        // An old file that the checkpoint does not cover (it was not there under that identity)
        // and is older than the scan: nothing new in it, read from its end.
        checkpoint.files.removeAll { $0.path.hasSuffix("postgresql-1.log") }
        let hourAgo = timeval(tv_sec: time(nil) - 3600, tv_usec: 0)
        var times = [hourAgo, hourAgo]
        _ = utimes(dir.file("postgresql-1.log"), &times)
        current.lines(11...12, "two")
        let fresh = FollowTestWriter(dir.file("postgresql-3.log"))
        fresh.lines(1...2, "three")
        let second = FileFollower(pattern: dir.file("postgresql-*.log"), start: .checkpoint(checkpoint), options: fastFollow())
        var got: [FollowedRecord] = []
        #expect(followUntil(second, into: &got) { $0.count >= 4 })
        followUntil(second, into: &got, seconds: 0.1) { _ in false }
        #expect(texts(got) == expectedLines(11...12, "two") + expectedLines(1...2, "three"))
    }

    /// A writer thread rotates (rename + reopen) every 1000 lines while the follower polls:
    /// every line arrives exactly once, each file's lines in order. Like any tail -F, a file must
    /// sit at the path long enough to be seen once, so the writer rotates only after the follower
    /// has opened the current file (as with real rotation intervals).
    @Test func busyWriterRotatingRepeatedlyLosesAndRepeatsNothing() {
        let dir = FollowTempDir()
        let path = dir.file("busy.log")
        let writer = FollowTestWriter(path)
        let follower = FileFollower(pattern: path, start: .beginning, options: fastFollow())
        let opened = LockedCounter()
        let thread = Thread {
            for block in 0..<5 {
                for i in 1...1000 {
                    writer.write("line \(block * 1000 + i)\n")
                    if i % 250 == 0 { Thread.sleep(forTimeInterval: 0.005) }
                }
                if block < 4 {
                    // Waits for the follower's state (it has opened this file), however slow the
                    // machine: rotating before would be a rotation no tail -F can see.
                    let deadline = Date().addingTimeInterval(120)
                    while opened.value < block + 1 && Date() < deadline { Thread.sleep(forTimeInterval: 0.002) }
                    _ = rename(path, path + ".\(block + 1)")
                    writer.write("line x\(block)\n")     // the writer has not reopened yet
                    writer.reopen()
                }
            }
        }
        thread.start()
        var got: [FollowedRecord] = []
        #expect(followUntil(follower, into: &got, seconds: 120, opened: { opened.increment() }) { $0.count >= 5004 })
        followUntil(follower, into: &got, seconds: 0.3) { _ in false }
        let expected = Set(expectedLines(1...5000) + (0..<4).map { "line x\($0)" })
        #expect(got.count == 5004)
        #expect(Set(texts(got)).count == got.count, "duplicates")
        #expect(expected.subtracting(texts(got)).sorted().prefix(10) == [], "missing")
        for serial in Set(got.map(\.serial)) {
            let numbers = got.filter { $0.serial == serial }.map(\.number)
            #expect(numbers == Array(1...numbers.count), "file \(serial) out of order")
        }
    }

    @Test func eachAppendedLineWakesTheWaitAndTheNextPollDeliversItWithInotify() throws {
        try handover(inotify: true)
    }

    @Test func eachAppendedLineIsDeliveredByTheNextPollWhenPolling() throws {
        try handover(inotify: false)
    }

    /// The dashboard's latency (a line on screen within a poll interval) rests on two facts, each
    /// checked here without a clock, so a loaded machine cannot turn it red: with inotify, a
    /// write makes the watch descriptor readable at once (so `wait` returns at once); and the
    /// first `poll` after a write delivers that line, whole, and nothing else. Polling mode
    /// needs only the second (`wait` never sleeps past `pollInterval`, by construction).
    func handover(inotify: Bool) throws {
        let dir = FollowTempDir()
        let path = dir.file("app.log")
        let writer = FollowTestWriter(path)
        let follower = FileFollower(pattern: path, start: .end,
                                    options: FileFollower.Options(pollInterval: 0.1, useInotify: inotify))
        follower.poll { _ in }
        #expect(follower.usesInotify == inotify)
        for i in 1...5 {
            writer.write("tick \(i)\n")
            if inotify {
                let watcher = try #require(follower.watcher)
                var fds = [pollfd(fd: watcher.fileDescriptor, events: Int16(POLLIN), revents: 0)]
                #expect(Glibc.poll(&fds, 1, 0) == 1, "tick \(i): the write did not make the watch readable")
                follower.wait(timeout: 3600)   // returns at once: readable
            }
            var got: [String] = []
            follower.poll { event in
                if case .line(let line) = event { got.append(String(decoding: line.bytes, as: UTF8.self)) }
            }
            #expect(got == ["tick \(i)"], "tick \(i): the first poll after the write delivered \(got)")
        }
    }

    @Test func checkpointResumesWithExactLineNumbers() {
        let dir = FollowTempDir()
        let path = dir.file("postgresql.log")
        let writer = FollowTestWriter(path)
        writer.lines(1...1000)
        let first = FileFollower(pattern: path, start: .beginning, options: fastFollow())
        var got: [FollowedRecord] = []
        first.poll(maxLines: 400) { event in
            if case .line(let l) = event { got.append(FollowedRecord(path: l.file.path, number: l.number, text: String(decoding: l.bytes, as: UTF8.self))) }
        }
        #expect(got.count == 400)
        #expect(first.state == .lagging(bytes: Int64(expectedLines(401...1000).joined(separator: "\n").utf8.count + 1)))
        let checkpoint = first.checkpoint()
        #expect(checkpoint.files.first?.lineNumber == 400)
        // Round trip through the store's encoding.
        let stored = try! JSONDecoder().decode(FollowerCheckpoint.self, from: JSONEncoder().encode(checkpoint))
        let second = FileFollower(pattern: path, start: .checkpoint(stored), options: fastFollow())
        var rest: [FollowedRecord] = []
        #expect(followUntil(second, into: &rest) { $0.count >= 600 })
        followUntil(second, into: &rest, seconds: 0.1) { _ in false }
        #expect(texts(rest) == expectedLines(401...1000))
        #expect(rest.map(\.number) == Array(401...1000))
    }

    @Test func checkpointFinishesARotatedAwayFileFirst() {
        let dir = FollowTempDir()
        let path = dir.file("postgresql.log")
        let writer = FollowTestWriter(path)
        writer.lines(1...100)
        let first = FileFollower(pattern: path, start: .beginning, options: fastFollow())
        var got: [FollowedRecord] = []
        first.poll(maxLines: 60) { _ in }
        let checkpoint = first.checkpoint()
        // While we were down: rotated, the old file got two more lines, the new one three.
        #expect(rename(path, path + ".1") == 0)
        writer.lines(101...102)
        writer.reopen()
        writer.lines(103...105)
        let second = FileFollower(pattern: path, start: .checkpoint(checkpoint), options: fastFollow())
        #expect(followUntil(second, into: &got) { $0.count >= 45 })
        followUntil(second, into: &got, seconds: 0.1) { _ in false }
        #expect(texts(got) == expectedLines(61...105))
        #expect(got.map(\.number) == Array(61...102) + [1, 2, 3])
    }

    @Test func checkpointOfACopytruncatedFileStartsAgainAtZero() {
        let dir = FollowTempDir()
        let path = dir.file("app.log")
        let writer = FollowTestWriter(path)
        writer.lines(1...30)
        let first = FileFollower(pattern: path, start: .beginning, options: fastFollow())
        first.poll { _ in }
        let checkpoint = first.checkpoint()
        writer.truncate()
        writer.lines(1...3, "fresh")
        let second = FileFollower(pattern: path, start: .checkpoint(checkpoint), options: fastFollow())
        var got: [FollowedRecord] = []
        #expect(followUntil(second, into: &got) { $0.count >= 3 })
        #expect(texts(got) == expectedLines(1...3, "fresh"))
    }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
