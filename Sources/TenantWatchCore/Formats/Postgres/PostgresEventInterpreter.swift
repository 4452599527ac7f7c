import TenantWatchModel
import TenantWatchSQL

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
        /// Statements `log_statement` reported that no AUDIT line has repeated yet (the latest
        /// few): with both on, the AUDIT line is the same execution, not another. Several, as
        /// with `pgaudit.log_rows` the AUDIT line comes at executor end, after the next
        /// statement (`COMMIT`) may already have been logged.
        var unaudited: [String] = []
        /// An execution read from an AUDIT line, held until the backend's next record: pgaudit
        /// can log a statement before `log_statement` does (extended protocol: after `parse`,
        /// before `execute`), and then the `execute` line, with its parameters, is the one kept.
        var held: StatementExecution?
        /// The `log_statement` line just read was the twin of a held AUDIT execution: it is
        /// not waiting for an AUDIT line of its own.
        var auditedAhead = false
        /// Statement and substatement id of the last AUDIT line of this backend: its OBJECT and
        /// SESSION lines (one per relation with `log_relation`) are one execution.
        var lastAudit: (statement: Int, substatement: Int)?
    }

    private var backends: [BackendKey: BackendState] = [:]
    /// Bound on remembered backends: a log without disconnection lines must not grow this forever.
    public var maxBackends = 100_000

    public private(set) var statements = 0
    /// Records pgBadger 12 would count as queries (`PgBadgerQueryCount`), for the cross-check.
    public private(set) var pgBadgerQueries = 0
    public private(set) var audits = 0
    public private(set) var backendEnds = 0
    public private(set) var forgedApplicationNames = 0
    /// Backends holding an AUDIT execution (see `BackendState.held`): zero on logs without
    /// pgaudit, so the hot path costs one comparison.
    private var holding = 0

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
        if holding > 0 { settleHeld(key, r.severity, m, &events) }
        switch r.severity {
        case "LOG":
            if PgBadgerQueryCount.counts(logMessage: m) { pgBadgerQueries += 1 }
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
        if let d = r.detail, d.hasASCIIPrefix("prepare: "), let (b, p) = preparedBody(prepare: d.dropFirst(9), execute: sql) {
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
            if backends.values[i].auditedAhead {
                backends.values[i].auditedAhead = false
            } else {
                if backends.values[i].unaudited.count >= 8 { backends.values[i].unaudited.removeFirst() }
                backends.values[i].unaudited.append(lastText)
            }
        } else {
            store(key, BackendState(logged: logged, lastText: lastText, unaudited: [lastText]))
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
        auditedStatement(r, key, f, &events)
    }

    /// An AUDIT line as the statement execution it records, when no other line reports it, so
    /// that a pgaudit-only log (`log_statement = 'none'`) feeds detection like `log_statement`:
    /// - the OBJECT and SESSION lines of one statement (same statement and substatement id,
    ///   one per relation with `log_relation`) are one execution;
    /// - a statement `log_statement` already reported on this backend (same text, not yet
    ///   audited, among its last few) is that execution, not another;
    /// - a statement run inside a function or DO block (substatement > 1) is not emitted:
    ///   `log_statement` never shows those either, and their `$n` are the function's arguments;
    /// - a simple-protocol string of several statements is logged whole for each of them
    ///   (statement ids n, n+1, ...): one execution of that string, as `log_statement` shows it.
    /// Parameters: `<not logged>` (`pgaudit.log_parameter` off) and `<none>` are none; with
    /// parameters the execution went through the extended protocol, under a name the line
    /// does not give (`<unnamed>`).
    private mutating func auditedStatement(_ r: PostgresLogRecord, _ key: BackendKey, _ f: PgAuditMessageParser.Fields,
                                           _ events: inout [Event]) {
        guard f.substatementID <= 1 else { return }
        var state = backends[key] ?? BackendState()
        defer { store(key, state) }
        let id = (f.statementID, f.substatementID)
        if let last = state.lastAudit, last == id { return }
        let previous = state.lastAudit
        state.lastAudit = id
        if let i = state.unaudited.firstIndex(of: f.statement) {
            state.unaudited.remove(at: i)
            return
        }
        if let previous, f.statementID == previous.statement + 1, state.lastText == f.statement,
           PgQuery.split(f.statement).count > 1 {
            return
        }
        let params = f.parameters ?? []
        let via: ExecutionProtocol = params.isEmpty ? .simple : .extended(name: "<unnamed>")
        if let earlier = state.held { release(earlier, &events); holding -= 1 }
        var e = StatementExecution(position: r.position, time: r.time, backend: r.backend, user: r.user, database: r.database,
                                   application: r.application, client: r.clientHost, sql: f.statement, parameters: params,
                                   via: via, failed: false)
        e.applicationNameLooksForged = r.applicationNameLooksForged
        state.held = e
        holding += 1
        state.lastText = f.statement
        state.logged = nil
    }

    /// A record of a backend that may hold an AUDIT execution: its `log_statement` twin (same
    /// text) replaces it; `parse`/`bind` durations and further AUDIT lines come before the twin
    /// and leave it held; anything else means no twin is coming, and the execution is emitted.
    private mutating func settleHeld(_ key: BackendKey, _ severity: String, _ m: String, _ events: inout [Event]) {
        guard let i = backends.index(forKey: key), let held = backends.values[i].held else { return }
        var text: Substring? = nil
        if severity == "LOG" {
            if m.hasASCIIPrefix("AUDIT: ") { return }
            var rest = Substring(m)
            if m.hasASCIIPrefix("duration: ") {
                guard let sep = m.firstRange(ofASCII: " ms  ") else { return }   // bare: the execution ended
                rest = m[sep.upperBound...]
                if rest.hasASCIIPrefix("parse ") || rest.hasASCIIPrefix("bind ") { return }
            }
            if rest.hasASCIIPrefix("statement: ") {
                text = rest.droppingASCIIPrefix(11)
            } else if rest.hasASCIIPrefix("execute "), let colon = rest.firstRange(ofASCII: ": ") {
                text = rest[colon.upperBound...]
            }
        }
        backends.values[i].held = nil
        holding -= 1
        if let text, text == held.sql {
            backends.values[i].auditedAhead = true
        } else {
            release(held, &events)
        }
    }

    private mutating func release(_ s: StatementExecution, _ events: inout [Event]) {
        statements += 1
        events.append(.statement(s))
    }

    /// End of input (or a quiet live source): AUDIT executions still held are emitted, in the
    /// order they were read.
    mutating func finish(into events: inout [Event]) {
        guard holding > 0 else { return }
        var held: [StatementExecution] = []
        for i in backends.indices {
            if let s = backends.values[i].held { held.append(s); backends.values[i].held = nil }
        }
        holding = 0
        for s in held.sorted(by: { $0.position.line < $1.position.line }) { release(s, &events) }
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
        if backends.count >= maxBackends, backends[key] == nil {
            // A log without disconnections: forget every backend (an AUDIT execution still held
            // by one of them is lost with it; at this many backends, a quiet one's).
            backends.removeAll(keepingCapacity: true)
            holding = state.held == nil ? 0 : 1
        }
        backends[key] = state
    }

    // MARK: - SQL-level PREPARE / EXECUTE

    /// Bodies already read, by `PREPARE` text: the server repeats the `DETAIL:  prepare:` line on
    /// every `EXECUTE`, and libpg_query need not read the same text each time.
    private var preparedBodies: [String: String] = [:]

    /// `PREPARE q(int) AS body` + `EXECUTE q(2)` → (body, ["2"]), both read by libpg_query (see
    /// `PreparedStatementParts`). Arguments that are not plain constants leave the parameters
    /// empty; nil when the `PREPARE` text does not parse as one.
    mutating func preparedBody(prepare: Substring, execute: String) -> (String, [String?])? {
        let text = String(prepare)
        let body: String
        if let known = preparedBodies[text] {
            body = known
        } else {
            guard let b = PreparedStatementParts.body(ofPrepare: text) else { return nil }
            if preparedBodies.count >= 256 { preparedBodies.removeAll(keepingCapacity: true) }
            preparedBodies[text] = b
            body = b
        }
        return (body, PreparedStatementParts.arguments(ofExecute: execute) ?? [])
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
