import Foundation
import Testing
@testable import TenantWatchCore

@Suite struct LineReaderTests {
    /// Writes bytes to a temp file and reads them back through the reader.
    func lines(_ bytes: [UInt8], chunk: Int = 4096, max: Int = 1 << 20) throws -> [(String, Int, Bool)] {
        let path = NSTemporaryDirectory() + "tw-lines-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var reader = LineReader(fileDescriptor: fd, chunkSize: chunk, maximumLineLength: max)
        defer { reader.close() }
        var out: [(String, Int, Bool)] = []
        try reader.forEachLine { line, n, cut in out.append((String(decoding: line, as: UTF8.self), n, cut)) }
        return out
    }

    @Test func splitsLinesAndKeepsALastLineWithoutNewline() throws {
        let got = try lines(Array("a\r\nbb\n\nccc".utf8))
        #expect(got.map(\.0) == ["a", "bb", "", "ccc"])
        #expect(got.map(\.1) == [1, 2, 3, 4])
    }

    @Test func linesAcrossChunkBoundaries() throws {
        let text = (1...5000).map { "line \($0) " + String(repeating: "x", count: $0 % 97) }.joined(separator: "\n") + "\n"
        let got = try lines(Array(text.utf8), chunk: 4096)
        #expect(got.count == 5000)
        #expect(got[4999].0.hasPrefix("line 5000 "))
    }

    @Test func overlongLineIsCutFlaggedAndTheNextLineSurvives() throws {
        let long = [UInt8](repeating: 0x41, count: 20_000)
        let got = try lines(long + [0x0A] + Array("after\n".utf8), chunk: 4096, max: 8192)
        #expect(got.count == 2)
        #expect(got[0].2 == true)
        #expect(got[0].0.count == 8192)
        #expect(got[1].0 == "after")
        #expect(got[1].1 == 2)
    }

    @Test func nulBytesAndInvalidUTF8PassThroughAsBytes() throws {
        let got = try lines([0x00, 0xFF, 0x41, 0x0A, 0x42])
        #expect(got.count == 2)
        #expect(got[1].0 == "B")
    }
}
