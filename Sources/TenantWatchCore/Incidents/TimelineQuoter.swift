#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fills timeline entries' raw text from their source files (the physical lines `line...endLine`),
/// so the store keeps the evidence itself, not only where it was. Each file is read once, up to
/// the last line needed; entries that already carry raw text (a statement's SQL) keep it.
public enum TimelineQuoter {
    /// Quotes the records of every entry without raw text; files that cannot be read are skipped.
    public static func quote(_ batch: inout [(Finding, [TimelineEntry])]) {
        var wanted: [String: Set<Int>] = [:]
        for (_, entries) in batch {
            for e in entries where e.raw == nil {
                guard let p = e.position, p.file != "-", p.line > 0 else { continue }
                let last = min(max(p.endLine, p.line), p.line + 200)
                wanted[p.file, default: []].formUnion(p.line...last)
            }
        }
        var text: [String: [Int: String]] = [:]
        for (file, lines) in wanted { text[file] = read(file, lines: lines) }
        for i in batch.indices {
            for j in batch[i].1.indices where batch[i].1[j].raw == nil {
                guard let p = batch[i].1[j].position, let got = text[p.file] else { continue }
                let last = min(max(p.endLine, p.line), p.line + 200)
                let quoted = (p.line...last).compactMap { got[$0] }
                if !quoted.isEmpty { batch[i].1[j].setRaw(quoted.joined(separator: "\n")) }
            }
        }
    }

    static func read(_ file: String, lines: Set<Int>) -> [Int: String] {
        guard let maxLine = lines.max() else { return [:] }
        let fd = open(file, O_RDONLY)
        guard fd >= 0 else { return [:] }
        defer { close(fd) }
        var reader = LineReader(fileDescriptor: fd, chunkSize: 1 << 16, maximumLineLength: TimelineEntry.rawLimit)
        defer { reader.close() }
        var out: [Int: String] = [:]
        while let line = try? reader.nextLine() {
            if lines.contains(line.number) { out[line.number] = String(decoding: line.bytes, as: UTF8.self) }
            if line.number >= maxLine { break }
        }
        return out
    }
}
