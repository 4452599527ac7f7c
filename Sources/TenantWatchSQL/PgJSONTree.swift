/// libpg_query's JSON parse tree, held as a flat tape over one copy of its bytes.
///
/// Foundation's `JSONSerialization` costs ~4x the parse itself on this output; a tape of offsets
/// costs one allocation for the bytes and one for the entries, and strings are decoded only when
/// the analyzer asks for one. Objects keep their members in order, as libpg_query wrote them.
/// The parser is iterative and caps nesting (`maxDepth`), so hostile input cannot exhaust the stack.
public final class PgJSONTree: Sendable {
    public enum Kind: UInt8, Sendable {
        case object, array, string, number, bool, null
    }

    package struct Entry: Sendable {
        package var kind: Kind
        package var escaped: Bool = false
        package var flag: Bool = false        // the value of a bool
        package var keyStart: Int32 = -1      // member key, without quotes (objects' members only)
        package var keyEnd: Int32 = -1
        package var start: Int32              // string: first byte after the quote; number: first digit
        package var end: Int32                // exclusive; for containers: index after the closing bracket
        package var firstChild: Int32 = -1
        package var next: Int32 = -1
    }

    /// Above the deepest tree libpg_query emits: 3,000 nested scalar subqueries (its grammar gives up not far beyond) are
    /// about 25,000 JSON levels. The parser is iterative, so this bounds memory, not stack.
    public static let maxDepth = 100_000

    package struct Failure: Error { var message: String }

    // Both immutable once built: reads of `let` properties of a class skip exclusivity checks.
    package let bytes: [UInt8]
    package let entries: [Entry]

    private init(bytes: [UInt8], entries: [Entry]) {
        self.bytes = bytes
        self.entries = entries
    }

    /// The root value.
    public var root: PgNode { PgNode(tree: self, index: 0) }

