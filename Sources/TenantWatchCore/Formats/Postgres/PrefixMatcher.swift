import TenantWatchModel

/// What a `log_line_prefix` reading of one stderr line found: field ranges into the line, the
/// values already decoded while validating (time, pid, ...), the severity and where the message
/// starts.
struct PrefixMatch {
    static let none = (-1, -1)
    /// `%m`, else `%t`, else `%n` (resolved when the reading is complete).
    var time: Timestamp?
    var timeMillis: Timestamp?
    var timeSeconds: Timestamp?
    var timeEpoch: Timestamp?
    var pid: Int?
    var lineNumber: Int?
    var queryID: Int64?
    var user = PrefixMatch.none
    var database = PrefixMatch.none
    var application = PrefixMatch.none
    var host = PrefixMatch.none
    var session = PrefixMatch.none
    var sqlstateField = PrefixMatch.none
    var backendType = PrefixMatch.none
    var severityStart = 0
    var severityEnd = 0
    /// nil when the severity word is not an English one (`lc_messages` is not C/en).
    var severity: StaticString?
    var kind: PostgresSeverity.Kind = .primary
    var sqlstate = PrefixMatch.none
    var messageStart = 0
    /// The line stopped at `%q` (a process without a session).
    var truncated = false
}

/// Matches a compiled `log_line_prefix` against the bytes of one line.
///
/// Free-text fields (`%a`, `%u`, `%d`, `%h`, `%r`, `%i`, `%b`) are written unescaped, so a client
/// can plant a fake prefix inside its `application_name` (prefix forgery). The matcher therefore
/// does not take the first split that fits: it enumerates every reading in which each field is
/// well formed (pid digits, timestamps valid, names at most 63 bytes, application name printable
/// ASCII, host without spaces) and the prefix is followed by `SEVERITY:  `, and returns them all
/// (bounded). The stderr reader picks among them with what it knows about the backend.
struct PrefixMatcher {
    let prefix: LogLinePrefix
    private(set) var results: [PrefixMatch] = []
    var timestamps: PostgresTimestampParser
    private let maxResults = 8
    private var steps = 0
    /// How many pieces the last `match` got through on its best path (`pieces.count`: the whole
    /// prefix, but no `SEVERITY:  ` after it). What auto-detection reports as the closest prefix.
    private(set) var deepest = 0

    /// Owns the memory `t` points into.
    private let table: PrefixPieceTable
    private let t: PrefixPieceTable.View
    /// What the first piece is, for `couldStart` (called for every byte of continuation lines).
    private enum FirstPiece { case none, literal(UInt8), timestamp, digits, any }
    private let first: FirstPiece
    /// Every piece before the one `%q` has a single reading (literals, fixed-shape fields): the
    /// search reaches `%q` at most once per line, so the state it would restore for another
    /// path is never read (see `step`).
    private let cutReachedOnce: Bool

    init(prefix: LogLinePrefix, timezone: String) {
        self.prefix = prefix
        self.table = PrefixPieceTable(prefix.pieces)
        self.t = table.view
        self.timestamps = PostgresTimestampParser(timezone: timezone)
        switch prefix.pieces.first {
        case nil: first = .none
        case .literal(let l)?: first = l.isEmpty ? .any : .literal(l[0])
        case .escape(let e, _)?:
            switch e {
            case .timestampMillis, .timestamp, .sessionStart: first = .timestamp
            case .epoch, .pid, .lineNumber, .xid: first = .digits
            default: first = .any
            }
        case .sessionOnlyFromHere?: first = .any
        }
        results.reserveCapacity(maxResults)
        var once = prefix.pieces.filter { if case .sessionOnlyFromHere = $0 { return true } else { return false } }.count == 1
        for piece in prefix.pieces {
            if case .sessionOnlyFromHere = piece { break }
            if case .escape(let e, let padding) = piece, e.isFreeText || padding != 0 { once = false }
        }
        cutReachedOnce = once
    }

