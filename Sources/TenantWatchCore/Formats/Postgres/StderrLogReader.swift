#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TenantWatchModel
import TenantWatchSQL

/// Reads PostgreSQL's stderr log format (`log_destination = stderr`, with or without the
/// logging collector) for any `log_line_prefix`.
///
/// A record is a primary line (`LOG:`, `ERROR:` ...), its continuation lines (an embedded newline
/// is written as newline + TAB) and its secondary lines (`DETAIL:`, `STATEMENT:` ...), which are
/// separately prefixed lines of the same backend. Backends interleave, so the reader keeps one
/// pending record per backend (pid, and session id when `%c` is in the prefix) and completes it
/// when that backend starts its next record, when `finish` is called, or when the caller flushes
/// records older than some log time (live tailing).
///
/// Prefixes: the configured one first, then the common defaults; a `parameter "log_line_prefix"
/// changed to "..."` message installs the new prefix on the spot (a reload changes the prefix in
/// the middle of a file). Without the collector a record can start in the middle of a line; the
/// reader finds it and splits there.
struct StderrLogReader {
    let file: String
    let timezone: String
    let configuredPrefix: LogLinePrefix?
    /// Tried in order; the one that last matched is moved to the front.
    private(set) var matchers: [PrefixMatcher]
    /// Look for a record that starts inside a continuation line (no logging collector).
    var splitsRecordsInsideLines = true

    /// A record waiting for its backend's next one. A class: the per-backend table holds a
    /// reference, so appending a DETAIL line or completing the record never copies the record
    /// (a copy retains, and its end releases, every String in it). Completed ones are reused
    /// (`spare`): one allocation fewer per record.
    private final class Pending {
        @exclusivity(unchecked) var record: PostgresLogRecord
        /// Secondary lines as text, decoded once when read (a line never splits a UTF-8 sequence,
        /// so line-by-line decoding reads the same as decoding the joined bytes).
        @exclusivity(unchecked) var secondary: [(StaticString, String)] = []
        @exclusivity(unchecked) var lastLine: Int
        @exclusivity(unchecked) var lean: Bool

        /// Builds the record in place (a record passed in would be copied into the object).
        init(position: SourcePosition, time: Timestamp?, pid: Int?, sessionID: String?, severity: String,
             lastLine: Int, lean: Bool) {
            self.record = PostgresLogRecord(position: position, time: time, pid: pid, sessionID: sessionID,
                                            severity: severity, message: "")
            self.lastLine = lastLine
            self.lean = lean
        }

        /// Makes a completed object a fresh pending record. `build` left a blank record in it
        /// (every optional field nil), so only the fields a new record starts with are set: a
        /// whole new record would be built aside, copied in, and the blank one destroyed.
        func reset(position: SourcePosition, time: Timestamp?, pid: Int?, sessionID: String?, severity: String,
                   lastLine: Int, lean: Bool) {
            record.position = position
            record.time = time
            record.pid = pid
            record.sessionID = sessionID
            record.severity = severity
            secondary.removeAll(keepingCapacity: true)
            self.lastLine = lastLine
            self.lean = lean
        }

        func appendSecondary(_ word: StaticString, _ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, line: Int) {
            if !lean { secondary.append((word, Bytes.string(b, s, e))) }
            lastLine = line
        }

        func appendContinuation(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) {
            if lean { return }
            if secondary.isEmpty {
                record.message.append("\n")
                record.message.append(Bytes.string(b, s, e))
            } else {
                secondary[secondary.count - 1].1.append("\n")
                secondary[secondary.count - 1].1.append(Bytes.string(b, s, e))
            }
        }
    }

    /// Completed `Pending` objects, ready for reuse.
    private var spare: [Pending] = []

