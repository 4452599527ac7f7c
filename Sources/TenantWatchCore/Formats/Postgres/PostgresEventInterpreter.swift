/// Turns PostgreSQL log records (from any of the three formats) into pipeline events.
///
/// What counts as one execution is the subtle part. With `log_statement = all` and
/// `log_min_duration_statement = 0` an extended-protocol query is logged as `parse`, `bind` +
/// parameters, `execute` + the same parameters, then `duration:` — one execution, not three; with
/// only `log_min_duration_statement` it is logged once as `duration: ... execute ...`. So per
/// backend the interpreter remembers the execution `log_statement` reported and drops a
/// `duration:` line that repeats it. Records that are understood but carry no event (connections,
/// checkpoints, errors without a statement) are simply skipped: they are not "unparsed".
///
/// Decisions where the log is silent:
/// - SQL-level `EXECUTE q(2)` with `DETAIL:  prepare: PREPARE q(int) AS body` is emitted with
///   `sql` = the prepared body and `parameters` = the EXECUTE arguments when they are plain
///   literals (numbers, quoted strings, NULL, booleans), else none; `via` stays `.simple`.
/// - `execute fetch from S_1/C_2:` continues an execution already reported: no new event.
/// - `ERROR` + `STATEMENT:` whose text is not the backend's last reported statement becomes a
///   statement with `failed: true`; parameters come from the `CONTEXT`/`DETAIL` parameter list
///   when there is one (bind/execute errors), and then `via` is `.extended(name: "<unnamed>")` or
///   the portal named there.
public struct PostgresEventInterpreter {
    private struct BackendState {
        /// The execution `log_statement` reported, until a `duration:` line closes it.
        var logged: (sql: String, via: ExecutionProtocol, parameters: [String?])?
        /// Text (as logged) of the last statement reported, to recognise its `ERROR` + `STATEMENT:`.
        var lastText: String?
    }

    private var backends: [BackendKey: BackendState] = [:]
    /// Bound on remembered backends: a log without disconnection lines must not grow this forever.
    public var maxBackends = 100_000

    public private(set) var statements = 0
    public private(set) var audits = 0
    public private(set) var backendEnds = 0
    public private(set) var forgedApplicationNames = 0

    public init() {}

    public mutating func interpret(_ r: PostgresLogRecord, into events: inout [Event]) {
        var record = r
        interpret(inPlace: &record, into: &events)
    }

    /// As `interpret`, reading the record where it lies (the hot path: no copy of its Strings).
    mutating func interpret(inPlace r: inout PostgresLogRecord, into events: inout [Event]) {
        if r.applicationNameLooksForged { forgedApplicationNames += 1 }
        let key = r.backendKey ?? BackendKey(r.backend)
        let m = r.message
        switch r.severity {
        case "LOG":
            if m.hasASCIIPrefix("statement: ") {
                simple(r, key, m.droppingASCIIPrefix(11), fromDuration: false, &events)
            } else if m.hasASCIIPrefix("execute ") {
                execute(r, key, m.droppingASCIIPrefix(8), fromDuration: false, &events)
            } else if m.hasASCIIPrefix("duration: ") {
                duration(r, key, m, &events)
            } else if m.hasASCIIPrefix("AUDIT: ") {
                audit(r, key, m.droppingASCIIPrefix(7), &events)
            } else if m.hasASCIIPrefix("disconnection: ") {
                backends.removeValue(forKey: key)
                backendEnds += 1
                events.append(.backendEnded(r.backend, r.time, r.position))
            }
        case "ERROR", "FATAL", "PANIC":
            if let s = r.statement { failed(r, key, s, &events) }
        default:
            // pgaudit.log_level can put AUDIT lines at NOTICE, INFO, WARNING, DEBUGn.
            if m.hasASCIIPrefix("AUDIT: ") { audit(r, key, m.dropFirst(7), &events) }
        }
    }

    // MARK: - kinds of messages

    private mutating func simple(_ r: PostgresLogRecord, _ key: BackendKey, _ text: Substring, fromDuration: Bool,
                                 _ events: inout [Event]) {
        let sql = String(text)
        let known = backends.index(forKey: key)
        if fromDuration, let i = known, let l = backends.values[i].logged, l.via == .simple, l.sql == sql {
            backends.values[i].logged = nil
            return
        }
        var body = sql
        var params: [String?] = []
        if let d = r.detail, d.hasASCIIPrefix("prepare: "), let (b, p) = Self.preparedBody(prepare: d.dropFirst(9), execute: sql) {
            body = b
            params = p
            // The request's sqlcommenter tag may sit on the EXECUTE only: carry it over, so the
            // execution stays tied to the request that ran it.
            if sql.utf8.contains(UInt8(ascii: "*")) {
                for comment in StatementShape.of(sql).comments { body += " /*" + comment + "*/" }
            }
        }
        emit(r, key, sql: body, params: params, via: .simple, failed: false, &events)
        remember(key, at: known, logged: fromDuration ? nil : (sql, .simple, []), lastText: sql)
    }

