import TenantWatchModel

/// The one entry point for a PostgreSQL log source: bytes of lines in, events out.
///
/// The caller (the source reader) splits a file into lines and feeds them one at a time,
/// without the trailing newline; this picks the format (or detects it from the first non-empty
/// line), runs the matching reader, and interprets the records into events. Lines that cannot be
/// read become `.unparsed` events with their position and are counted; reading goes on.
public struct PostgresLogParser {
    public enum Format: String, Sendable, CaseIterable {
        case auto, stderr, csvlog, jsonlog
        /// stderr lines behind a syslog / journald / Heroku logplex header (`SyslogLogReader`).
        case syslog
        /// Google Cloud SQL through a Cloud Logging JSON export (`PlatformJSONLogReader`).
        case cloudsql
        /// CloudNativePG's JSON lines (`record`: the csvlog fields).
        case cnpg
        /// Azure Database for PostgreSQL's diagnostic-settings JSON export.
        case azure
    }

    /// What was read so far.
    public struct Statistics: Sendable, Equatable {
        public var lines = 0
        public var records = 0
        public var unparsed = 0
        public var firstUnparsed: SourcePosition?
        public var statements = 0
        /// Records pgBadger 12 counts as queries (`PgBadgerQueryCount`): more than `statements`
        /// when `duration:` lines close executions `log_statement` already reported.
        public var pgBadgerQueries = 0
        public var audits = 0
        public var backendEnds = 0
        /// Records whose application name carries prefix-like text (attempted log forgery).
        public var forgedApplicationNames = 0
        /// stderr lines the prefix could read in more than one way (forgery or bad luck).
        public var ambiguousPrefixLines = 0
        /// Records found starting in the middle of a line (stderr without the logging collector).
        public var recordsSplitInsideLines = 0
        /// stderr continuation lines that read as a log record, kept as their record's text.
        public var recordLikeContinuations = 0
        /// Records by severity (`LOG`, `ERROR`, ...).
        public var severities: [String: Int] = [:]
    }

    public let file: String
    public let requestedFormat: Format
    /// The format in use: the requested one, or the detected one once a non-empty line was seen.
    public private(set) var format: Format
    /// What was read so far.
    public var statistics: Statistics {
        var s = counters
        for (name, n) in zip(severityNames, severityCounts) { s.severities[name, default: 0] += n }
        s.statements = interpreter.statements
        s.pgBadgerQueries = interpreter.pgBadgerQueries
        s.audits = interpreter.audits
        s.backendEnds = interpreter.backendEnds
        s.forgedApplicationNames = interpreter.forgedApplicationNames
        if let r = prefixReader {
            s.ambiguousPrefixLines = r.ambiguousLines
            s.recordsSplitInsideLines = r.recordsSplitInsideLines
            s.recordLikeContinuations = r.recordLikeContinuations
        }
        return s
    }
    private var counters = Statistics()
    /// Records by severity, counted without hashing a String per record (a handful of names).
    private var severityNames: [String] = []
    private var severityCounts: [Int] = []

    private let prefix: String?
    private let timezone: String
    private var stderr: StderrLogReader?
    private var syslog: SyslogLogReader?
    private var platformJSON: PlatformJSONLogReader?
    /// The reader of `log_line_prefix` lines, bare or behind a syslog header or in JSON.
    private var prefixReader: StderrLogReader? {
        if let stderr { return stderr }
        if let syslog { return syslog.stderr }
        if let p = platformJSON, p.shape != .cloudNativePG { return p.stderr }
        return nil
    }
    private var csv: CSVLogReader?
    private var json: JSONLogReader?
    private var interpreter = PostgresEventInterpreter()
    private var scratch = PostgresReaderSink()
    /// What detection assumed has been handed to `PostgresFormatReports` (once a source).
    private var reported = false
    /// Where reports go (tests pass their own).
    var reports: PostgresFormatReports = .shared
    /// Lines read before the report says what it has, unconfirmed (live sources never finish).
    static let linesBeforeReport = 1000