    private var pending: [BackendKey: Pending] = [:]
    /// Off: records that cannot become events skip building their Strings (the parser's mode).
    var keepsAllFields = true
    /// A backend's record is complete once its next record starts, but a backend can stay quiet
    /// for hours (its `disconnection:` is its last line). Records this many seconds of log time
    /// older than the newest line are completed as the log advances, so events stay close to
    /// time order. Safe: a record's secondary lines are written with it (collector) or within
    /// milliseconds (no collector). nil: only the backend's next record, `flush`, `finish`.
    var autoFlushSeconds: Double? = 2
    private var lastAutoFlush: Int64?
    private var lastKey: BackendKey?
    /// Application names each pid announced (`connection authorized: ... application_name=`) or
    /// showed unambiguously: the tie-breaker when a forged `application_name` makes a line
    /// readable in two ways.
    private var knownApplication: [Int: [UInt8]] = [:]
    /// The name each pid connected with (what `RESET application_name` returns to).
    private var startupApplication: [Int: [UInt8]] = [:]
    /// `%c` of each pid, from lines that read one way only.
    private var knownSession: [Int: [UInt8]] = [:]
    private var latestTime: Timestamp?
    /// A line was cut at the line cap and its record completed: the continuation lines after it
    /// are that record's (client) text, not a place to look for records.
    private var afterCut = false
    private var saidLanguage = false
    private(set) var recordsSplitInsideLines = 0
    private(set) var ambiguousLines = 0
    /// Continuation lines that read as a log record and were kept as their record's text.
    private(set) var recordLikeContinuations = 0
    /// The prefix the first readable line was read with, and that line.
    private(set) var firstMatch: (prefix: String, line: Int)?
    /// The prefix that read the first line a client session wrote (a connection, a statement):
    /// auto-detection's answer. Server lines alone cannot tell `%m [%p] ` from Debian's
    /// `%m [%p] %q%u@%d ` (`%q` cuts the prefix there), a session's line can.
    private(set) var confirmed: (prefix: String, line: Int)?
    /// The first line no prefix could read, and the prefix that came closest to reading it.
    private(set) var firstMiss: PrefixMiss?
    /// Lines no prefix could read.
    private(set) var misses = 0
    /// The pid and time an envelope (a syslog header) gave the line being fed: they stand in
    /// when the prefix has no `%p` / time of its own.
    var envelopePID: Int?
    var envelopeTime: Timestamp?

    /// What auto-detection says when nothing fits: the nearest candidate and where it failed.
    struct PrefixMiss: Sendable, Equatable {
        var line: Int
        /// The start of the line (at most 120 bytes), for the message.
        var text: String
        var closest: String
        /// Parts of `closest` (literals and escapes) that did read before it failed.
        var partsRead: Int
        var parts: Int
    }

    init(prefix: String?, timezone: String, file: String) {
        self.file = file
        self.timezone = timezone
        self.configuredPrefix = prefix.map(LogLinePrefix.init)
        var list: [PrefixMatcher] = []
        if let p = configuredPrefix { list.append(PrefixMatcher(prefix: p, timezone: timezone)) }
        for d in LogLinePrefix.commonDefaults where d != prefix {
            list.append(PrefixMatcher(prefix: LogLinePrefix(d), timezone: timezone))
        }
        matchers = list
    }

    /// Prefixes tried at most (configured, defaults, announced by reloads). The announcement is
    /// text in a line, so hostile lines could announce a new one each: every line that fails the
    /// active prefix would then try them all.
    static let maximumPrefixes = LogLinePrefix.commonDefaults.count + 8

    /// The prefix currently in use (the last one that matched).
    var activePrefix: String? { matchers.first?.prefix.text }

    /// Whether this log's continuation lines come without the TAB PostgreSQL puts before them.
    /// Google Cloud SQL's logs reach users through Cloud Logging, one entry a message, and when
    /// copied out as text the lines after the first of a message have lost it (a real PG17
    /// instance's log: `Fixtures/platforms/cloudsql_server_capture.log`, `STATEMENT:` and
    /// autovacuum lines). There a line no prefix reads continues the record before it, as
    /// pgBadger reads it, instead of being counted unparsed; text in it that reads as a record
    /// is still marked (`recordLikeContinuation`). Elsewhere such a line is foreign and counted.
    private var linesLoseTheirTab: Bool {
        matchers.first.map { LogLinePrefix.platform(of: $0.prefix.text) == "Google Cloud SQL" } ?? false
    }

    mutating func feed(_ b: UnsafeBufferPointer<UInt8>, lineNumber n: Int, into out: inout PostgresReaderSink) {
        var end = b.count
        if end > 0, b[end - 1] == Bytes.cr { end -= 1 }
        guard end > 0 else { return }
        if b[0] == Bytes.tab {
            continuation(b, 1, end, n, &out)
            return
        }
        afterCut = false
        line(b, 0, end, n, &out)
    }

