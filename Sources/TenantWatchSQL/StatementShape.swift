import Foundation

/// A statement's text with its literals lifted out: `SELECT * FROM invoices WHERE tenant_id =
/// 'acme' /*request_id='r1'*/` becomes the shape `SELECT * FROM invoices WHERE tenant_id = $1 `
/// with the literal `acme`.
///
/// Production logs repeat a few hundred statement shapes with ever-changing literals and
/// per-request sqlcommenter comments. Analysing each distinct *text* with libpg_query would
/// cost ~50 µs a statement; analysing each distinct *shape* once, and substituting the lifted
/// literals as if they were bind parameters, costs a dictionary lookup. This is a lexer for
/// literals and comments only — the statement is still parsed by libpg_query, and a shape it
/// rejects falls back to the original text.
public struct StatementShape: Sendable, Equatable {
    /// The text with lifted literals replaced by `$n` placeholders and comments removed.
    public var text: String
    /// The lifted literal values, in order: `$firstPlaceholder`, `$firstPlaceholder + 1`, ...
    public var literals: [String]
    /// The number of the first placeholder: one above the highest `$n` the statement already used.
    public var firstPlaceholder: Int
    /// The bodies of the block comments, in order (sqlcommenter tags live in the last one).
    public var comments: [String]

    /// The values `$1 ...` take for this execution: its own bind parameters, then the literals.
    public func parameters(binding bound: [String?]) -> [String?] {
        StatementShape.parameters(binding: bound, literals: literals, firstPlaceholder: firstPlaceholder)
    }

    package static func parameters(binding bound: [String?], literals: [String], firstPlaceholder: Int) -> [String?] {
        guard !literals.isEmpty else { return bound }
        // Built in one allocation: it runs for every execution with a literal.
        let kept = firstPlaceholder - 1
        var out: [String?] = []
        out.reserveCapacity(kept + literals.count)
        out.append(contentsOf: bound.prefix(kept))
        while out.count < kept { out.append(nil) }
        for literal in literals { out.append(literal) }
        return out
    }

    // MARK: lexing

    public init(text: String, literals: [String], firstPlaceholder: Int, comments: [String]) {
        self.text = text
        self.literals = literals
        self.firstPlaceholder = firstPlaceholder
        self.comments = comments
    }

    /// Lifts literals that stand where a value goes (after an operator, `(` or `,`); a literal
    /// after a word (`DATE '2020-01-01'`, `LIKE 'x%'`, `E'\n'`) stays in the shape, since
    /// replacing it could change the grammar. Array literals (`'{a,b}'`) stay too: `= ANY('{x}')`
    /// confines, `= ANY($1)` does not.
    public static func of(_ sql: String) -> StatementShape {
        lexed(sql).shape
    }

    /// The lexer's result with the shape as a hashed key: what the analysis cache is looked up by.
    package static func lexed(_ sql: String) -> LexedStatement {
        var sql = sql
        return sql.withUTF8 { lex($0) }
    }