    /// - Parameters:
    ///   - prefix: the server's `log_line_prefix` (stderr); nil tries the common defaults.
    ///   - timezone: IANA zone for timestamps whose zone is an abbreviation (`CET`).
    ///   - file: the name positions carry.
    public init(format: Format = .auto, prefix: String? = nil, timezone: String = "UTC", file: String) {
        self.file = file
        self.requestedFormat = format
        self.format = format
        self.prefix = prefix
        self.timezone = timezone
        if format != .auto { start(format) }
    }

    private mutating func start(_ f: Format) {
        format = f
        switch f {
        case .stderr, .auto:
            stderr = StderrLogReader(prefix: prefix, timezone: timezone, file: file)
            stderr!.keepsAllFields = false
            format = .stderr
        case .syslog:
            syslog = SyslogLogReader(prefix: prefix, timezone: timezone, file: file)
            syslog!.stderr.keepsAllFields = false
        case .cloudsql, .cnpg, .azure:
            let shape: PlatformJSONLogReader.Shape = f == .cloudsql ? .cloudSQL : f == .cnpg ? .cloudNativePG : .azure
            platformJSON = PlatformJSONLogReader(shape: shape, prefix: prefix, timezone: timezone, file: file)
            platformJSON!.stderr.keepsAllFields = false
        case .csvlog: csv = CSVLogReader(timezone: timezone, file: file)
        case .jsonlog: json = JSONLogReader(timezone: timezone, file: file)
        }
    }

    /// One physical line, without its trailing `\n`.
    public mutating func feed(line: UnsafeBufferPointer<UInt8>, lineNumber: Int, into events: inout [Event]) {
        counters.lines += 1
        if format == .auto {
            guard let f = PostgresFormatDetector.detect(line) else { return }
            start(f)
        }
        scratch.removeAll()
        if stderr != nil { stderr!.feed(line, lineNumber: lineNumber, into: &scratch) }
        else if syslog != nil { syslog!.feed(line, lineNumber: lineNumber, into: &scratch) }
        else if platformJSON != nil { platformJSON!.feed(line, lineNumber: lineNumber, into: &scratch) }
        else if csv != nil { csv!.feed(line, lineNumber: lineNumber, into: &scratch) }
        else if json != nil { json!.feed(line, lineNumber: lineNumber, into: &scratch) }
        if !reported { report(final: false) }
        drain(&events)
    }

    // MARK: reading and interpreting apart

    // `SourceCursor` runs the two halves of `feed` on different threads: reading (prefix
    // matching, record assembly) where the file is read, interpreting (records into events)
    // where the events are consumed. Each thread holds its own copy of the parser and uses only
    // its half; the records cross over in a `PostgresReaderSink`.

    /// The reading half of `feed`: the line's completed records and unreadable lines are added
    /// to `sink` (which may already hold earlier lines' output), not interpreted.
    mutating func read(line: UnsafeBufferPointer<UInt8>, lineNumber: Int, into sink: inout PostgresReaderSink) {
        counters.lines += 1
        if format == .auto {
            guard let f = PostgresFormatDetector.detect(line) else { return }
            start(f)
        }
        if stderr != nil { stderr!.feed(line, lineNumber: lineNumber, into: &sink) }
        else if syslog != nil { syslog!.feed(line, lineNumber: lineNumber, into: &sink) }
        else if platformJSON != nil { platformJSON!.feed(line, lineNumber: lineNumber, into: &sink) }
        else if csv != nil { csv!.feed(line, lineNumber: lineNumber, into: &sink) }
        else if json != nil { json!.feed(line, lineNumber: lineNumber, into: &sink) }
        if !reported { report(final: false) }
    }

    /// The reading half of `lineCut`.
    mutating func readLineCut(lineNumber: Int, head: UnsafeBufferPointer<UInt8>? = nil, into sink: inout PostgresReaderSink) {
        counters.lines += 1
        if let head, stderr != nil {
            stderr!.feedCut(head, lineNumber: lineNumber, into: &sink)
        } else {
            stderr?.finish(into: &sink)
        }
        syslog?.finish(into: &sink)
        platformJSON?.stderr.finish(into: &sink)
        if let head, csv != nil {
            csv!.cutLine(head, lineNumber: lineNumber, into: &sink)
        } else {
            csv?.abandonRecord(into: &sink)
        }
        if let head, json != nil { json!.cutLine(head, lineNumber: lineNumber, into: &sink) }
    }

