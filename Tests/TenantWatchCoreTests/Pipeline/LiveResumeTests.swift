import Foundation
import Testing
@testable import TenantWatchCore

/// `live`'s resume rules without a terminal: which stored checkpoints each source takes, what is
/// settled, what was read, what a commit saves; then the whole chain through a real store and a
/// real follower (checkpoint saved, process gone, new run reads exactly the lines after it).
@Suite struct LiveResumeTests {
    func checkpoint(_ path: String, line: Int, inode: UInt64 = 7, offset: Int64? = nil, readLine: Int? = nil,
                    settled: Int64? = nil, updated: Double? = nil) -> SourceCheckpoint {
        var c = SourceCheckpoint(path: path, device: 1, inode: inode, offset: offset ?? Int64(line * 10), lineNumber: line,
                                 headHash: 9, headLength: 10, updatedAt: updated.map { Timestamp(seconds: $0) })
        c.readLine = readLine
        c.settledBefore = settled
        return c
    }

    func files(_ start: FileFollower.StartPosition) -> [String]? {
        if case .checkpoint(let c) = start { return c.files.map(\.path) }
        return nil
    }

    @Test func aFirstRunStartsEverySourceAtItsEnd() {
        let r = LiveResume(sources: [SourceSpec(kind: .postgres, path: "/logs/pg.log"), SourceSpec(kind: .audit, path: "/logs/audit.log")],
                           stored: [:])
        #expect(r.starts.count == 2)
        #expect(r.starts.allSatisfy { if case .end = $0 { return true } else { return false } })
        #expect(r.settledBefore == nil)
        #expect(r.readThrough.isEmpty)
    }