    /// Reads of `b[start..<end]`; the readings are left in `results` (empty: no match).
    @discardableResult
    mutating func match(_ b: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Bool {
        results.removeAll(keepingCapacity: true)
        steps = 0
        deepest = 0
        var m = PrefixMatch()
        step(b, 0, start, end, &m)
        return !results.isEmpty
    }

    /// Could a prefix start at `i`? A cheap filter before `match` when hunting for a record that
    /// begins in the middle of a line.
    func couldStart(_ b: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> Bool {
        switch first {
        case .none: return Bytes.isUpper(b[i])
        case .literal(let c): return b[i] == c
        case .timestamp:
            return i + 5 <= end && Bytes.isDigit(b[i]) && Bytes.isDigit(b[i + 3]) && b[i + 4] == Bytes.dash
                && (i == 0 || !Bytes.isDigit(b[i - 1]))
        case .digits: return Bytes.isDigit(b[i]) && (i == 0 || !Bytes.isDigit(b[i - 1]))
        case .any: return true
        }
    }

    /// One piece at a time. `m` is shared by the whole search (no copy per step): a field is
    /// rewritten whenever its piece is matched again on another path, so a complete reading only
    /// ever holds values from its own path; the `%q` cut restores the state it started from.
    private mutating func step(_ b: UnsafeBufferPointer<UInt8>, _ k: Int, _ pos: Int, _ end: Int, _ m: inout PrefixMatch) {
        steps += 1
        if k > deepest { deepest = k }
        if results.count >= maxResults || steps > 10_000 { return }
        if k == t.count {
            finish(b, pos, end, &m)
            return
        }
        let kind = t.kind[k]
        if kind == PrefixPieceTable.literal {
            if t.literalMatches(k, b, pos, end) { step(b, k + 1, pos + t.litLen[k], end, &m) }
        } else if kind == PrefixPieceTable.sessionOnly {
            if cutReachedOnce && severityColon(b, pos, end) == nil {
                // The only path to `%q`, and the cut reading cannot complete here: nothing will
                // read `m` again once the full reading returns, so there is nothing to restore.
                step(b, k + 1, pos, end, &m)
                return
            }
            let saved = m
            step(b, k + 1, pos, end, &m)
            m = saved
            m.truncated = true
            finish(b, pos, end, &m)
            m.truncated = false
        } else {
            let e = t.escape[k], padding = t.padding[k]
            if e.isFreeText || padding != 0 {
                freeText(b, k, e, padding, pos, end, &m)
            } else {
                fixed(b, k, e, pos, end, &m)
            }
        }
    }

    /// Fields with a fixed shape: one reading at most.
    private mutating func fixed(_ b: UnsafeBufferPointer<UInt8>, _ k: Int, _ e: LogLinePrefix.Escape,
                                _ pos: Int, _ end: Int, _ m: inout PrefixMatch) {
        var i = pos
        switch e {
        case .timestampMillis, .timestamp, .sessionStart:
            guard let (t, next) = timestamps.parsePrefix(b, pos, end) else { return }
            if e == .timestampMillis { m.timeMillis = t } else if e == .timestamp { m.timeSeconds = t }
            i = next
        case .epoch:
            while i < end, Bytes.isDigit(b[i]) { i += 1 }
            if i < end, b[i] == Bytes.dot { i += 1; while i < end, Bytes.isDigit(b[i]) { i += 1 } }
            guard let t = PostgresTimestampParser.parseEpoch(b, pos, i) else { return }
            m.timeEpoch = t
        case .pid, .lineNumber, .xid, .leaderPID:
            while i < end, Bytes.isDigit(b[i]) { i += 1 }
            if e == .leaderPID, i == pos { break }  // empty when not a parallel worker
            guard let v = Bytes.parseInt(b, pos, i) else { return }
            if e == .pid { m.pid = v } else if e == .lineNumber { m.lineNumber = v }
        case .queryID:
            if i < end, b[i] == Bytes.dash { i += 1 }
            while i < end, Bytes.isDigit(b[i]) { i += 1 }
            guard let v = Bytes.parseInt64(b, pos, i) else { return }
            m.queryID = v
        case .session:
            while i < end, isHex(b[i]) { i += 1 }
            guard i > pos, i < end, b[i] == Bytes.dot else { return }
            i += 1
            let s = i
            while i < end, isHex(b[i]) { i += 1 }
            guard i > s else { return }
            m.session = (pos, i)
        case .virtualXID:
            if i < end, Bytes.isDigit(b[i]) {
                while i < end, Bytes.isDigit(b[i]) { i += 1 }
                guard i < end, b[i] == Bytes.slash else { return }
                i += 1
                let s = i
                while i < end, Bytes.isDigit(b[i]) { i += 1 }
                guard i > s else { return }
            }
        case .sqlstate:
            guard i + 5 <= end else { return }
            for j in i..<(i + 5) where !(Bytes.isDigit(b[j]) || Bytes.isUpper(b[j])) { return }
            m.sqlstateField = (i, i + 5)
            i += 5
        default:
            return
        }
        step(b, k + 1, i, end, &m)
    }

    @inline(__always) private func isHex(_ c: UInt8) -> Bool { Bytes.isDigit(c) || (c | 0x20) &- 97 < 6 }

    /// Free-text fields: every end that leaves the rest of the line readable is a candidate.
    private mutating func freeText(_ b: UnsafeBufferPointer<UInt8>, _ k: Int, _ e: LogLinePrefix.Escape,
                                   _ padding: Int, _ pos: Int, _ end: Int, _ m: inout PrefixMatch) {
        let limit = min(end, pos + max(e.maxLength, abs(padding)) + 1)
        let hasNextLiteral = k + 1 < t.count && t.kind[k + 1] == PrefixPieceTable.literal
        // The field ends at the first byte it may not hold (`stop`), or at `limit`. With a literal
        // next, the candidates are found with memchr and the bytes before each are checked only as
        // far as the candidates reach; without one, every end up to `stop` is a candidate.
        var stop = limit
        if !hasNextLiteral {
            stop = pos
            while stop < limit, Self.allowed(e, b[stop]) { stop += 1 }
        }
        var checked = pos  // b[pos..<checked] may all be in the field
        var j = pos
        while true {
            if hasNextLiteral {
                // The literal must start within the field's reach (at `stop` at the latest).
                guard j <= limit, let f = t.findLiteral(k + 1, b, j, limit, end) else { return }
                while checked < f {
                    guard Self.allowed(e, b[checked]) else { return }
                    checked += 1
                }
                j = f
            } else if j > stop {
                return
            }
            var s = pos, fe = j
            if padding != 0 {
                while s < fe, b[s] == Bytes.space { s += 1 }
                while fe > s, b[fe - 1] == Bytes.space { fe -= 1 }
            }
            if valid(e, b, s, fe) {
                switch e {
                case .user: m.user = (s, fe)
                case .database: m.database = (s, fe)
                case .application: m.application = (s, fe)
                case .host, .hostPort: m.host = (s, fe)
                case .backendType: m.backendType = (s, fe)
                case .commandTag: break
                case .pid: m.pid = Bytes.parseInt(b, s, fe)
                case .lineNumber: m.lineNumber = Bytes.parseInt(b, s, fe)
                case .queryID: m.queryID = Bytes.parseInt64(b, s, fe)
                case .session: m.session = (s, fe)
                case .sqlstate: m.sqlstateField = (s, fe)
                case .timestampMillis, .timestamp:
                    // A padded timestamp: re-read the trimmed text.
                    guard let ts = timestamps.parse(b, s, fe) else { j += 1; continue }
                    if e == .timestampMillis { m.timeMillis = ts } else { m.timeSeconds = ts }
                default: break
                }
                step(b, k + 1, j, end, &m)
                if results.count >= maxResults { return }
            }
            j += 1
        }
    }

    /// The bytes a free-text field may hold.
    @inline(__always) private static func allowed(_ e: LogLinePrefix.Escape, _ c: UInt8) -> Bool {
        switch e {
        case .application, .commandTag, .backendType: return c &- 32 < 95
        case .host, .hostPort: return hostByte(c)
        default: return c >= 32
        }
    }

    /// Addresses and host names: letters, digits, `.:-_[]%` and `()` around a port.
    @inline(__always) private static func hostByte(_ c: UInt8) -> Bool {
        Bytes.isAlpha(c) || Bytes.isDigit(c) || c == Bytes.dot || c == Bytes.colon || c == Bytes.dash
            || c == 95 || c == Bytes.lbracket || c == Bytes.rbracket || c == Bytes.percent
            || c == Bytes.lparen || c == Bytes.rparen
    }

    private func valid(_ e: LogLinePrefix.Escape, _ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ t: Int) -> Bool {
        switch e {
        case .hostPort:
            // host, or host(port)
            if t > s, b[t - 1] == Bytes.rparen {
                guard let open = lastIndex(of: Bytes.lparen, b, s, t), open > s,
                      Bytes.parseInt(b, open + 1, t - 1) != nil else { return false }
                return Bytes.find(Bytes.lparen, b, s, open) == nil
            }
            return Bytes.find(Bytes.lparen, b, s, t) == nil
        case .pid, .lineNumber, .xid, .leaderPID:
            return Bytes.parseInt(b, s, t) != nil
        case .queryID:
            return Bytes.parseInt64(b, s, t) != nil
        default:
            return true
        }
    }

    private func lastIndex(of c: UInt8, _ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ t: Int) -> Int? {
        var i = t - 1
        while i >= s { if b[i] == c { return i }; i -= 1 }
        return nil
    }

    /// Where the colon after a severity word starting at `pos` is, if `SEVERITY:  ` is there.
    @inline(__always) private func severityColon(_ b: UnsafeBufferPointer<UInt8>, _ pos: Int, _ end: Int) -> Int? {
        var i = pos
        while i < end, i - pos < 24, b[i] != Bytes.colon, b[i] != Bytes.space { i += 1 }
        // ":  " — PostgreSQL always writes two spaces, even before an empty message.
        guard i > pos, i + 3 <= end, b[i] == Bytes.colon, b[i + 1] == Bytes.space, b[i + 2] == Bytes.space
        else { return nil }
        return i
    }

    /// After the prefix: `SEVERITY:  ` and, with `log_error_verbosity = verbose`, `SQLSTATE: `.
    ///
    /// Writes its fields into the search's shared `m` (every one of them, on every reading that
    /// completes, so none is left from another path) and appends that: a private copy of the
    /// whole match per call was two memcpys a line.
    private mutating func finish(_ b: UnsafeBufferPointer<UInt8>, _ pos: Int, _ end: Int, _ m: inout PrefixMatch) {
        guard let i = severityColon(b, pos, end) else { return }
        let kind: PostgresSeverity.Kind
        let severity: StaticString?
        if let (k, word) = PostgresSeverity.classify(b, pos, i) {
            kind = k
            severity = word
        } else {
            // Not an English severity: only plausible as one if it is a single word of letters.
            for j in pos..<i where b[j] < 128 && !Bytes.isAlpha(b[j]) { return }
            kind = .primary
            severity = nil
        }
        var ms = i + 3
        var sqlstate = PrefixMatch.none
        // SQLSTATE: five of [0-9A-Z] with at least two digits (so `AUDIT: ` is not one), then ": ".
        if ms + 7 <= end, b[ms + 5] == Bytes.colon, b[ms + 6] == Bytes.space {
            var digits = 0
            var ok = true
            for j in ms..<(ms + 5) {
                if Bytes.isDigit(b[j]) { digits += 1 } else if !Bytes.isUpper(b[j]) { ok = false; break }
            }
            if ok && digits >= 2 {
                sqlstate = (ms, ms + 5)
                ms += 7
            }
        }
        m.time = m.timeMillis ?? m.timeSeconds ?? m.timeEpoch
        m.severityStart = pos
        m.severityEnd = i
        m.kind = kind
        m.severity = severity
        m.sqlstate = sqlstate
        m.messageStart = ms
        results.append(m)
    }
}