    private static func lex(_ u: UnsafeBufferPointer<UInt8>) -> LexedStatement {
        let n = u.count
        // First pass: the highest $n already used, so placeholders never collide with it.
        var maxParameter = 0
        var spans: [(start: Int, end: Int, kind: UInt8)] = []   // kind: 0 literal, 1 comment, 2 line comment
        var comments: [String] = []
        var literals: [String] = []
        /// A statement that lifts one literal usually lifts a few: room for them at the first,
        /// instead of regrowing 1 → 2 → 4 (and nothing allocated for a statement without one).
        func liftLiteral(_ start: Int, _ end: Int, _ text: String) {
            if literals.isEmpty {
                literals.reserveCapacity(8)
                spans.reserveCapacity(8)
            }
            spans.append((start, end, 0))
            literals.append(text)
        }
        var lastSignificant: UInt8 = 0x28   // as if after "(": a leading literal is a value
        var beforeLastSignificant: UInt8 = 0x28
        // The last word, to keep the setting name of set_config('x', ...) / current_setting('x'):
        // the analyzer needs it literal to see a session-tenant change.
        var lastWord = 0..<0
        var firstWordIsSet = false
        var sawWord = false
        var wordBeforeParen = 0..<0
        var i = 0
        @inline(__always) func isIdent(_ c: UInt8) -> Bool {
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c >= 0x80 || c == 0x24
        }
        @inline(__always) func valuePosition(_ c: UInt8) -> Bool {
            switch c {
            case UInt8(ascii: "="), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "!"), UInt8(ascii: "("),
                 UInt8(ascii: ","), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"),
                 UInt8(ascii: "%"), UInt8(ascii: "|"), UInt8(ascii: "^"), UInt8(ascii: "~"), UInt8(ascii: "["):
                return true
            default:
                return false
            }
        }
        func note(_ c: UInt8) {
            if c == UInt8(ascii: "(") { wordBeforeParen = lastSignificant == UInt8(ascii: "a") ? lastWord : 0..<0 }
            beforeLastSignificant = lastSignificant
            lastSignificant = c
        }
        /// `LIKE 'a%'`, `THEN 'x'`, `BETWEEN 'a' AND 'b'`: keywords after which a value stands.
        /// Type names (`DATE '2020-01-01'`, `interval '1 day'`) are not among them.
        func afterValueKeyword() -> Bool {
            guard lastSignificant == UInt8(ascii: "a"), lastWord.count >= 2, lastWord.count <= 7 else { return false }
            return StatementShape.valueKeywords.contains(packedLowercase(lastWord))
        }
        func settingFunctionOpen() -> Bool {
            guard lastSignificant == UInt8(ascii: "("), !wordBeforeParen.isEmpty else { return false }
            return lowercaseEquals(wordBeforeParen, "set_config") || lowercaseEquals(wordBeforeParen, "current_setting")
        }
        // Words are compared as bytes: these run for every literal of every statement.
        func packedLowercase(_ word: Range<Int>) -> UInt64 {
            var packed: UInt64 = 0
            for k in word {
                let b = u[k]
                packed = packed << 8 | UInt64(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
            }
            return packed
        }
        func lowercaseEquals(_ word: Range<Int>, _ lower: StaticString) -> Bool {
            guard word.count == lower.utf8CodeUnitCount else { return false }
            let l = lower.utf8Start
            for (j, k) in word.enumerated() {
                let b = u[k]
                if (b >= 0x41 && b <= 0x5A ? b | 0x20 : b) != l[j] { return false }
            }
            return true
        }
        while i < n {
            let c = u[i]
            switch c {
            case 0x20, 0x09, 0x0A, 0x0D:
                i += 1
            case UInt8(ascii: "'"):
                let prefixed = i > 0 && isIdent(u[i - 1])
                let escapes = prefixed && (u[i - 1] == UInt8(ascii: "E") || u[i - 1] == UInt8(ascii: "e"))
                let start = i
                i += 1
                var closed = false
                // The value is the bytes between the quotes unless a quote was doubled: only then
                // is it copied out byte by byte.
                var doubled = false
                while i < n {
                    let d = u[i]
                    if escapes && d == UInt8(ascii: "\\") && i + 1 < n { i += 2; continue }
                    if d == UInt8(ascii: "'") {
                        if i + 1 < n && u[i + 1] == UInt8(ascii: "'") { doubled = true; i += 2; continue }
                        closed = true
                        i += 1
                        break
                    }
                    i += 1
                }
                let valueEnd = closed ? i - 1 : i
                // SET statements keep their values: `SET x = $1` is not valid SQL.
                if closed, !prefixed, !firstWordIsSet, valuePosition(lastSignificant) || afterValueKeyword(),
                   !(start + 1 < valueEnd && u[start + 1] == UInt8(ascii: "{")), !settingFunctionOpen() {
                    liftLiteral(start, i, StatementShape.literalValue(u, start + 1, valueEnd, escapes: escapes, doubled: doubled))
                }
                note(UInt8(ascii: "'"))
            case UInt8(ascii: "\""):
                i += 1
                while i < n {
                    if u[i] == UInt8(ascii: "\"") {
                        if i + 1 < n && u[i + 1] == UInt8(ascii: "\"") { i += 2; continue }
                        i += 1
                        break
                    }
                    i += 1
                }
                note(UInt8(ascii: "a"))
            case UInt8(ascii: "-") where i + 1 < n && u[i + 1] == UInt8(ascii: "-"):
                let start = i
                while i < n && u[i] != 0x0A { i += 1 }
                spans.append((start, i, 2))
            case UInt8(ascii: "/") where i + 1 < n && u[i + 1] == UInt8(ascii: "*"):
                let start = i
                var depth = 1
                i += 2
                while i < n && depth > 0 {
                    if u[i] == UInt8(ascii: "/") && i + 1 < n && u[i + 1] == UInt8(ascii: "*") { depth += 1; i += 2; continue }
                    if u[i] == UInt8(ascii: "*") && i + 1 < n && u[i + 1] == UInt8(ascii: "/") { depth -= 1; i += 2; continue }
                    i += 1
                }
                if depth == 0 {
                    comments.append(String(decoding: UnsafeBufferPointer(rebasing: u[(start + 2)..<(i - 2)]), as: UTF8.self))
                    spans.append((start, i, 1))
                }
            case UInt8(ascii: "$"):
                // $n parameter, or a dollar quote $tag$...$tag$ (kept as it is).
                var j = i + 1
                var number = 0
                while j < n, u[j] >= 0x30, u[j] <= 0x39 { number = min(number * 10 + Int(u[j] - 0x30), 1_000_000); j += 1 }
                if j > i + 1 && !(j < n && isIdent(u[j])) {
                    maxParameter = max(maxParameter, number)
                    i = j
                    note(UInt8(ascii: "a"))
                    continue
                }
                var k = i + 1
                while k < n, isIdent(u[k]), u[k] != UInt8(ascii: "$") { k += 1 }
                if k < n, u[k] == UInt8(ascii: "$"), !(i > 0 && isIdent(u[i - 1])) {
                    let tagLength = k - i + 1
                    var m = k + 1
                    var found = false
                    while m + tagLength <= n {
                        if u[m] == UInt8(ascii: "$"), memcmp(u.baseAddress! + m, u.baseAddress! + i, tagLength) == 0 {
                            found = true
                            break
                        }
                        m += 1
                    }
                    i = found ? m + tagLength : n
                    note(UInt8(ascii: "'"))
                } else {
                    i += 1
                    note(c)
                }
            case 0x30...0x39, UInt8(ascii: "."):
                if c == UInt8(ascii: "."), !(i + 1 < n && u[i + 1] >= 0x30 && u[i + 1] <= 0x39) {
                    i += 1
                    note(c)
                    continue
                }
                if i > 0 && (isIdent(u[i - 1]) || u[i - 1] == UInt8(ascii: ".")) {
                    // Part of an identifier (t1) or a qualified name: skip the word.
                    while i < n && (isIdent(u[i]) || u[i] == UInt8(ascii: ".")) { i += 1 }
                    note(UInt8(ascii: "a"))
                    continue
                }
                var start = i
                while i < n, (u[i] >= 0x30 && u[i] <= 0x39) || u[i] == UInt8(ascii: ".") { i += 1 }
                if i < n, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
                    var j = i + 1
                    if j < n, u[j] == UInt8(ascii: "+") || u[j] == UInt8(ascii: "-") { j += 1 }
                    if j < n, u[j] >= 0x30, u[j] <= 0x39 {
                        i = j
                        while i < n, u[i] >= 0x30, u[i] <= 0x39 { i += 1 }
                    }
                }
                if i < n && isIdent(u[i]) {
                    // 123abc is not a number PostgreSQL 15 accepts: leave it to the parser.
                    while i < n && isIdent(u[i]) { i += 1 }
                    note(UInt8(ascii: "a"))
                    continue
                }
                // Numbers are lifted wherever they stand (LIMIT 50, BETWEEN 1 AND 9, a - 3): in the
                // rare place a parameter is not allowed (numeric(10,2)) the shape fails to parse and
                // the text itself is analysed instead.
                var lift = true
                // A unary minus belongs to the literal: `= -5` lifts "-5".
                if lastSignificant == UInt8(ascii: "-"), valuePosition(beforeLastSignificant) {
                    var k = start - 1
                    while k >= 0, u[k] == 0x20 || u[k] == 0x09 || u[k] == 0x0A { k -= 1 }
                        if k >= 0, u[k] == UInt8(ascii: "-"), spans.last.map({ $0.end <= k }) ?? true { start = k }
                }
                if lift {
                    var text = String(decoding: UnsafeBufferPointer(rebasing: u[start..<i]), as: UTF8.self)
                    if start < i, u[start] == UInt8(ascii: "-") {
                        text = "-" + String(text.dropFirst()).trimmingSpacesAndTabs()
                    }
                    liftLiteral(start, i, text)
                }
                note(UInt8(ascii: "0"))
            default:
                if isIdent(c) {
                    let start = i
                    while i < n && isIdent(u[i]) { i += 1 }
                    lastWord = start..<i
                    if !sawWord {
                        sawWord = true
                        firstWordIsSet = i - start == 3 && (u[start] | 0x20) == 0x73 && (u[start + 1] | 0x20) == 0x65 && (u[start + 2] | 0x20) == 0x74
                    }
                    note(UInt8(ascii: "a"))
                } else {
                    i += 1
                    note(c)
                }
            }
        }
        // Second pass: build the shape.
        var out: [UInt8] = []
        out.reserveCapacity(n)
        var cursor = 0
        var placeholder = maxParameter + 1
        for span in spans {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: u[cursor..<span.start]))
            switch span.kind {
            case 0:
                out.append(UInt8(ascii: "$"))
                StatementShape.appendDecimal(placeholder, to: &out)
                placeholder += 1
            case 1:
                out.append(0x20)
            default:
                break   // a line comment: its newline stays
            }
            cursor = span.end
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: u[cursor..<n]))
        return LexedStatement(key: ShapeKey(out), literals: literals, firstPlaceholder: maxParameter + 1,
                              comments: comments)
    }
}

