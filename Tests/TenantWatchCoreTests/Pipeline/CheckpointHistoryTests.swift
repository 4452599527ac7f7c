import Testing
@testable import TenantWatchCore

@Suite struct CheckpointHistoryTests {
    func checkpoint(_ offset: Int64, line: Int, inode: UInt64 = 7) -> SourceCheckpoint {
        SourceCheckpoint(path: "/logs/pg.log", device: 1, inode: inode, offset: offset, lineNumber: line, headHash: 9, headLength: 10)
    }

    let s: Int64 = 1_000_000

    @Test func resumesFromTheNewestCheckpointWhollyBeforeTheLimit() {
        var h = CheckpointHistory()
        h.opened(checkpoint(0, line: 0))
        h.note(checkpoint(100, line: 10), latest: 10 * s)
        h.note(checkpoint(200, line: 20), latest: 20 * s)
        h.note(checkpoint(300, line: 30), latest: 30 * s)
        let now = checkpoint(400, line: 40)
        // Lines through 200 are at most 20 s old; the parser margin (3 s) keeps 20 + 3 < 25.
        #expect(h.resumePoints(for: [(now, 40 * s)], before: 25 * s).map(\.lineNumber) == [20])
        // The limit never moves back before what was forgotten: the oldest kept entry is the floor.
        #expect(h.resumePoints(for: [(now, 40 * s)], before: 0).map(\.lineNumber) == [20])
    }

    @Test func aFileJustOpenedResumesWhereItWasOpened() {
        var h = CheckpointHistory()
        h.opened(checkpoint(50, line: 5))
        h.note(checkpoint(150, line: 15), latest: 100 * s)
        #expect(h.resumePoints(for: [(checkpoint(150, line: 15), 100 * s)], before: 99 * s).map(\.offset) == [50])
    }

    @Test func recordsAParserStillHoldsKeepTheResumePointBeforeThem() {
        var h = CheckpointHistory()
        h.opened(checkpoint(0, line: 0))
        h.note(checkpoint(100, line: 10), latest: 10 * s)
        // The file's newest event is 12 s: records held now may be a margin (3 s) older, and the
        // lines through the entry at 10 s a margin newer, so it is not safe however far `before` is.
        #expect(h.resumePoints(for: [(checkpoint(120, line: 12), 12 * s)], before: 1000 * s).map(\.offset) == [0])
        #expect(h.resumePoints(for: [(checkpoint(120, line: 12), 17 * s)], before: 1000 * s).map(\.offset) == [100])
    }

    @Test func aNoteAtTheSameOffsetOnlyRaisesItsTime() {
        var h = CheckpointHistory()
        h.opened(checkpoint(0, line: 0))
        h.note(checkpoint(100, line: 10), latest: 10 * s)
        // An idle flush: the held record came out, the offset did not move.
        h.note(checkpoint(100, line: 10), latest: 30 * s)
        #expect(h.resumePoints(for: [(checkpoint(100, line: 10), 60 * s)], before: 20 * s).map(\.offset) == [0])
    }

    @Test func unknownFilesResumeWhereTheyStandAndClosedOnesAreForgotten() {
        var h = CheckpointHistory()
        h.opened(checkpoint(0, line: 0, inode: 1))
        h.note(checkpoint(100, line: 10, inode: 1), latest: 10 * s)
        let other = checkpoint(70, line: 7, inode: 2)
        #expect(h.resumePoints(for: [(other, nil)], before: 100 * s) == [other])
        // Inode 1 was not among the open files: gone; when it shows up again it has no history.
        #expect(h.resumePoints(for: [(checkpoint(100, line: 10, inode: 1), 10 * s)], before: 100 * s).map(\.offset) == [100])
    }
}
