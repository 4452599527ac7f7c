import Foundation
@testable import TenantWatchCore

/// A temporary directory removed when the test ends.
final class FollowTempDir {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "tw-follow-XXXXXX").utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

/// Writes like a logging process: keeps its descriptor open (O_APPEND) across renames, so
/// rotation tests see exactly what a real writer does to the follower.
final class FollowTestWriter: @unchecked Sendable {
    private(set) var path: String
    private var fd: Int32

    init(_ path: String, truncate: Bool = false) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0o644)
        precondition(fd >= 0, "cannot create \(path)")
    }

    deinit { close(fd) }

    func write(_ text: String) {
        var bytes = Array(text.utf8)
        let n = bytes.withUnsafeMutableBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        precondition(n == bytes.count)
    }

    func lines(_ range: ClosedRange<Int>, _ prefix: String = "line") {
        write(range.map { "\(prefix) \($0)\n" }.joined())
    }

    /// logrotate `create`: the writer reopens the path (a new, empty file).
    func reopen() {
        close(fd)
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    }

    /// logrotate `copytruncate`: the same file, emptied under the writer.
    func truncate() { precondition(ftruncate(fd, 0) == 0) }
}

/// What a follower delivered, as values.
struct FollowedRecord: Equatable, CustomStringConvertible {
    var path: String
    var number: Int
    var text: String
    var serial = 0
    var description: String { "\((path as NSString).lastPathComponent):\(number) \(text)" }
}

/// Polls `follower` (waiting between polls as `live` does) until `done` holds or the deadline
/// passes; deadlines, not fixed sleeps, so a busy machine only makes the test slower. The default
/// deadline is generous (a loaded 2-core machine): a wait for a state returns as soon as it holds.
/// A short `seconds` with `{ _ in false }` is only ever a window to see that nothing *more* comes,
/// which a slow machine can make weaker but never red.
@discardableResult
func followUntil(_ follower: FileFollower, into records: inout [FollowedRecord], seconds: Double = 30,
                 maxLines: Int = 10_000, states: ((SourceState) -> Void)? = nil, opened: (() -> Void)? = nil,
                 _ done: ([FollowedRecord]) -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        follower.poll(maxLines: maxLines) { event in
            if case .line(let line) = event {
                records.append(FollowedRecord(path: line.file.path, number: line.number,
                                              text: String(decoding: line.bytes, as: UTF8.self), serial: line.file.serial))
            }
            if case .opened = event { opened?() }
        }
        states?(follower.state)
        if done(records) { return true }
        if Date() > deadline { return false }
        follower.wait(timeout: 0.05)
    }
}

func texts(_ records: [FollowedRecord]) -> [String] { records.map(\.text) }

func expectedLines(_ range: ClosedRange<Int>, _ prefix: String = "line") -> [String] {
    range.map { "\(prefix) \($0)" }
}

/// Fast options: short grace so drained rotated files close quickly.
func fastFollow(inotify: Bool = true) -> FileFollower.Options {
    FileFollower.Options(pollInterval: 0.05, useInotify: inotify, rotatedGrace: 0.2, rotatedStateSeconds: 0.5)
}