    package static func parse(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<PgJSONTree, Failure> {
        do {
            let entries = try build(buffer)
            return .success(PgJSONTree(bytes: Array(buffer), entries: entries))
        } catch let f as Failure {
            return .failure(f)
        } catch {
            return .failure(Failure(message: "\(error)"))
        }
    }

    /// Parses JSON text (tests and tools; the analyzer uses `PgQuery.parse`).
    public static func parse(_ text: String) -> PgJSONTree? {
        var text = text
        return text.withUTF8 { buf in try? parse(buf).get() }
    }

    private static func build(_ b: UnsafeBufferPointer<UInt8>) throws -> [Entry] {
        let n = b.count
        var entries: [Entry] = []
        entries.reserveCapacity(n / 16 + 8)
        var i = 0
        var stack: [Int32] = []       // open containers
        var last: [Int32] = []        // their last child so far (-1: none)
        var expectingValue = true

        @inline(__always) func skipWS() {
            while i < n, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }
        func fail(_ what: String) -> Failure { Failure(message: "malformed parse tree JSON: \(what) at byte \(i)") }
        func link(_ idx: Int32) {
            guard let top = stack.last else { return }
            let l = last[last.count - 1]
            if l < 0 { entries[Int(top)].firstChild = idx } else { entries[Int(l)].next = idx }
            last[last.count - 1] = idx
        }
        func scanString() throws -> (Int32, Int32, Bool) {
            // b[i] == '"'
            i += 1
            let s = i
            var esc = false
            while i < n {
                let c = b[i]
                if c == 0x22 { let e = i; i += 1; return (Int32(s), Int32(e), esc) }
                if c == 0x5C { esc = true; i += 2; continue }
                i += 1
            }
            throw fail("unterminated string")
        }

        while true {
            skipWS()
            if expectingValue {
                var keyStart: Int32 = -1, keyEnd: Int32 = -1
                if let top = stack.last {
                    let isObject = entries[Int(top)].kind == .object
                    let closer: UInt8 = isObject ? 0x7D : 0x5D
                    if i < n, b[i] == closer, last[last.count - 1] < 0 {
                        entries[Int(top)].end = Int32(i + 1)
                        i += 1
                        stack.removeLast(); last.removeLast()
                        expectingValue = false
                        continue
                    }
                    if isObject {
                        guard i < n, b[i] == 0x22 else { throw fail("expected a key") }
                        let (ks, ke, _) = try scanString()
                        keyStart = ks; keyEnd = ke
                        skipWS()
                        guard i < n, b[i] == 0x3A else { throw fail("expected ':'") }
                        i += 1
                        skipWS()
                    }
                }
                guard i < n else { throw fail("unexpected end") }
                let idx = Int32(entries.count)
                let c = b[i]
                switch c {
                case 0x7B, 0x5B:
                    guard stack.count < PgJSONTree.maxDepth else {
                        throw Failure(message: "parse tree nested deeper than \(PgJSONTree.maxDepth) levels")
                    }
                    entries.append(Entry(kind: c == 0x7B ? .object : .array, keyStart: keyStart, keyEnd: keyEnd,
                                         start: Int32(i), end: Int32(i)))
                    link(idx)
                    stack.append(idx); last.append(-1)
                    i += 1
                    continue   // still expecting a value (or the closer)
                case 0x22:
                    let (s, e, esc) = try scanString()
                    entries.append(Entry(kind: .string, escaped: esc, keyStart: keyStart, keyEnd: keyEnd, start: s, end: e))
                case 0x2D, 0x30...0x39:
                    let s = i
                    i += 1
                    while i < n, (b[i] >= 0x30 && b[i] <= 0x39) || b[i] == 0x2E || b[i] == 0x65 || b[i] == 0x45
                            || b[i] == 0x2B || b[i] == 0x2D { i += 1 }
                    entries.append(Entry(kind: .number, keyStart: keyStart, keyEnd: keyEnd, start: Int32(s), end: Int32(i)))
                case 0x74, 0x66, 0x6E:
                    let word: [UInt8] = c == 0x74 ? [0x74, 0x72, 0x75, 0x65] : c == 0x66 ? [0x66, 0x61, 0x6C, 0x73, 0x65] : [0x6E, 0x75, 0x6C, 0x6C]
                    guard i + word.count <= n else { throw fail("bad literal") }
                    for k in 0..<word.count where b[i + k] != word[k] { throw fail("bad literal") }
                    entries.append(Entry(kind: c == 0x6E ? .null : .bool, flag: c == 0x74, keyStart: keyStart, keyEnd: keyEnd,
                                         start: Int32(i), end: Int32(i + word.count)))
                    i += word.count
                default:
                    throw fail("unexpected byte")
                }
                link(idx)
                expectingValue = false
            } else {
                guard let top = stack.last else {
                    guard i == n || b[i] == 0 else { throw fail("trailing data") }
                    guard !entries.isEmpty else { throw fail("empty") }
                    return entries
                }
                guard i < n else { throw fail("unexpected end") }
                let isObject = entries[Int(top)].kind == .object
                if b[i] == 0x2C {
                    i += 1
                    expectingValue = true
                } else if b[i] == (isObject ? 0x7D : 0x5D) {
                    entries[Int(top)].end = Int32(i + 1)
                    i += 1
                    stack.removeLast(); last.removeLast()
                } else {
                    throw fail("expected ',' or a closing bracket")
                }
            }
        }
    }
}

/// A position in a `PgJSONTree`: cheap to copy, and navigated by `StaticString` keys so that
/// walking the tree allocates nothing until a string value is actually needed.
public struct PgNode: Sendable {
    package let tree: PgJSONTree
    package let index: Int32

    package var entry: PgJSONTree.Entry { tree.entries[Int(index)] }

    public var kind: PgJSONTree.Kind { entry.kind }

    /// The member `key` of an object.
    public subscript(_ key: StaticString) -> PgNode? {
        let e = entry
        guard e.kind == .object else { return nil }
        var c = e.firstChild
        while c >= 0 {
            if tree.keyEquals(c, key) { return PgNode(tree: tree, index: c) }
            c = tree.entries[Int(c)].next
        }
        return nil
    }

    /// libpg_query wraps every node as `{"TypeName": {...}}`: the wrapped value when the type matches.
    public func `as`(_ type: StaticString) -> PgNode? {
        let e = entry
        guard e.kind == .object, e.firstChild >= 0, tree.keyEquals(e.firstChild, type) else { return nil }
        return PgNode(tree: tree, index: e.firstChild)
    }

    /// The first member of an object (the wrapped node of a libpg_query node), with its key test.
    public var unwrapped: PgNode? {
        let e = entry
        guard e.kind == .object, e.firstChild >= 0 else { return nil }
        return PgNode(tree: tree, index: e.firstChild)
    }

