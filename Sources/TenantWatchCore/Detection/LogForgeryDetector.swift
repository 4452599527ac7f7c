/// `log_forgery`: text a client controls was written where it reads as a log line of its own.
///
/// Two ways into a stderr log, both reported per attempt (the parser is not fooled by either):
/// - `application_name` holding prefix-like text (a timestamp, `[pid]`, `LOG:  statement:`):
///   PostgreSQL writes it into the prefix unescaped, so such a name plants a fake prefix and a
///   fake statement in every line of the session — to hide a query, or to frame another.
/// - a literal spanning lines: PostgreSQL writes each of its lines after newline + TAB, and one of
///   them holds a complete log line. The reader keeps it as the statement's text (a record never
///   starts inside a continuation line of another), and reports the attempt here.
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