    /// Records the backend's latest statement in place when the backend is known (no copy of
    /// its state out of the table and back), else adds it.
    private mutating func remember(_ key: BackendKey, at known: [BackendKey: BackendState].Index?,
                                   logged: (sql: String, via: ExecutionProtocol, parameters: [String?])?, lastText: String) {
        if let i = known {
            backends.values[i].logged = logged
            backends.values[i].lastText = lastText
        } else {
            store(key, BackendState(logged: logged, lastText: lastText))
        }
    }

    private mutating func execute(_ r: PostgresLogRecord, _ key: BackendKey, _ rest: Substring, fromDuration: Bool,
                                  _ events: inout [Event]) {
        if rest.hasASCIIPrefix("fetch from ") { return }
        guard let colon = rest.firstRange(ofASCII: ": ") else { return }
        let name = String(rest[..<colon.lowerBound])
        let sql = String(rest[colon.upperBound...])
        let params = BindParameterParser.fromField(r.detail) ?? []
        let via = ExecutionProtocol.extended(name: name)
        let known = backends.index(forKey: key)
        if fromDuration, let i = known, let l = backends.values[i].logged, l.via == via, l.sql == sql, l.parameters == params {
            backends.values[i].logged = nil
            return
        }
        emit(r, key, sql: sql, params: params, via: via, failed: false, &events)
        remember(key, at: known, logged: fromDuration ? nil : (sql, via, params), lastText: sql)
    }

    private mutating func duration(_ r: PostgresLogRecord, _ key: BackendKey, _ m: String, _ events: inout [Event]) {
        // `duration: 0.113 ms  statement: ...` / `  execute ...` / `  parse ...` / `  bind ...` / nothing
        guard let sep = m.firstRange(ofASCII: " ms  ") else {
            closeLogged(key)
            return
        }
        let rest = m[sep.upperBound...]
        if rest.hasASCIIPrefix("statement: ") {
            simple(r, key, rest.droppingASCIIPrefix(11), fromDuration: true, &events)
        } else if rest.hasASCIIPrefix("execute ") {
            execute(r, key, rest.droppingASCIIPrefix(8), fromDuration: true, &events)
        } else {
            // parse / bind: a new execution is being prepared.
            closeLogged(key)
        }
    }

    /// Forgets the backend's reported execution, in place (one hash lookup, nothing copied).
    private mutating func closeLogged(_ key: BackendKey) {
        if let i = backends.index(forKey: key) { backends.values[i].logged = nil }
    }

    private mutating func failed(_ r: PostgresLogRecord, _ key: BackendKey, _ statement: String, _ events: inout [Event]) {
        var state = backends[key] ?? BackendState()
        if state.lastText == statement { return }
        var via = ExecutionProtocol.simple
        var params: [String?] = []
        for field in [r.context, r.detail] {
            guard let f = field, let p = BindParameterParser.fromField(f) else { continue }
            params = p
            if f.hasASCIIPrefix("unnamed portal") {
                via = .extended(name: "<unnamed>")
            } else if f.hasASCIIPrefix("portal \""), let close = f.dropFirst(8).firstIndex(of: "\"") {
                via = .extended(name: String(f.dropFirst(8)[..<close]))
            } else {
                via = .extended(name: "<unnamed>")
            }
            break
        }
        emit(r, key, sql: statement, params: params, via: via, failed: true, &events)
        state.lastText = statement
        state.logged = nil
        store(key, state)
    }

    private mutating func audit(_ r: PostgresLogRecord, _ key: BackendKey, _ body: Substring, _ events: inout [Event]) {
        guard let f = PgAuditMessageParser.parse(body) else {
            events.append(.unparsed(UnparsedLine(position: r.position, reason: "pgaudit AUDIT message not in the expected CSV shape")))
            return
        }
        audits += 1
        events.append(.pgAudit(PgAuditRecord(position: r.position, time: r.time, backend: r.backend, auditType: f.auditType,
                                             statementID: f.statementID, substatementID: f.substatementID,
                                             auditClass: f.auditClass, command: f.command, objectType: f.objectType,
                                             objectName: f.objectName, statement: f.statement,
                                             parameters: f.parameters, rows: f.rows)))
    }

    private mutating func emit(_ r: PostgresLogRecord, _ key: BackendKey, sql: String, params: [String?],
                               via: ExecutionProtocol, failed: Bool, _ events: inout [Event]) {
        statements += 1
        var s = StatementExecution(position: r.position, time: r.time, backend: r.backend, user: r.user, database: r.database,
                                   application: r.application, client: r.clientHost, sql: sql, parameters: params,
                                   via: via, failed: failed)
        s.applicationNameLooksForged = r.applicationNameLooksForged
        s.recordLikeContinuationLine = r.recordLikeContinuationLine
        s.prefixAmbiguous = r.prefixAmbiguous
        s.textCut = r.textCut
        s.severityMarkerInText = r.severityMarkerInMessage
        if r.forgedApplication != r.application { s.forgedApplication = r.forgedApplication }
        events.append(.statement(s))
    }