extension StatementShape {
    /// `n` in decimal, without building a `String` for it.
    fileprivate static func appendDecimal(_ n: Int, to out: inout [UInt8]) {
        if n >= 10 { appendDecimal(n / 10, to: &out) }
        out.append(UInt8(ascii: "0") + UInt8(n % 10))
    }

    /// Keywords after which a quoted literal stands for a value, packed as `packedLowercase` packs.
    fileprivate static let valueKeywords: Set<UInt64> = {
        let words = ["like", "ilike", "then", "else", "when", "and", "or", "between", "select", "similar", "to",
                     "returning", "values", "from", "is", "in", "not"]
        // Words longer than 7 bytes never match: `afterValueKeyword` only packs 2...7 bytes.
        return Set(words.filter { $0.utf8.count <= 7 }.map { $0.utf8.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } })
    }()

    /// A quoted literal's value from the bytes between its quotes: a doubled quote is one quote;
    /// a backslash escape of an `E'...'` string is skipped, as the lexer always did (such a
    /// prefixed literal is never lifted anyway).
    fileprivate static func literalValue(_ u: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int,
                                         escapes: Bool, doubled: Bool) -> String {
        guard doubled else { return String(decoding: UnsafeBufferPointer(rebasing: u[start..<end]), as: UTF8.self) }
        var value: [UInt8] = []
        value.reserveCapacity(end - start)
        var i = start
        while i < end {
            let d = u[i]
            if escapes && d == UInt8(ascii: "\\") && i + 1 < end { i += 2; continue }
            if d == UInt8(ascii: "'") && i + 1 < end && u[i + 1] == UInt8(ascii: "'") { value.append(d); i += 2; continue }
            value.append(d)
            i += 1
        }
        return String(decoding: value, as: UTF8.self)
    }
}

private extension String {
    func trimmingSpacesAndTabs() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" { s.removeFirst() }
        return String(s)
    }
}