    /// The head of a line over the line cap: read like any line, then the record it belongs to
    /// is marked cut (`textCut`) and completed (the rest of the line is never read, so the record
    /// cannot go on). A cut statement is reported as `unjudged_statement`, not silently lost.
    mutating func feedCut(_ b: UnsafeBufferPointer<UInt8>, lineNumber n: Int, into out: inout PostgresReaderSink) {
        let before = lastKey
        let mark = out.unparsed.count
        feed(b, lineNumber: n, into: &out)
        // The caller counted the line as cut already: a head that reads as no record is not
        // counted a second time.
        if out.unparsed.count > mark {
            out.unparsed.removeSubrange(mark...)
        }
        if let key = lastKey, let p = pending[key], p.lastLine == n || key != before {
            p.record.textCut = true
        }
        finish(into: &out)
        afterCut = true
    }

    /// A line that is not a continuation, from `start`.
    private mutating func line(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ n: Int,
                               _ out: inout PostgresReaderSink) {
        if matchers[0].match(b, from: start, to: end), bestIsUsable(0, b) {
            accept(0, b, end, n, &out)
            return
        }
        // The active prefix failed: a reload may have changed it.
        if matchers.count < Self.maximumPrefixes, let newPrefix = announcedPrefix(b, start, end),
           !matchers.contains(where: { $0.prefix.text == newPrefix }) {
            matchers.insert(PrefixMatcher(prefix: LogLinePrefix(newPrefix), timezone: timezone), at: 0)
            if matchers[0].match(b, from: start, to: end), bestIsUsable(0, b) {
                accept(0, b, end, n, &out)
                return
            }
        }
        var best: (index: Int, score: Int)? = nil
        for i in 1..<matchers.count {
            guard matchers[i].match(b, from: start, to: end) else { continue }
            let s = score(matchers[i].results[chooseIndex(matchers[i].results, b)], b)
            if best == nil || s > best!.score { best = (i, s) }
        }
        if let (i, s) = best, s >= 1000 {
            // Another prefix reads the line: it becomes the active one (moved to the front).
            let m = matchers.remove(at: i)
            matchers.insert(m, at: 0)
            accept(0, b, end, n, &out)
            return
        }
        // A prefix that matched but with a severity word that is not English.
        if matchers[0].match(b, from: start, to: end) || best != nil {
            if best != nil, matchers[0].results.isEmpty {
                let m = matchers.remove(at: best!.index); matchers.insert(m, at: 0)
                _ = matchers[0].match(b, from: start, to: end)
            }
            let r = matchers[0].results[0]
            let word = Bytes.string(b, r.severityStart, r.severityEnd)
            let reason: String
            if !saidLanguage {
                saidLanguage = true
                reason = "severity \"\(word)\" is not an English one: set lc_messages = 'C' (or en) on the server; translated logs cannot be read"
            } else {
                reason = "severity \"\(word)\" is not an English one (lc_messages)"
            }
            out.unparsed(UnparsedLine(position: SourcePosition(file: file, line: n), reason: reason))
            return
        }
        // A record that starts after some foreign bytes (no logging collector).
        if splitsRecordsInsideLines, let at = recordStart(b, start + 1, end) {
            out.unparsed(UnparsedLine(position: SourcePosition(file: file, line: n),
                                              reason: "text before a log record on the same line"))
            recordsSplitInsideLines += 1
            line(b, at, end, n, &out)
            return
        }
        if linesLoseTheirTab, let key = lastKey, pending[key] != nil {
            continuation(b, start, end, n, &out)
            return
        }
        misses += 1
        if firstMiss == nil { firstMiss = closestMiss(b, start, end, n) }
        let reason = configuredPrefix == nil
            ? "line matches none of the common log_line_prefix values; set `prefix` for this source to the server's log_line_prefix"
            : "line does not match log_line_prefix '\(configuredPrefix!.text)'"
        out.unparsed(UnparsedLine(position: SourcePosition(file: file, line: n), reason: reason))
    }

