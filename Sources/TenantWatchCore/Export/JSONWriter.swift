import TenantWatchModel

/// A minimal JSON writer that keeps keys in the order given.
///
/// Findings are read by people as often as by programs, so the contract's field order is kept;
/// every control character is escaped, so a hostile value can never reach a terminal raw.
public struct JSONWriter {
    /// The document so far. Written as bytes: a scan prints thousands of findings, and
    /// appending to a `String` piece by piece cost more than building the findings.
    public var output: String { String(decoding: bytes, as: UTF8.self) }
    private var bytes: [UInt8] = []
    /// The document so far as UTF-8 (to join documents without a `String` each).
    var utf8: [UInt8] { bytes }
    private var needsComma: [Bool] = [false]

    public init() {}

    public mutating func beginObject() { value(); bytes.append(UInt8(ascii: "{")); needsComma.append(false) }
    public mutating func endObject() { needsComma.removeLast(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { value(); bytes.append(UInt8(ascii: "[")); needsComma.append(false) }
    public mutating func endArray() { needsComma.removeLast(); bytes.append(UInt8(ascii: "]")) }

    public mutating func key(_ k: String) {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        JSONWriter.appendQuoted(k, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        pendingKey = true
    }

    /// Appends ASCII text that needs no escaping (`null`, numbers).
    private mutating func raw(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    private var pendingKey = false

    /// Called before every value: a value after a key needs no comma, but the next key does.
    private mutating func value() {
        if pendingKey {
            pendingKey = false
            needsComma[needsComma.count - 1] = true
            return
        }
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    public mutating func string(_ s: String?) {
        value()
        if let s { JSONWriter.appendQuoted(s, to: &bytes) } else { raw("null") }
    }
    public mutating func int(_ i: Int?) {
        value()
        if let i { bytes.append(contentsOf: String(i).utf8) } else { raw("null") }
    }
    public mutating func bool(_ b: Bool) { value(); if b { raw("true") } else { raw("false") } }
    /// A number as text (a JSON number read back: `1e400` and 40-digit ids keep their digits).
    public mutating func rawNumber(_ text: String) {
        value()
        bytes.append(contentsOf: text.utf8)
    }
    public mutating func null() { value(); raw("null") }
    public mutating func strings(_ list: [String]) {
        beginArray()
        for s in list { string(s) }
        endArray()
    }

    public mutating func field(_ k: String, _ s: String?) { key(k); string(s) }
    public mutating func field(_ k: String, _ i: Int?) { key(k); int(i) }
    public mutating func field(_ k: String, _ list: [String]) { key(k); strings(list) }

    public static func quoted(_ s: String) -> String {
        var out = ""
        appendQuoted(s, to: &out)
        return out
    }

    /// `appendQuoted` into the writer's bytes: the same text, without a `String` per value.
    static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        var s = s
        let plain = s.withUTF8 { u in
            guard u.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C && $0 < 0x7F }) else { return false }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: u)
            out.append(UInt8(ascii: "\""))
            return true
        }
        if !plain {
            var text = ""
            appendQuoted(s, to: &text)
            out.append(contentsOf: text.utf8)
        }
    }

    public static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        // Runs of plain ASCII are copied whole; only what needs escaping is looked at closely.
        var s = s
        // Most values need no escaping at all: appended as they are, with no String built.
        if s.withUTF8({ u in u.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C && $0 < 0x7F } }) {
            out += s
            out += "\""
            return
        }
        s.withUTF8 { u in
            var runStart = 0
            var i = 0
            func flush(_ end: Int) {
                if end > runStart { out += String(decoding: UnsafeBufferPointer(rebasing: u[runStart..<end]), as: UTF8.self) }
            }
            while i < u.count {
                let c = u[i]
                if c >= 0x20 && c != 0x22 && c != 0x5C && c < 0x7F { i += 1; continue }
                if c >= 0x80 {
                    // A multi-byte scalar: decode it to see whether it is a C1 control, a separator or a
                    // bidi control (escaped: the same string, but `cat` cannot reorder the line).
                    var it = UnsafeBufferPointer(rebasing: u[i...]).makeIterator()
                    var decoder = UTF8()
                    guard case .scalarValue(let scalar) = decoder.decode(&it) else { i += 1; continue }
                    let width = scalar.value < 0x800 ? 2 : scalar.value < 0x10000 ? 3 : 4
                    if (scalar.value >= 0x80 && scalar.value < 0xA0) || scalar.value == 0x2028 || scalar.value == 0x2029
                        || TextSanitizer.isBidiControl(scalar.value) {
                        flush(i)
                        let hex = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                        i += width
                        runStart = i
                    } else {
                        i += width
                    }
                    continue
                }
                flush(i)
                switch c {
                case 0x22: out += "\\\""
                case 0x5C: out += "\\\\"
                case 0x0A: out += "\\n"
                case 0x0D: out += "\\r"
                case 0x09: out += "\\t"
                default:
                    let hex = String(c, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
                i += 1
                runStart = i
            }
            flush(u.count)
        }
        out += "\""
    }
}
