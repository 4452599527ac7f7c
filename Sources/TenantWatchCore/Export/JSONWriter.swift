/// A minimal JSON writer that keeps keys in the order given.
///
/// Findings are read by people as often as by programs, so the contract's field order is kept;
/// every control character is escaped, so a hostile value can never reach a terminal raw.
public struct JSONWriter {
    public private(set) var output = ""
    private var needsComma: [Bool] = [false]

    public init() {}

    public mutating func beginObject() { value(); output += "{"; needsComma.append(false) }
    public mutating func endObject() { needsComma.removeLast(); output += "}" }
    public mutating func beginArray() { value(); output += "["; needsComma.append(false) }
    public mutating func endArray() { needsComma.removeLast(); output += "]" }

    public mutating func key(_ k: String) {
        if needsComma[needsComma.count - 1] { output += "," }
        JSONWriter.appendQuoted(k, to: &output)
        output += ":"
        pendingKey = true
    }

    private var pendingKey = false

    /// Called before every value: a value after a key needs no comma, but the next key does.
    private mutating func value() {
        if pendingKey {
            pendingKey = false
            needsComma[needsComma.count - 1] = true
            return
        }
        if needsComma[needsComma.count - 1] { output += "," }
        needsComma[needsComma.count - 1] = true
    }

    public mutating func string(_ s: String?) {
        value()
        if let s { JSONWriter.appendQuoted(s, to: &output) } else { output += "null" }
    }
    public mutating func int(_ i: Int?) { value(); output += i.map(String.init) ?? "null" }
    public mutating func bool(_ b: Bool) { value(); output += b ? "true" : "false" }
    public mutating func null() { value(); output += "null" }
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

    public static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20 || c.value == 0x7F || (c.value >= 0x80 && c.value < 0xA0):
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