    /// A continuation line (newline + TAB) belongs to the record before it, whole.
    ///
    /// PostgreSQL tab-indents every line after the first of a message, and a client decides what
    /// those lines hold: a literal with a newline in it can hold a complete, well-formed log line.
    /// Reading such text as a new record would let any client fabricate a statement (a fake
    /// unscoped read) or cut its own statement short (hiding a real one). So text inside a
    /// continuation line never starts a record while a record is being read; when it reads as
    /// one, the record is marked (`recordLikeContinuation`, a `log_forgery` finding) and counted.
    ///
    /// Only a continuation line with no record before it (the start of an excerpt, or stderr
    /// written without the logging collector, where another backend's write can land inside a
    /// long line) is searched for a record starting inside it: there is no statement whose text
    /// it could be part of.
    private mutating func continuation(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ n: Int,
                                       _ out: inout PostgresReaderSink) {
        if let key = lastKey, let i = pending.index(forKey: key) {
            let p = pending.values[i]
            p.appendContinuation(b, start, end)
            p.lastLine = n
            if recordStart(b, start, end) != nil {
                p.record.recordLikeContinuation = true
                p.record.recordLikeContinuationLine = p.record.recordLikeContinuationLine ?? n
                recordLikeContinuations += 1
            }
            return
        }
        if afterCut {
            // The rest of a record cut at the line cap: still client text, never a record start.
            out.unparsed(UnparsedLine(position: SourcePosition(file: file, line: n),
                                      reason: "continuation of a record cut at the line length limit"))
            return
        }
        var contEnd = end
        var split: Int? = nil
        if splitsRecordsInsideLines, let at = recordStart(b, start, end) {
            split = at
            contEnd = at
        }
        if contEnd > start || split == nil {
            out.unparsed(UnparsedLine(position: SourcePosition(file: file, line: n),
                                              reason: "continuation line without a record before it"))
        }
        if let at = split {
            recordsSplitInsideLines += 1
            line(b, at, end, n, &out)
        }
    }

    /// Where, in `b[from..<end]`, a record written by another process begins, if anywhere.
    private mutating func recordStart(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ end: Int) -> Int? {
        var i = from
        while i < end {
            if matchers[0].couldStart(b, at: i, end: end), matchers[0].match(b, from: i, to: end),
               matchers[0].results.contains(where: { $0.severity != nil }) {
                return i
            }
            i += 1
        }
        return nil
    }

    /// The prefix that got furthest into a line none could read (once per source: it re-runs
    /// every matcher on the line).
    private mutating func closestMiss(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ n: Int) -> PrefixMiss {
        var best = (index: 0, read: -1, parts: 1)
        for i in matchers.indices {
            _ = matchers[i].match(b, from: start, to: end)
            let parts = max(matchers[i].prefix.pieces.count, 1)
            let read = matchers[i].deepest
            // Most of its own parts read; on a tie the longer prefix (it explains more of the line).
            if best.read < 0 || read * best.parts > best.read * parts || (read * best.parts == best.read * parts && parts > best.parts) {
                best = (i, read, parts)
            }
        }
        let cut = min(end, start + 120)
        return PrefixMiss(line: n, text: Bytes.string(b, start, cut), closest: matchers[best.index].prefix.text,
                          partsRead: best.read, parts: matchers[best.index].prefix.pieces.count)
    }

    private func bestIsUsable(_ k: Int, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        matchers[k].results.contains { $0.severity != nil }
    }

    /// Orders the readings of an ambiguous line: an English severity first, then the reading
    /// whose application name is the one the backend is known to have (announced at connection,
    /// or set since by a logged `SET application_name`), then a full (not `%q`-cut) prefix.
    /// A reading whose session id (`%c`) contradicts its pid, or the session the pid was seen in,
    /// is one the server cannot have written: `%c` is the backend's start time and pid in hex.
    private func score(_ m: PrefixMatch, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        var s = 0
        if m.severity != nil { s += 1000 }
        if !m.truncated { s += 10 }
        if let pid = m.pid, m.session.0 >= 0 {
            let (a, e) = m.session
            if !Self.sessionNamesPid(b, a, e, pid) { s -= 100_000 }
            if let known = knownSession[pid], !(known.count == e - a && Bytes.hasPrefix(b, a, e, known)) { s -= 500 }
        }
        if let pid = m.pid, let known = knownApplication[pid], m.application.0 >= 0 {
            let (a, e) = m.application
            if e - a == known.count, Bytes.hasPrefix(b, a, e, known) { s += 100 }
        }
        return s
    }

    /// `%c` is `start-time-hex.pid-hex`: does its second half name `pid`?
    static func sessionNamesPid(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, _ pid: Int) -> Bool {
        guard let dot = Bytes.find(Bytes.dot, b, s, e) else { return false }
        var v = 0
        var i = dot + 1
        guard i < e, e - i <= 8 else { return false }
        while i < e {
            let c = b[i] | 0x20
            let d: Int
            if Bytes.isDigit(b[i]) { d = Int(b[i] - 48) } else if c >= 97 && c <= 102 { d = Int(c - 87) } else { return false }
            v = v * 16 + d
            i += 1
        }
        return v == pid
    }