    private mutating func store(_ key: BackendKey, _ state: BackendState) {
        if backends.count >= maxBackends, backends[key] == nil { backends.removeAll(keepingCapacity: true) }
        backends[key] = state
    }

    // MARK: - SQL-level PREPARE / EXECUTE

    /// `PREPARE q(int) AS body` + `EXECUTE q(2)` → (body, ["2"]). Arguments that are not plain
    /// literals leave the parameters empty.
    static func preparedBody(prepare: Substring, execute: String) -> (String, [String?])? {
        let lower = prepare.lowercased()
        guard let asRange = lower.firstRange(ofASCII: " as ") ?? lower.firstRange(ofASCII: ")as ") else { return nil }
        let offset = lower.distance(from: lower.startIndex, to: asRange.upperBound)
        let body = String(prepare.dropFirst(offset)).trimmingSpaces()
        var params: [String?] = []
        if let open = execute.firstIndex(of: "("), let close = execute.lastIndex(of: ")"), open < close {
            params = literals(execute[execute.index(after: open)..<close]) ?? []
        }
        return (body, params)
    }

    /// `2, 'a''b', NULL, true, -1.5` → ["2", "a'b", nil, "true", "-1.5"]; nil for anything else.
    static func literals(_ s: Substring) -> [String?]? {
        var out: [String?] = []
        var i = s.startIndex
        func skip() { while i < s.endIndex, s[i] == " " || s[i] == "\t" || s[i] == "\n" { i = s.index(after: i) } }
        while true {
            skip()
            guard i < s.endIndex else { return out.isEmpty ? [] : nil }
            if s[i] == "'" {
                var v = ""
                i = s.index(after: i)
                var closed = false
                while i < s.endIndex {
                    if s[i] == "'" {
                        let n = s.index(after: i)
                        if n < s.endIndex, s[n] == "'" { v.append("'"); i = s.index(after: n); continue }
                        i = n; closed = true; break
                    }
                    v.append(s[i]); i = s.index(after: i)
                }
                guard closed else { return nil }
                out.append(v)
            } else {
                let start = i
                while i < s.endIndex, s[i] != ",", s[i] != " " { i = s.index(after: i) }
                let word = String(s[start..<i])
                if word.uppercased() == "NULL" { out.append(nil) }
                else if ["TRUE", "FALSE"].contains(word.uppercased()) || Double(word) != nil { out.append(word) }
                else { return nil }
            }
            skip()
            if i == s.endIndex { return out }
            guard s[i] == "," else { return nil }
            i = s.index(after: i)
        }
    }
}

extension StringProtocol {
    /// First occurrence of an ASCII needle, by UTF-8 bytes (no Foundation, no locale).
    func firstRange(ofASCII needle: StaticString) -> Range<Index>? {
        let n = needle.utf8CodeUnitCount
        guard n > 0 else { return nil }
        let u = self.utf8
        // Native strings: memchr/memcmp over the contiguous bytes, then one O(1) index step.
        if let at = u.withContiguousStorageIfAvailable({ Bytes.find(needle, $0, 0, $0.count) ?? -1 }) {
            guard at >= 0 else { return nil }
            let lo = u.index(u.startIndex, offsetBy: at)
            return lo..<u.index(lo, offsetBy: n)
        }
        let p = needle.utf8Start
        var i = u.startIndex
        while i != u.endIndex {
            if u[i] == p[0] {
                var j = i
                var k = 0
                while k < n, j != u.endIndex, u[j] == p[k] { j = u.index(after: j); k += 1 }
                if k == n { return i..<j }
            }
            i = u.index(after: i)
        }
        return nil
    }

    /// `dropFirst(n)` once `hasASCIIPrefix` matched an n-byte ASCII prefix ending in a space: a
    /// step over bytes instead of n Characters (grapheme breaking, ~700 instructions a message).
    /// A space followed by an ASCII byte (or nothing) is always a Character boundary; when a
    /// non-ASCII byte follows (it might extend the space) Characters decide, as before.
    func droppingASCIIPrefix(_ n: Int) -> SubSequence {
        let u = utf8
        let cut = u.index(u.startIndex, offsetBy: n)
        if cut == u.endIndex || u[cut] < 0x80 { return self[cut...] }
        return dropFirst(n)
    }

    /// Byte-wise prefix test for an ASCII literal.
    @inline(__always)
    func hasASCIIPrefix(_ lit: StaticString) -> Bool {
        if let r = utf8.withContiguousStorageIfAvailable({ Bytes.hasPrefix($0, 0, $0.count, lit) }) { return r }
        let n = lit.utf8CodeUnitCount
        let p = lit.utf8Start
        var k = 0
        for c in self.utf8 {
            if k == n { return true }
            if c != p[k] { return false }
            k += 1
        }
        return k == n
    }
}
