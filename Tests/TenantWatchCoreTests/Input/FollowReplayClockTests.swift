import Foundation
import Testing
@testable import TenantWatchCore

/// Replay pacing is arithmetic over (log time, wall time): tested without sleeping.
@Suite struct FollowReplayClockTests {
    let t0 = ReplayWindow.parseTime("2026-11-22T12:00:00Z")!

    func at(_ seconds: Double) -> Timestamp { Timestamp(microseconds: t0.microseconds + Int64(seconds * 1e6)) }

    @Test func speedScalesTheWaitBetweenEvents() {
        var clock = ReplayClock(speed: .factor(2))
        #expect(clock.decide(logTime: at(0), now: 100) == .release)
        #expect(clock.decide(logTime: at(3), now: 100) == .wait(seconds: 1.5))
        #expect(clock.decide(logTime: at(3), now: 101) == .wait(seconds: 0.5))
        #expect(clock.decide(logTime: at(3), now: 101.5) == .release)
        #expect(clock.decide(logTime: nil, now: 101.5) == .release)            // untimed: at once
        #expect(clock.decide(logTime: at(2), now: 101.5) == .release)          // out of order: at once
        #expect(clock.read == 4 && clock.released == 4)
    }

    @Test func maxNeverWaits() {
        var clock = ReplayClock(speed: .max)
        #expect(clock.decide(logTime: at(0), now: 0) == .release)
        #expect(clock.decide(logTime: at(86_400), now: 0) == .release)
    }

    @Test func longGapsAreCappedAndReported() {
        var clock = ReplayClock(speed: .factor(1), maximumGap: 5)
        #expect(clock.decide(logTime: at(0), now: 10) == .release)
        #expect(clock.decide(logTime: at(3600), now: 10) == .wait(seconds: 5))
        #expect(clock.lastCappedGap == 3595)
        #expect(clock.decide(logTime: at(3600), now: 15) == .release)
        // Pacing continues normally from the new anchor.
        #expect(clock.decide(logTime: at(3602), now: 15) == .wait(seconds: 2))
        #expect(clock.cappedGapTotal == 3595)
    }

    @Test func pauseShiftsEverythingByThePause() {
        var clock = ReplayClock(speed: .factor(1))
        _ = clock.decide(logTime: at(0), now: 0)
        clock.pause(now: 1)
        #expect(clock.decide(logTime: at(2), now: 5) == .paused)
        clock.resume(now: 11)
        #expect(clock.decide(logTime: at(2), now: 11) == .wait(seconds: 1))
        #expect(clock.decide(logTime: at(2), now: 12) == .release)
    }

    @Test func speedChangesApplyFromNow() {
        var clock = ReplayClock(speed: .factor(1), maximumGap: 60)
        _ = clock.decide(logTime: at(0), now: 0)
        #expect(clock.decide(logTime: at(10), now: 2) == .wait(seconds: 8))
        clock.faster(now: 2)                     // 2×: 8 log seconds left → 4 wall seconds
        #expect(clock.speed == .factor(2))
        #expect(clock.decide(logTime: at(10), now: 2) == .wait(seconds: 4))
        clock.slower(now: 4)                     // back to 1× with 4 log seconds left
        #expect(clock.decide(logTime: at(10), now: 4) == .wait(seconds: 4))
        clock.setSpeed(.max, now: 4)
        #expect(clock.decide(logTime: at(10), now: 4) == .release)
        clock.slower(now: 4)
        #expect(clock.speed == .factor(1))
    }

    @Test func eventsOutsideTheWindowAreSkippedButCounted() throws {
        let window = try ReplayWindow(from: "2026-11-22 12:00:05", to: "2026-11-22T12:00:10Z")
        var clock = ReplayClock(speed: .max, window: window)
        #expect(clock.decide(logTime: at(1), now: 0) == .skip)
        #expect(clock.decide(logTime: at(5), now: 0) == .release)
        #expect(clock.decide(logTime: nil, now: 0) == .release)
        #expect(clock.decide(logTime: at(10), now: 0) == .release)
        #expect(clock.decide(logTime: at(10.001), now: 0) == .skip)
        #expect(clock.read == 5 && clock.skipped == 2 && clock.released == 3)
    }

    @Test func parsesTheCommandLineForms() throws {
        #expect(ReplayWindow.parseTime("2026-11-22T12:52:10.382Z")?.rfc3339 == "2026-11-22T12:52:10.382Z")
        #expect(ReplayWindow.parseTime("2026-11-22T13:52:10+01:00")?.rfc3339 == "2026-11-22T12:52:10.000Z")
        #expect(ReplayWindow.parseTime("2026-11-22 12:52:10")?.rfc3339 == "2026-11-22T12:52:10.000Z")
        #expect(ReplayWindow.parseTime("2026-11-22 12:52:10", utcOffsetSeconds: 3600)?.rfc3339 == "2026-11-22T11:52:10.000Z")
        #expect(ReplayWindow.parseTime("2026-11-22")?.rfc3339 == "2026-11-22T00:00:00.000Z")
        #expect(ReplayWindow.parseTime("22/11/2026") == nil)
        #expect(ReplayWindow.parseTime("2026-11-22 25:00:00") == nil)
        #expect(throws: ConfigError.self) { try ReplayWindow(from: "yesterday", to: nil) }
        #expect(throws: ConfigError.self) { try ReplayWindow(from: "2026-11-23", to: "2026-11-22") }
        #expect(ReplaySpeed(argument: "max") == .max)
        #expect(ReplaySpeed(argument: "10x") == .factor(10))
        #expect(ReplaySpeed(argument: "0.5") == .factor(0.5))
        #expect(ReplaySpeed(argument: "0") == nil)
        #expect(ReplaySpeed(argument: "fast") == nil)
    }
}