    /// Whether this node is the member named `key` of its object.
    public func keyIs(_ key: StaticString) -> Bool { tree.keyEquals(index, key) }

    /// The key of this member (allocates; for diagnostics and rare paths).
    public var key: String? {
        let e = entry
        guard e.keyStart >= 0 else { return nil }
        return String(decoding: tree.bytes[Int(e.keyStart)..<Int(e.keyEnd)], as: UTF8.self)
    }

    /// Array elements, or object member values.
    public var children: Children { Children(tree: tree, first: entry.firstChild) }

    public var count: Int { var k = 0; for _ in children { k += 1 }; return k }

    public var string: String? {
        let e = entry
        guard e.kind == .string else { return nil }
        let slice = tree.bytes[Int(e.start)..<Int(e.end)]
        return e.escaped ? PgNode.unescape(slice) : String(decoding: slice, as: UTF8.self)
    }

    /// Compares a string value without decoding it.
    public func stringEquals(_ s: StaticString) -> Bool {
        let e = entry
        guard e.kind == .string, !e.escaped else { return e.kind == .string && string == s.description }
        return tree.rangeEquals(Int(e.start), Int(e.end), s)
    }

    public var int: Int? {
        let e = entry
        guard e.kind == .number else { return nil }
        var v = 0, neg = false, k = Int(e.start)
        if tree.bytes[k] == 0x2D { neg = true; k += 1 }
        while k < Int(e.end) {
            let d = tree.bytes[k]
            guard d >= 0x30, d <= 0x39 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(d - 0x30))
            if o1 || o2 { return nil }
            v = a
            k += 1
        }
        return neg ? -v : v
    }

    /// The raw text of a number (libpg_query writes floats as strings, but keep it general).
    public var numberText: String? {
        let e = entry
        guard e.kind == .number else { return nil }
        return String(decoding: tree.bytes[Int(e.start)..<Int(e.end)], as: UTF8.self)
    }

    public var bool: Bool? { entry.kind == .bool ? entry.flag : nil }

    public struct Children: Sequence, IteratorProtocol {
        package let tree: PgJSONTree
        package var cursor: Int32
        package init(tree: PgJSONTree, first: Int32) { self.tree = tree; self.cursor = first }
        public mutating func next() -> PgNode? {
            guard cursor >= 0 else { return nil }
            let n = PgNode(tree: tree, index: cursor)
            cursor = tree.entries[Int(cursor)].next
            return n
        }
    }

    package static func unescape(_ s: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = s.startIndex
        func hex(_ at: Int) -> UInt32? {
            guard at + 4 <= s.endIndex else { return nil }
            var v: UInt32 = 0
            for k in at..<(at + 4) {
                let c = s[k]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: return nil
                }
                v = v << 4 | d
            }
            return v
        }
        func append(scalar v: UInt32) {
            let sc = Unicode.Scalar(v) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(Character(sc)).utf8))
        }
        while i < s.endIndex {
            let c = s[i]
            guard c == 0x5C, i + 1 < s.endIndex else { out.append(c); i += 1; continue }
            let e = s[i + 1]
            i += 2
            switch e {
            case 0x6E: out.append(0x0A)
            case 0x74: out.append(0x09)
            case 0x72: out.append(0x0D)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x75:
                guard var v = hex(i) else { out.append(contentsOf: [0xEF, 0xBF, 0xBD]); continue }
                i += 4
                if v >= 0xD800, v < 0xDC00, i + 6 <= s.endIndex, s[i] == 0x5C, s[i + 1] == 0x75,
                   let lo = hex(i + 2), lo >= 0xDC00, lo < 0xE000 {
                    v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                    i += 6
                }
                append(scalar: v)
            default: out.append(e)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension PgJSONTree {
    @inline(__always) package func keyEquals(_ idx: Int32, _ key: StaticString) -> Bool {
        let e = entries[Int(idx)]
        guard e.keyStart >= 0 else { return false }
        return rangeEquals(Int(e.keyStart), Int(e.keyEnd), key)
    }

    @inline(__always) package func rangeEquals(_ start: Int, _ end: Int, _ s: StaticString) -> Bool {
        let len = s.utf8CodeUnitCount
        guard end - start == len else { return false }
        let p = s.utf8Start
        return bytes.withUnsafeBufferPointer { b in
            var k = 0
            while k < len {
                if b[start + k] != p[k] { return false }
                k += 1
            }
            return true
        }
    }
}