    /// The reading half of `finish`.
    mutating func readFinish(into sink: inout PostgresReaderSink) {
        stderr?.finish(into: &sink)
        syslog?.finish(into: &sink)
        platformJSON?.stderr.finish(into: &sink)
        csv?.finish(into: &sink)
        sink.ended = true
        if !reported { report(final: true) }
    }

    /// The interpreting half: events of `sink`'s records, in input order; the sink is emptied.
    mutating func interpret(_ sink: inout PostgresReaderSink, into events: inout [Event]) {
        if sink.records.isEmpty && sink.unparsed.isEmpty {
            if sink.ended { interpreter.finish(into: &events); reportCount(); sink.ended = false }
            return
        }
        var u = 0
        for i in 0...sink.records.count {
            while u < sink.unparsed.count, sink.unparsed[u].before == i {
                count(sink.unparsed[u].line)
                events.append(.unparsed(sink.unparsed[u].line))
                u += 1
            }
            guard i < sink.records.count else { break }
            counters.records += 1
            countSeverity(sink.records[i].severity)
            let before = events.count
            interpreter.interpret(inPlace: &sink.records[i], into: &events)
            if events.count > before {
                for e in events[before...] { if case .unparsed(let x) = e { count(x) } }
            }
        }
        if sink.ended { interpreter.finish(into: &events); reportCount() }
        sink.removeAll()
    }

    /// Convenience for tests and small inputs.
    public mutating func feed(line: String, lineNumber: Int, into events: inout [Event]) {
        var l = line
        l.withUTF8 { feed(line: $0, lineNumber: lineNumber, into: &events) }
    }

    /// Completes stderr records whose backend wrote nothing for `seconds` of log time (live
    /// tailing: the last record of a quiet backend must not wait for its next line).
    public mutating func flush(olderThanSeconds seconds: Double, into events: inout [Event]) {
        scratch.removeAll()
        stderr?.flush(olderThan: seconds, into: &scratch)
        syslog?.flush(olderThan: seconds, into: &scratch)
        platformJSON?.stderr.flush(olderThan: seconds, into: &scratch)
        drain(&events)
        // A twin `log_statement` line comes within milliseconds of its AUDIT line, or not at all.
        interpreter.finish(into: &events)
    }

    /// End of input: completes pending records, reports an unclosed csvlog record.
    public mutating func finish(into events: inout [Event]) {
        if !reported { report(final: true) }
        scratch.removeAll()
        stderr?.finish(into: &scratch)
        syslog?.finish(into: &scratch)
        platformJSON?.stderr.finish(into: &scratch)
        csv?.finish(into: &scratch)
        drain(&events)
        interpreter.finish(into: &events)
        reportCount()
    }

    /// The source ended: its statements and pgBadger's count of the same file, for `scan`.
    /// (Runs on the interpreting half, whose copy never detects the format: records tell.)
    private func reportCount() {
        guard counters.records > 0 else { return }
        reports.addCount(PostgresStatementCount(file: file, statements: interpreter.statements,
                                                pgBadgerQueries: interpreter.pgBadgerQueries))
    }

    /// Live tailing, the file quiet: a csvlog record still open is a broken one (see
    /// `CSVLogReader.flushIdle`).
    public mutating func flushOpenCSVRecord(into events: inout [Event]) {
        guard csv?.isInsideRecord == true else { return }
        scratch.removeAll()
        csv?.flushIdle(into: &scratch)
        drain(&events)
    }

    /// An over-long line was cut and not handed over (see `LogParser.lineCut`): stderr records
    /// held back are completed (a continuation line after the cut then has no record to join,
    /// and is counted, instead of joining another backend's); an open csvlog record is abandoned.
    public mutating func lineCut(lineNumber: Int, into events: inout [Event]) {
        counters.lines += 1
        scratch.removeAll()
        stderr?.finish(into: &scratch)
        syslog?.finish(into: &scratch)
        platformJSON?.stderr.finish(into: &scratch)
        csv?.abandonRecord(into: &scratch)
        drain(&events)
    }