    /// The reading to keep, and whether another reading, as good by everything known, tells a
    /// different story (another message, pid or application name): then the choice is a guess.
    private func choose(_ results: [PrefixMatch], _ b: UnsafeBufferPointer<UInt8>) -> (index: Int, uncertain: Bool) {
        if results.count == 1 { return (0, false) }
        var best = 0
        var bestScore = Int.min
        var bestApp = -1
        var scores: [Int] = []
        scores.reserveCapacity(results.count)
        for (i, m) in results.enumerated() {
            let s = score(m, b)
            scores.append(s)
            let app = m.application.1 - m.application.0
            // On a tie the longest application name: forged text sits inside it, before the real fields.
            if s > bestScore || (s == bestScore && app > bestApp) { best = i; bestScore = s; bestApp = app }
        }
        let m = results[best]
        var uncertain = false
        for (i, r) in results.enumerated() where i != best && scores[i] == bestScore {
            if r.messageStart != m.messageStart || r.pid != m.pid || r.application != m.application { uncertain = true }
        }
        return (best, uncertain)
    }

    private func chooseIndex(_ results: [PrefixMatch], _ b: UnsafeBufferPointer<UInt8>) -> Int {
        choose(results, b).index
    }

    private mutating func accept(_ k: Int, _ b: UnsafeBufferPointer<UInt8>, _ end: Int, _ n: Int,
                                 _ out: inout PostgresReaderSink) {
        if firstMatch == nil { firstMatch = (matchers[k].prefix.text, n) }
        let results = matchers[k].results
        let (idx, uncertain) = choose(results, b)
        let m = results[idx]
        if confirmed == nil, let word = m.severity, !m.truncated,
           Bytes.hasPrefix(b, m.messageStart, end, "connection authorized: ") || Self.interesting(word, b, m.messageStart, end) {
            confirmed = (matchers[k].prefix.text, n)
        }
        let ambiguous = results.count > 1
        if ambiguous { ambiguousLines += 1 }
        // A reading as good as the kept one that puts prefix-like text in the application name is
        // a forgery attempt, whichever is kept (it may be the forger's harmless-looking one).
        // Readings the backend's known name rules out are not: a `SET application_name = '...
        // LOG:  ...'` line itself reads, wrongly, with a name that swallows the statement.
        var forgedName: (Int, Int)? = nil
        let keptScore = results.count > 1 ? score(m, b) : 0
        for r in results where r.application.0 >= 0 && Self.looksLikePrefix(b, r.application.0, r.application.1)
            && (results.count == 1 || score(r, b) >= keptScore) {
            if forgedName == nil || r.application.1 - r.application.0 > forgedName!.1 - forgedName!.0 { forgedName = r.application }
        }
        let pid = m.pid ?? envelopePID
        let time = m.time ?? envelopeTime
        let key = BackendKey(pid: pid ?? 0, session: m.session.0 >= 0 ? BackendKey.sessionCode(b, m.session.0, m.session.1) : 0)
        if let t = time, latestTime == nil || t > latestTime! { latestTime = t }
        guard let word = m.severity else { return }
        if let window = autoFlushSeconds, let latest = latestTime,
           lastAutoFlush.map({ latest.microseconds - $0 >= 1_000_000 }) ?? true {
            lastAutoFlush = latest.microseconds
            flush(olderThan: window, into: &out)
        }

        let existing = pending.index(forKey: key)
        if m.kind == .secondary, let i = existing {
            pending.values[i].appendSecondary(word, b, m.messageStart, end, line: n)
            lastKey = key
            return
        }

        // Records the interpreter will not turn into events (connections, checkpoints, bare
        // `duration:` lines...) are kept lean when `keepsAllFields` is off: no Strings for their
        // prefix fields or secondary lines. They are still counted and still end a record.
        let lean = !keepsAllFields && m.kind == .primary && !Self.interesting(word, b, m.messageStart, end)
        let position = SourcePosition(file: file, line: n)
        let sessionID = m.session.0 >= 0 ? Bytes.string(b, m.session.0, m.session.1) : nil
        let p: Pending
        if let reused = spare.popLast() {
            p = reused
            p.reset(position: position, time: time, pid: pid, sessionID: sessionID,
                    severity: PostgresSeverity.name(word), lastLine: n, lean: lean)
        } else {
            p = Pending(position: position, time: time, pid: pid, sessionID: sessionID,
                        severity: PostgresSeverity.name(word), lastLine: n, lean: lean)
        }
        p.record.backendKey = key
        if let pid = m.pid, m.session.0 >= 0, !ambiguous {
            let (a, e) = m.session
            if knownSession[pid].map({ !($0.count == e - a && Bytes.hasPrefix(b, a, e, $0)) }) ?? true {
                if knownSession.count > 100_000 { knownSession.removeAll(keepingCapacity: true) }
                knownSession[pid] = Array(UnsafeBufferPointer(rebasing: b[a..<e]))
            }
        }
        if let (a, e) = forgedName {
            p.record.applicationNameLooksForged = true
            p.record.forgedApplication = Bytes.string(b, a, e)
        }
        if m.application.0 >= 0 {
            let (a, e) = m.application
            if !lean { p.record.application = Bytes.string(b, a, e) }
            if !ambiguous, let pid, e > a, !Bytes.hasPrefix(b, a, e, "[unknown]") {
                if let known = knownApplication[pid], known.count == e - a, Bytes.hasPrefix(b, a, e, known) {
                    // unchanged
                } else {
                    knownApplication[pid] = Array(UnsafeBufferPointer(rebasing: b[a..<e]))
                }
            }
        }
        if !lean {
            if m.user.0 >= 0 { p.record.user = Bytes.string(b, m.user.0, m.user.1) }
            if m.database.0 >= 0 { p.record.database = Bytes.string(b, m.database.0, m.database.1) }
            if m.host.0 >= 0 { p.record.clientHost = Self.hostOnly(b, m.host.0, m.host.1) }
            if m.backendType.0 >= 0 { p.record.backendType = Bytes.string(b, m.backendType.0, m.backendType.1) }
            if m.sqlstate.0 >= 0 { p.record.sqlstate = Bytes.string(b, m.sqlstate.0, m.sqlstate.1) }
            else if m.sqlstateField.0 >= 0 { p.record.sqlstate = Bytes.string(b, m.sqlstateField.0, m.sqlstateField.1) }
        }
        p.record.queryID = m.queryID
        p.record.sessionLine = m.lineNumber
        p.record.prefixAmbiguous = uncertain
        // A lean record keeps no message bytes. A bare `duration:` (or one closing a `parse` /
        // `bind`) only tells the interpreter that the backend's logged execution is over, and
        // any `duration: ` text without ` ms  statement:` / ` ms  execute` says exactly that;
        // pgBadger's count needs to know which of them it was (`PgBadgerQueryCount`).
        if lean, Bytes.hasPrefix(b, m.messageStart, end, "duration: ") {
            p.record.message = PgBadgerQueryCount.leanDurationMessage(b, m.messageStart, end)
        }
        if m.kind == .primary {
            if !lean {
                p.record.message = Bytes.string(b, m.messageStart, end)
                p.record.severityMarkerInMessage = Self.severityMarker(b, m.messageStart, end)
            }
            if !lean || Bytes.hasPrefix(b, m.messageStart, end, "connection authorized: ") {
                learn(from: UnsafeBufferPointer(rebasing: b[m.messageStart..<end]), pid: pid)
            }
            if let pid = m.pid, !uncertain, Bytes.hasPrefix(b, m.messageStart, end, "statement: ") {
                learnApplicationSet(UnsafeBufferPointer(rebasing: b[(m.messageStart + 11)..<end]), pid: pid)
            }
        } else {
            // A secondary line with no record before it: keep it as a record of its own.
            p.secondary.append((word, lean ? "" : Bytes.string(b, m.messageStart, end)))
        }
        if let i = existing {
            // The backend's previous record is complete: one hash lookup replaces it in place.
            let done = pending.values[i]
            pending.values[i] = p
            build(done, into: &out)
        } else {
            pending[key] = p
        }
        lastKey = key
    }

