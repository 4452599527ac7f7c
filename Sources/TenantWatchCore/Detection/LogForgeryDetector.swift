import TenantWatchModel

/// `log_forgery`: text a client controls was written where it reads as a log line of its own.
///
/// Ways into a stderr log, each reported per attempt (the parser is not fooled by the first two):
/// - `application_name` holding prefix-like text (a timestamp, `[pid]`, `LOG:  statement:`):
///   PostgreSQL writes it into the prefix unescaped, so such a name plants a fake prefix and a
///   fake statement in every line of the session — to hide a query, or to frame another.
/// - a literal spanning lines: PostgreSQL writes each of its lines after newline + TAB, and one of
///   them holds a complete log line. The reader keeps it as the statement's text (a record never
///   starts inside a continuation line of another), and reports the attempt here.
/// - a ` LOG:  `-like marker in the first line of a statement as read: forged text the name
///   checks did not catch (a prefix that was inferred, not configured, may leave a forged
///   `application_name` inside the message). The statement may then be the forger's: the
///   finding says to check `prefix`.
public struct LogForgeryDetector: StatementDetector {
    public init() {}

    public func inspect(_ s: AnalyzedStatement) -> [Finding] {
        var out: [Finding] = []
        let user = s.execution.user.map { " (user \($0))" } ?? ""
        if s.execution.applicationNameLooksForged {
            let name = TextSanitizer.oneLine(s.execution.forgedApplication ?? s.execution.application ?? "")
            var message = "backend \(s.execution.backend.pid)\(user) set application_name \"\(name)\", "
                + "which forges a log line prefix"
            if s.execution.prefixAmbiguous {
                message += "; its lines read two ways and nothing logged before settles which: read csvlog/jsonlog for the truth"
            }
            var finding = s.finding(kind: .logForgery, severity: .high, message: message, tables: [])
            // One finding per forged name, not per statement the backend ran.
            finding.fingerprint = "application_name:" + name
            finding.statement = nil
            out.append(finding)
        }
        if s.execution.severityMarkerInText, !s.execution.applicationNameLooksForged {
            // Without a forged name on this reading: the marker is in the statement's own text,
            // or a name the prefix reading could not isolate (is `prefix` the server's?).
            let message = "backend \(s.execution.backend.pid)\(user) logged a line whose statement holds a log severity "
                + "marker (` LOG:  `): text written to look like a log line, in the statement or in an application_name "
                + "(check that `prefix` is the server's log_line_prefix)"
            var finding = s.finding(kind: .logForgery, severity: .high, message: message, tables: [])
            finding.fingerprint = "marker:" + (s.fingerprint ?? TextSanitizer.oneLine(s.execution.sql))
            out.append(finding)
        }
        if let line = s.execution.recordLikeContinuationLine {
            let message = "backend \(s.execution.backend.pid)\(user) wrote a literal spanning lines whose line \(line) "
                + "reads as a log record of its own; it was kept as the text of this statement"
            var finding = s.finding(kind: .logForgery, severity: .high, message: message, tables: [])
            finding.fingerprint = "continuation:" + (s.fingerprint ?? TextSanitizer.oneLine(s.execution.sql))
            out.append(finding)
        }
        return out
    }
}
