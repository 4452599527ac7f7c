import Foundation
import Testing
import TenantWatchCore
import TenantWatchFleet

/// `Shipper` against the real cluster: every line once, in order, with its position; the read
/// position saved only after the acknowledgement; a crash between the two re-sends a batch the
/// stream drops.
@Suite(.serialized)
struct ShipperTests {
    let cluster: NATSCluster
    let transport: JetStreamTransport
    let directory: String
    let host = uniqueName("host-")

    init() throws {
        cluster = try NATSCluster.get()
        transport = try cluster.connect("tenantwatch ship tests")
        try cluster.ensureOnce(ShippedLine.streamSettings(replicas: 3, duplicateWindow: 600), with: transport)
        directory = NSTemporaryDirectory() + uniqueName("tw-ship-")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    private func append(_ path: String, _ lines: ClosedRange<Int>, minute: Int = 0) throws {
        let text = lines.map { "2026-12-06 04:0\(minute):00.\($0) UTC [42] LOG:  statement: select \($0)\n" }.joined()
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    private func shipper(_ path: String, state: String, batch: Int = 100) throws -> Shipper {
        try Shipper(host: host, sources: [.init(kind: .postgres, pattern: path)], transport: transport, statePath: state,
                    options: Shipper.Options(batchLines: batch, fromStart: true,
                                             follower: FileFollower.Options(pollInterval: 0.01, useInotify: false)))
    }

    /// Steps until a step publishes nothing.
    private func shipAll(_ s: Shipper) throws {
        var rounds = 0
        while try s.step() > 0 || !s.isCaughtUp {
            rounds += 1
            #expect(rounds < 1000)
            if rounds >= 1000 { break }
        }
    }

    private func shippedLines(expecting: Int) throws -> [(line: Int, text: String)] {
        try drain(transport, stream: ShippedLine.stream, subject: ShippedLine.subject(kind: .postgres, host: host),
                  expecting: expecting).map { m in
            let parsed = try #require(ShippedLine.parse(m))
            return (parsed.line, String(decoding: m.payload, as: UTF8.self))
        }
    }

    @Test func everyLineOnceInOrderWithItsSourceAndNumber() throws {
        let log = directory + "/pg.log"
        try append(log, 1...450)
        let s = try shipper(log, state: directory + "/state.json")
        try shipAll(s)
        let got = try shippedLines(expecting: 450)
        #expect(got.map(\.line) == Array(1...450))
        #expect(got.last?.text == "2026-12-06 04:00:00.450 UTC [42] LOG:  statement: select 450")
        #expect(s.progress.linesPublished == 450)
        let m = try drain(transport, stream: ShippedLine.stream, subject: ShippedLine.subject(kind: .postgres, host: host),
                          expecting: 450).first
        #expect(m?.headers[ShippedLine.sourceHeader] == log)
    }

    @Test func restartResumesWithNoGapAndNoDouble() throws {
        let log = directory + "/pg.log"
        let state = directory + "/state.json"
        try append(log, 1...300)
        try shipAll(try shipper(log, state: state))
        try append(log, 301...420)
        // A new process from the saved state: only the appended lines.
        let second = try shipper(log, state: state)
        try shipAll(second)
        #expect(second.progress.linesPublished == 120)
        #expect(try shippedLines(expecting: 420).map(\.line) == Array(1...420))
    }

    @Test func crashBetweenAckAndSaveResendsABatchTheStreamDrops() throws {
        let log = directory + "/pg.log"
        let state = directory + "/state.json"
        try append(log, 1...250)
        let first = try shipper(log, state: state, batch: 100)
        #expect(try first.step() == 100)
        let savedAfterFirstBatch = try Data(contentsOf: URL(fileURLWithPath: state))
        #expect(try first.step() == 100)
        // The process died after the second batch was acknowledged but before its position
        // reached the disk: the state file still says 100.
        try savedAfterFirstBatch.write(to: URL(fileURLWithPath: state))
        let restarted = try shipper(log, state: state, batch: 100)
        try shipAll(restarted)
        #expect(restarted.progress.linesPublished == 150)  // 101...250 sent again or for the first time
        #expect(try shippedLines(expecting: 250).map(\.line) == Array(1...250))
    }

    @Test func rotationIsFollowedWithoutLosingTheOldFilesTail() throws {
        let log = directory + "/pg.log"
        let state = directory + "/state.json"
        try append(log, 1...50)
        let s = try shipper(log, state: state)
        try shipAll(s)
        try append(log, 51...60)
        #expect(rename(log, log + ".1") == 0)
        // The new file's lines are numbered from 1 again, under the same path: their ids differ
        // from the old lines 1...5 by content (a log line carries its time).
        try append(log, 1...5, minute: 1)
        var tries = 0
        while tries < 500 {
            try s.step()
            if s.progress.linesPublished >= 65 { break }
            tries += 1
            Thread.sleep(forTimeInterval: 0.01)
        }
        let got = try shippedLines(expecting: 65).map(\.line)
        #expect(got == Array(1...60) + Array(1...5))
    }

    @Test func crashThenRotationKeepsTheIdsOfTheRenamedFilesLines() throws {
        let log = directory + "/pg.log"
        let state = directory + "/state.json"
        try append(log, 1...100)
        let first = try shipper(log, state: state, batch: 50)
        #expect(try first.step() == 50)
        let savedAfterFirstBatch = try Data(contentsOf: URL(fileURLWithPath: state))
        #expect(try first.step() == 50)
        try savedAfterFirstBatch.write(to: URL(fileURLWithPath: state))
        // While the shipper is down its file is rotated: the restart finishes it as pg.log.1,
        // re-sending 51...100 under that name; the stream must still see them as the same lines.
        #expect(rename(log, log + ".1") == 0)
        try append(log, 1...10, minute: 1)
        let restarted = try shipper(log, state: state, batch: 50)
        var rounds = 0
        while restarted.progress.linesPublished < 60 && rounds < 500 {
            try restarted.step()
            rounds += 1
        }
        let got = try shippedLines(expecting: 110)
        #expect(got.map(\.line) == Array(1...100) + Array(1...10))
        #expect(got.last?.text.hasPrefix("2026-12-06 04:01:00.10 UTC") == true)
    }

    @Test func aLineLongerThanTheBusTakesTravelsCutAndMarked() throws {
        let log = directory + "/pg.log"
        try append(log, 1...1)
        let long = "2026-12-06 04:00:01 UTC [42] LOG:  statement: select '" + String(repeating: "x", count: 2 << 20) + "'\n"
        let handle = try #require(FileHandle(forWritingAtPath: log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(long.utf8))
        try handle.close()
        try append(log, 3...3, minute: 2)
        let s = try shipper(log, state: directory + "/state.json")
        try shipAll(s)
        let got = try drain(transport, stream: ShippedLine.stream, subject: ShippedLine.subject(kind: .postgres, host: host),
                            expecting: 3)
        #expect(got.map { $0.headers[ShippedLine.lineHeader] } == ["1", "2", "3"])
        #expect(got.map { $0.headers[ShippedLine.truncatedHeader] } == [nil, "1", nil])
        #expect(got[1].payload.count < transport.maximumMessageSize)
        #expect(got[1].payload.count > 1000)
        #expect(String(decoding: got[1].payload.prefix(20), as: UTF8.self) == "2026-12-06 04:00:01 ")
    }

    @Test func stateOfAnotherHostIsRefused() throws {
        let state = directory + "/state.json"
        try ShipState(host: "elsewhere", followers: []).save(path: state)
        let error = #expect(throws: TransportError.self) { _ = try shipper(directory + "/pg.log", state: state) }
        #expect(error?.message.contains("belongs to host elsewhere") == true)
    }

    @Test func subjectsKeepHostNamesToOneToken() {
        #expect(ShippedLine.subject(kind: .redis, host: "cache-1.eu.example") == "tw.log.redis.cache-1_eu_example")
        #expect(ShippedLine.subjectToken("a b*c>d") == "a_b_c_d")
        #expect(ShippedLine.subjectToken("") == "_")
    }
}