    /// Could the interpreter make an event of a record with this severity and message start?
    static func interesting(_ word: StaticString, _ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        let w = word.utf8Start[0]
        // pgaudit.log_level can put AUDIT lines at any level.
        if Bytes.hasPrefix(b, s, e, "AUDIT: ") { return true }
        if w != 76 /* LOG */ { return w == 69 /* ERROR */ || w == 70 /* FATAL */ || w == 80 /* PANIC */ }
        if Bytes.hasPrefix(b, s, e, "statement: ") || Bytes.hasPrefix(b, s, e, "execute ")
            || Bytes.hasPrefix(b, s, e, "AUDIT: ") || Bytes.hasPrefix(b, s, e, "disconnection: ") { return true }
        if Bytes.hasPrefix(b, s, e, "duration: ") {
            // `duration: N ms  statement: ...` / `  execute ...` are executions. A bare `duration:`
            // (or `parse`/`bind`) only closes one: a lean record that keeps its message (see `accept`).
            var i = s + 10
            while i < e, i < s + 40, b[i] != Bytes.space || !Bytes.hasPrefix(b, i, e, " ms  ") { i += 1 }
            return Bytes.hasPrefix(b, i, e, " ms  statement: ") || Bytes.hasPrefix(b, i, e, " ms  execute ")
        }
        if Bytes.hasPrefix(b, s, e, "parameter \"log_line_prefix\"") { return true }
        return false
    }

