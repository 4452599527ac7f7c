import Foundation
import Testing
@testable import TenantWatchCore

/// `.gz` archives read through `ByteSources.open` + `LineReader`, the way `scan`/`replay` read them.
@Suite struct FollowGzipTests {
    /// Compresses with the system's `gzip`, as logrotate would.
    func gzip(_ text: String) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-c"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let writing = Thread { input.fileHandleForWriting.write(Data(text.utf8)); try? input.fileHandleForWriting.close() }
        writing.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }

    func readAll(_ path: String) throws -> [String] {
        let source = try ByteSources.open(path: path)
        var reader = LineReader(source: source, chunkSize: 4096)
        defer { reader.close() }
        var out: [String] = []
        try reader.forEachLine { line, _, _ in out.append(String(decoding: line, as: UTF8.self)) }
        return out
    }

    @Test func singleMemberIsReadLikeAPlainFile() throws {
        let dir = FollowTempDir()
        let text = (1...20_000).map { "line \($0)" }.joined(separator: "\n") + "\n"
        // The name says nothing: detection is by the magic bytes.
        FileManager.default.createFile(atPath: dir.file("postgresql.log.1"), contents: try gzip(text))
        FileManager.default.createFile(atPath: dir.file("plain.gz"), contents: Data("not compressed\n".utf8))
        #expect(try readAll(dir.file("postgresql.log.1")) == expectedLines(1...20_000))
        #expect(try readAll(dir.file("plain.gz")) == ["not compressed"])
    }

    @Test func concatenatedMembersReadAsOneFile() throws {
        let dir = FollowTempDir()
        var data = try gzip(expectedLines(1...3).joined(separator: "\n") + "\n")
        data.append(try gzip(expectedLines(4...6).joined(separator: "\n") + "\n"))
        data.append(Data(repeating: 0, count: 512))   // tape padding, tolerated like gzip does
        FileManager.default.createFile(atPath: dir.file("multi.log.gz"), contents: data)
        #expect(try readAll(dir.file("multi.log.gz")) == expectedLines(1...6))
    }

    @Test func corruptArchiveIsAnErrorNamingTheFile() throws {
        let dir = FollowTempDir()
        var data = try gzip((1...2000).map { "line \($0) \(String(repeating: "x", count: $0 % 50))" }.joined(separator: "\n"))
        for i in stride(from: 40, to: data.count - 20, by: 7) { data[i] ^= 0x5A }
        FileManager.default.createFile(atPath: dir.file("bad.log.gz"), contents: data)
        var caught: SourceError?
        do { _ = try readAll(dir.file("bad.log.gz")) } catch let e as SourceError { caught = e }
        guard case .corruptCompressedData(let path, _)? = caught else {
            Issue.record("expected a corrupt-data error, got \(String(describing: caught))")
            return
        }
        #expect(path == dir.file("bad.log.gz"))
        #expect(caught!.description.contains("bad.log.gz"))
    }

    @Test func truncatedArchiveIsAnError() throws {
        let dir = FollowTempDir()
        let data = try gzip(expectedLines(1...5000).joined(separator: "\n"))
        FileManager.default.createFile(atPath: dir.file("cut.gz"), contents: data.prefix(data.count / 2))
        #expect(throws: SourceError.self) { _ = try readAll(dir.file("cut.gz")) }
    }

    /// A corrupt archive stops only itself: its lines before the damage stand, the cursor
    /// reports it, and a merge goes on with the other sources.
    @Test func corruptArchiveStopsOnlyItsOwnCursor() throws {
        let dir = FollowTempDir()
        var data = try gzip(expectedLines(1...50_000).joined(separator: "\n") + "\n")
        data[data.count / 2] ^= 0xFF
        data[data.count / 2 + 1] ^= 0xFF
        FileManager.default.createFile(atPath: dir.file("bad.gz"), contents: data)
        FileManager.default.createFile(atPath: dir.file("good.log"), contents: Data("a\nb\n".utf8))
        let bad = SourceCursor(file: "bad.gz", source: try ByteSources.open(path: dir.file("bad.gz")), parser: LineEcho(file: "bad.gz"))
        let good = SourceCursor(file: "good.log", source: try ByteSources.open(path: dir.file("good.log")), parser: LineEcho(file: "good.log"))
        var badEvents = 0
        while try bad.next() != nil { badEvents += 1 }
        var goodEvents = 0
        while try good.next() != nil { goodEvents += 1 }
        #expect(badEvents > 0 && badEvents <= 50_000)
        #expect(bad.failure?.contains("bad.gz") == true)
        #expect(goodEvents == 2)
        #expect(good.failure == nil)
    }
}

/// One `.unparsed` event per line: enough to count what a cursor delivers.
struct LineEcho: LogParser {
    var file: String
    mutating func feed(line: UnsafeBufferPointer<UInt8>, lineNumber: Int, into events: inout [Event]) {
        events.append(.unparsed(UnparsedLine(position: SourcePosition(file: file, line: lineNumber), reason: "echo")))
    }
    mutating func finish(into events: inout [Event]) {}
}

/// Replay's input: plain and compressed archives of one source merged by log time.
@Suite struct FollowMergedReaderTests {
    @Test func archivesMergeInTimeOrderWhateverTheirNames() throws {
        let dir = FollowTempDir()
        func line(_ s: Int, _ sql: String) -> String { "2026-11-22 13:00:\(s < 10 ? "0" : "")\(s).000 UTC [1] LOG:  statement: \(sql)\n" }
        // logrotate numbering: .2.gz is the oldest, then .1, then the current file.
        let gz = try FollowGzipTests().gzip(line(1, "SELECT 1") + line(2, "SELECT 2"))
        FileManager.default.createFile(atPath: dir.file("postgresql.log.2.gz"), contents: gz)
        FileManager.default.createFile(atPath: dir.file("postgresql.log.1"), contents: Data((line(3, "SELECT 3") + line(4, "SELECT 4")).utf8))
        FileManager.default.createFile(atPath: dir.file("postgresql.log"), contents: Data(line(5, "SELECT 5").utf8))
        let reader = try MergedEventReader(sources: [SourceSpec(kind: .postgres, path: dir.file("postgresql.log*"))]) { _, _, file in
            PostgresLogParser(format: .stderr, prefix: "%m [%p] ", timezone: "UTC", file: file)
        }
        var sql: [String] = []
        while let event = try reader.next() {
            if case .statement(let s) = event { sql.append(s.sql) }
        }
        #expect(sql == (1...5).map { "SELECT \($0)" })
        #expect(reader.files.count == 3)
        #expect(reader.lines == 5)
        #expect(reader.warnings.isEmpty)
    }
}