    @Test func eachSourceTakesTheCheckpointsOfItsOwnFilesOnly() {
        let stored = [
            "/logs/postgresql-1.log": checkpoint("/logs/postgresql-1.log", line: 5, inode: 1, updated: 100),
            "/logs/postgresql-2.log": checkpoint("/logs/postgresql-2.log", line: 9, inode: 2, updated: 250),
            "/logs/audit.log": checkpoint("/logs/audit.log", line: 3, inode: 3, updated: 90),
            "/old/redis.log": checkpoint("/old/redis.log", line: 1, inode: 4),
        ]
        let r = LiveResume(sources: [SourceSpec(kind: .postgres, path: "/logs/postgresql-*.log"),
                                     SourceSpec(kind: .audit, path: "/logs/audit.log"),
                                     SourceSpec(kind: .redis, path: "/logs/redis.log")], stored: stored)
        #expect(files(r.starts[0]) == ["/logs/postgresql-1.log", "/logs/postgresql-2.log"])
        #expect(files(r.starts[1]) == ["/logs/audit.log"])
        // A checkpoint of a file the config no longer names is not taken by another source.
        #expect(files(r.starts[2]) == nil)
        // The glob's scan time is its newest save.
        if case .checkpoint(let c) = r.starts[0] { #expect(c.scannedAt == 250); #expect(c.pattern == "/logs/postgresql-*.log") }
    }

    @Test func settledIsTheEarliestOfAnySourceAndReadThroughTheFurthestLine() {
        let stored = [
            "/logs/pg.log": checkpoint("/logs/pg.log", line: 40, inode: 1, readLine: 55, settled: 9_000),
            "/logs/audit.log": checkpoint("/logs/audit.log", line: 12, inode: 2, settled: 7_000),
        ]
        let r = LiveResume(sources: [SourceSpec(kind: .postgres, path: "/logs/pg.log"), SourceSpec(kind: .audit, path: "/logs/audit.log")],
                           stored: stored)
        #expect(r.settledBefore == 7_000)
        // Read through readLine when saved, else the resume line itself.
        #expect(r.readThrough == ["/logs/pg.log": 55, "/logs/audit.log": 12])
    }

    /// A store from before settling was recorded: nothing is taken as stored already.
    @Test func withoutSettledCheckpointsNothingCountsAsStored() {
        let stored = ["/logs/pg.log": checkpoint("/logs/pg.log", line: 40, readLine: 55)]
        let r = LiveResume(sources: [SourceSpec(kind: .postgres, path: "/logs/pg.log")], stored: stored)
        #expect(r.settledBefore == nil)
        #expect(r.readThrough.isEmpty)
        #expect(files(r.starts[0]) == ["/logs/pg.log"])
    }

    /// A commit while the restarted run still catches up (reading at line 31 of a file the
    /// stopped run had read to line 55) keeps 55: a second kill must not take lines 32-55 as
    /// never read (their stored sightings would be counted again). Another file (a new inode, or
    /// the same inode with a new head: truncated) keeps where it reads.
    @Test func aCommitWhileCatchingUpKeepsWhatTheStoppedRunHadRead() {
        let stopped = [checkpoint("/logs/pg.log", line: 40, inode: 1, readLine: 55, settled: 9_000),
                       checkpoint("/logs/audit.log", line: 2, inode: 2, readLine: 9, settled: 9_000)]
        let r = LiveResume(sources: [SourceSpec(kind: .postgres, path: "/logs/pg.log"), SourceSpec(kind: .audit, path: "/logs/audit.log")],
                           stored: Dictionary(uniqueKeysWithValues: stopped.map { ($0.path, $0) }))
        #expect(r.readBefore.count == 2)
        var truncated = checkpoint("/logs/audit.log", line: 1, inode: 2)
        truncated.headHash = 77
        let saved = LiveResume.checkpoints(resume: [checkpoint("/logs/pg.log", line: 40, inode: 1), truncated],
                                           reading: [checkpoint("/logs/pg.log", line: 31, inode: 1), truncated],
                                           settled: 9_000, readBefore: r.readBefore)
        #expect(saved.map(\.readLine) == [55, 1])
        #expect(saved.first?.readOffset == 400)
        // Once past it, where reading stands.
        let later = LiveResume.checkpoints(resume: [checkpoint("/logs/pg.log", line: 50, inode: 1)],
                                           reading: [checkpoint("/logs/pg.log", line: 70, inode: 1)],
                                           settled: 9_500, readBefore: r.readBefore)
        #expect(later.map(\.readLine) == [70])
    }

    @Test func aSavedCheckpointResumesBehindButRecordsWhereReadingStood() {
        let resume = [checkpoint("/logs/pg.log", line: 20, inode: 1), checkpoint("/logs/audit.log", line: 3, inode: 2)]
        let reading = [checkpoint("/logs/audit.log", line: 8, inode: 2), checkpoint("/logs/pg.log", line: 31, inode: 1),
                       checkpoint("/logs/pg.log.1", line: 99, inode: 5)]
        let saved = LiveResume.checkpoints(resume: resume, reading: reading, settled: 5_000)
        #expect(saved.map(\.lineNumber) == [20, 3])
        #expect(saved.map(\.readLine) == [31, 8])
        #expect(saved.map(\.readOffset) == [310, 80])
        #expect(saved.allSatisfy { $0.settledBefore == 5_000 })
        // Nothing settled yet: saved as nil, not as Int64.min.
        #expect(LiveResume.checkpoints(resume: resume, reading: reading, settled: .min).allSatisfy { $0.settledBefore == nil })
    }

    /// The chain a `kill -9` exercises: a run reads six lines and saves its checkpoint in the
    /// store; a new run, given only the store, reads lines 7... with their own numbers, once.
    @Test func aRestartFromTheStoreReadsExactlyTheLinesAfterTheSavedOne() throws {
        let dir = FollowTempDir()
        let path = dir.file("pg.log")
        let writer = FollowTestWriter(path)
        writer.lines(1...10)
        let spec = SourceSpec(kind: .postgres, path: path)

        let first = FileFollower(pattern: path, start: .beginning, options: fastFollow())
        var got: [FollowedRecord] = []
        #expect(followUntil(first, into: &got, maxLines: 6) { $0.count >= 6 })
        #expect(got.count == 6)
        let reading = first.checkpoint().files
        var resume = reading
        resume[0] = try #require(SourceCheckpoint.capture(path: path, offset: Int64("line 1\nline 2\nline 3\nline 4\n".utf8.count),
                                                          lineNumber: 4))
        let store = try IncidentStore(path: dir.file("state.sqlite"))
        _ = try store.commit(findings: [], checkpoints: LiveResume.checkpoints(resume: resume, reading: reading, settled: 1_000))

        // The new run: the store's checkpoints only.
        let resumed = LiveResume(sources: [spec], stored: try store.checkpoints())
        #expect(resumed.settledBefore == 1_000)
        #expect(resumed.readThrough == [path: 6])
        writer.lines(11...12)
        let second = FileFollower(pattern: path, start: resumed.starts[0], options: fastFollow())
        var again: [FollowedRecord] = []
        #expect(followUntil(second, into: &again) { $0.count >= 8 })
        followUntil(second, into: &again, seconds: 0.2) { _ in false }
        // Resumed a context behind (line 5), so lines 5-6 are read again and known as read.
        #expect(again.map(\.number) == Array(5...12))
        #expect(texts(again) == expectedLines(5...12))
    }
}