    /// Picks up what a message says about the log itself: the application name a connection
    /// announced, and a new `log_line_prefix` after a reload.
    private mutating func learn(from mb: UnsafeBufferPointer<UInt8>, pid: Int?) {
        do {
            if let pid, Bytes.hasPrefix(mb, 0, mb.count, "connection authorized: "),
               let at = Bytes.find(Array("application_name=".utf8), mb, 0, mb.count) {
                if knownApplication.count > 100_000 {
                    knownApplication.removeAll(keepingCapacity: true)
                    startupApplication.removeAll(keepingCapacity: true)
                }
                knownApplication[pid] = Array(mb[(at + 17)...])
                startupApplication[pid] = knownApplication[pid]
            }
            if matchers.count < Self.maximumPrefixes, Bytes.hasPrefix(mb, 0, mb.count, "parameter \"log_line_prefix\""),
               let p = announcedPrefix(mb, 0, mb.count), !matchers.contains(where: { $0.prefix.text == p }) {
                matchers.insert(PrefixMatcher(prefix: LogLinePrefix(p), timezone: timezone), at: 0)
            }
        }
    }

    /// A logged `SET application_name` / `RESET application_name`: the name this backend's next
    /// lines carry (what lets the reader tell the real prefix from a forged one with certainty).
    /// Read with libpg_query, and only for statements that mention the setting at all. Only the
    /// statement's first line is here; one spanning lines is not followed (the name stays as
    /// known, and a line it makes ambiguous is labelled so).
    private mutating func learnApplicationSet(_ sql: UnsafeBufferPointer<UInt8>, pid: Int) {
        guard sql.count < 4096, Self.mentionsApplicationName(sql) else { return }
        let text = String(decoding: sql, as: UTF8.self)
        guard let change = ApplicationNameChange.read(text) else {
            // It mentions the setting some other way (`set_config()`, `SET LOCAL`, a function):
            // the name may have changed to anything, so it is no longer known. Lines it makes
            // ambiguous are then labelled, until a line that reads one way says it again.
            knownApplication[pid] = nil
            return
        }
        let name: [UInt8]
        switch change {
        case .set(let value): name = ApplicationNameChange.asLogged(value)
        case .reset: guard let start = startupApplication[pid] else { knownApplication[pid] = nil; return }; name = start
        }
        knownApplication[pid] = name
    }

    /// Does the text hold `application_name` in any case (a cheap filter before libpg_query)?
    /// Runs for every statement line: it looks for the needle's `_` with `memchr` and compares
    /// around each one (a byte-by-byte search, with the needle built per call, was ~6% of the
    /// reading thread on an ORM's log).
    static func mentionsApplicationName(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let needle: StaticString = "application_name"
        let n = needle.utf8CodeUnitCount
        let underscore = 11   // "application" is 11 bytes
        guard b.count >= n, let base = b.baseAddress else { return false }
        let l = needle.utf8Start
        var from = underscore
        let last = b.count - (n - underscore)   // the last index the `_` can be at
        while from <= last, let hit = memchr(base + from, Int32(UInt8(ascii: "_")), last - from + 1) {
            let u = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            let i = u - underscore
            var k = 0
            while k < n, b[i + k] | (Bytes.isAlpha(b[i + k]) ? 0x20 : 0) == l[k] { k += 1 }
            if k == n { return true }
            from = u + 1
        }
        return false
    }