    /// As `lineCut`; stderr reads the head first, and the statement it holds (or continues) is
    /// completed marked `textCut`, to be reported as `unjudged_statement` rather than lost.
    public mutating func lineCut(head: UnsafeBufferPointer<UInt8>, lineNumber: Int, into events: inout [Event]) {
        counters.lines += 1
        scratch.removeAll()
        readLineCutHead(head, lineNumber: lineNumber)
        drain(&events)
    }

    private mutating func readLineCutHead(_ head: UnsafeBufferPointer<UInt8>, lineNumber: Int) {
        if stderr != nil {
            stderr!.feedCut(head, lineNumber: lineNumber, into: &scratch)
        }
        // Behind a syslog header or in platform JSON the head is not read: the record in
        // progress is completed and the cut line counted.
        syslog?.finish(into: &scratch)
        platformJSON?.stderr.finish(into: &scratch)
        if csv != nil { csv!.cutLine(head, lineNumber: lineNumber, into: &scratch) }
        if json != nil { json!.cutLine(head, lineNumber: lineNumber, into: &scratch) }
    }

    /// The stderr prefix in use (configured, inferred, or announced by a reload).
    public var activePrefix: String? { prefixReader?.activePrefix }

    // MARK: saying what was assumed

    /// What format and prefix detection settled on so far; nil while nothing is known (no
    /// non-empty line yet, or a stderr file whose lines no prefix has read yet).
    public var formatReport: PostgresFormatReport? {
        guard format != .auto else { return nil }
        var r = PostgresFormatReport(file: file, format: format, formatDetected: requestedFormat == .auto,
                                     prefix: nil, prefixDetected: prefixReader != nil && prefix == nil)
        r.logplex = syslog?.sawLogplex ?? false
        if let st = prefixReader {
            if let c = st.confirmed {
                r.prefix = c.prefix
                r.prefixLine = c.line
            } else if let m = st.firstMatch {
                r.prefix = st.activePrefix ?? m.prefix
                r.prefixLine = m.line
            } else if let miss = st.firstMiss {
                r.closest = miss.closest
                r.closestPartsRead = miss.partsRead
                r.closestParts = miss.parts
                r.failedLine = miss.line
                r.failedText = miss.text
            } else {
                return nil
            }
        }
        return r
    }

    /// Hands the report over once it is settled: a prefix read a client session's line, the
    /// format is not stderr, or (`final`, or after `linesBeforeReport` lines) the server's own
    /// lines were all there was, or nothing read the lines. Said only when something was
    /// assumed, or when the configured prefix reads none of the lines.
    private mutating func report(final: Bool) {
        guard format != .auto else { return }
        if let st = prefixReader, st.confirmed == nil {
            guard final || counters.lines >= Self.linesBeforeReport else { return }
            guard st.firstMatch != nil || st.firstMiss != nil else { return }
        }
        reported = true
        guard let r = formatReport, r.formatDetected || (prefixReader != nil && (r.prefixDetected || r.prefix == nil)) else { return }
        reports.add(r)
    }

    private mutating func drain(_ events: inout [Event]) {
        if scratch.records.isEmpty && scratch.unparsed.isEmpty { return }
        // The sink is taken out of `self` so its records can be handed to the interpreter in
        // place (inout) instead of being copied out of the array one by one.
        var sink = PostgresReaderSink()
        swap(&sink, &scratch)
        interpret(&sink, into: &events)
        swap(&sink, &scratch)
    }

    private mutating func countSeverity(_ name: String) {
        for i in severityNames.indices where severityNames[i] == name {
            severityCounts[i] += 1
            return
        }
        severityNames.append(name)
        severityCounts.append(1)
    }

    private mutating func count(_ u: UnparsedLine) {
        counters.unparsed += 1
        if counters.firstUnparsed == nil { counters.firstUnparsed = u.position }
    }
}
