/// `log_forgery`: a client's `application_name` looks like a log prefix (a timestamp, `[pid]`,
/// `LOG:  statement:`). PostgreSQL writes it into the stderr prefix unescaped, so such a name
/// plants fake lines — to hide a query, or to frame another user. The parser is not fooled; the
/// attempt itself is reported.
public struct LogForgeryDetector: StatementDetector {
    public init() {}

    public func inspect(_ s: AnalyzedStatement) -> [Finding] {
        guard s.execution.applicationNameLooksForged else { return [] }
        let name = TextSanitizer.oneLine(s.execution.application ?? "")
        let user = s.execution.user.map { " (user \($0))" } ?? ""
        let message = "backend \(s.execution.backend.pid)\(user) set application_name \"\(name)\", "
            + "which forges a log line prefix"
        var finding = s.finding(kind: .logForgery, severity: .high, message: message, tables: [])
        // One finding per forged name, not per statement the backend ran.
        finding.fingerprint = "application_name:" + name
        finding.statement = nil
        return [finding]
    }
}