    /// `parameter "log_line_prefix" changed to "X"` anywhere in the bytes: X.
    private func announcedPrefix(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> String? {
        let needle = Array("parameter \"log_line_prefix\" changed to \"".utf8)
        guard let at = Bytes.find(needle, b, s, e) else { return nil }
        var close = e - 1
        while close > at + needle.count, b[close] != Bytes.quote { close -= 1 }
        guard close >= at + needle.count, b[close] == Bytes.quote else { return nil }
        return Bytes.string(b, at + needle.count, close)
    }

    /// Completes `p` into the sink. The record is moved (swapped) into its slot and finished
    /// there: a copy would retain, and its end release, every String in it.
    private mutating func build(_ p: Pending, into out: inout PostgresReaderSink) {
        // The blank record swapped into `p` is what `Pending.reset` relies on.
        out.records.append(PostgresLogRecord(position: SourcePosition(file: "", line: 0), severity: "", message: ""))
        let k = out.records.count - 1
        swap(&out.records[k], &p.record)
        for (word, text) in p.secondary {
            switch word.utf8Start[0] {
            case 68: out.records[k].detail = out.records[k].detail.map { $0 + "\n" + text } ?? text    // DETAIL
            case 72: out.records[k].hint = text                                                       // HINT
            case 67: out.records[k].context = out.records[k].context.map { $0 + "\n" + text } ?? text  // CONTEXT
            case 83: out.records[k].statement = text                                                  // STATEMENT
            case 81: out.records[k].internalQuery = text                                              // QUERY
            case 76: out.records[k].location = text                                                   // LOCATION
            default: break
            }
        }
        out.records[k].position = SourcePosition(file: file, line: out.records[k].position.line, endLine: p.lastLine)
        if spare.count < 64 { spare.append(p) }
    }

    /// Completes the pending records whose log time is more than `seconds` older than the newest
    /// time seen (live tailing: a backend that went quiet still gets its record out).
    mutating func flush(olderThan seconds: Double, into out: inout PostgresReaderSink) {
        guard let latest = latestTime else { return }
        let cutoff = latest.microseconds - Int64(seconds * 1_000_000)
        var old: [(line: Int, key: BackendKey)] = []
        var i = pending.startIndex
        while i != pending.endIndex {
            let p = pending.values[i]
            if (p.record.time?.microseconds ?? Int64.min) < cutoff { old.append((p.record.position.line, pending.keys[i])) }
            i = pending.index(after: i)
        }
        guard !old.isEmpty else { return }
        for (_, key) in old.sorted(by: { $0.line < $1.line }) {
            if let p = pending.removeValue(forKey: key) { build(p, into: &out) }
        }
    }

    mutating func finish(into out: inout PostgresReaderSink) {
        for (_, p) in pending.sorted(by: { $0.value.record.position.line < $1.value.record.position.line }) {
            build(p, into: &out)
        }
        pending.removeAll()
        lastKey = nil
    }

    var pendingCount: Int { pending.count }

    /// `127.0.0.1(45290)` → `127.0.0.1`.
    static func hostOnly(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> String {
        if e > s, b[e - 1] == Bytes.rparen, let open = Bytes.find(Bytes.lparen, b, s, e) {
            return Bytes.string(b, s, open)
        }
        return Bytes.string(b, s, e)
    }

    /// Does the message hold ` SEVERITY:  ` (an English severity word between a space and a colon
    /// with PostgreSQL's two spaces)? The server writes one per line, before the message. A second
    /// one means a client wrote it — in its statement, or in an `application_name` that a prefix
    /// reading (one inferred rather than configured, say) left inside the message.
    static func severityMarker(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        // Colons are rare in messages: `memchr` finds them (a byte-by-byte scan of every primary
        // message was ~8% of the reading thread on an ORM's log).
        guard let base = b.baseAddress else { return false }
        var i = s
        while i + 2 < e, let hit = memchr(base + i, Int32(Bytes.colon), e - 2 - i) {
            i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if b[i + 1] == Bytes.space, b[i + 2] == Bytes.space {
                var w = i
                while w > s, Bytes.isUpper(b[w - 1]) { w -= 1 }
                if w < i, w > s, b[w - 1] == Bytes.space, PostgresSeverity.classify(b, w, i) != nil { return true }
            }
            i += 1
        }
        return false
    }

    /// Text a client should never need in an application name: a severity marker (`LOG:  `),
    /// a timestamp (`2026-11-22`), a bracketed pid (`[123]`).
    static func looksLikePrefix(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var i = s
        while i < e {
            let c = b[i]
            if c == Bytes.colon, i + 2 < e, b[i + 1] == Bytes.space, b[i + 2] == Bytes.space { return true }
            if c == Bytes.lbracket {
                var j = i + 1
                while j < e, Bytes.isDigit(b[j]) { j += 1 }
                if j > i + 1, j < e, b[j] == Bytes.rbracket { return true }
            }
            if Bytes.isDigit(c), i + 10 <= e, Bytes.isDigit(b[i + 3]), b[i + 4] == Bytes.dash,
               Bytes.isDigit(b[i + 5]), Bytes.isDigit(b[i + 6]), b[i + 7] == Bytes.dash { return true }
            i += 1
        }
        return false
    }
}
