import TenantWatchSQL

/// `unjudged_statement` (medium): a statement that touches tenant-owned data but cannot be judged
/// — over the size handed to libpg_query, cut at the line length limit, or rejected by
/// libpg_query. Padding a leak past a limit, or wrapping it in text the parser rejects, must not
/// turn it into silence and exit 0: the statement is reported with its position, and why.
///
/// Which tables it touches is read with PostgreSQL's lexer (`PgQuery.namedTables`). A statement
/// too large for the lexer, or cut inside a quote, may name no readable table: those are
/// reported whatever they touch (they are rare, and nothing about them can be shown safe); an
/// unparseable statement that names no tenant-owned table is not.
public struct UnjudgedStatementDetector: StatementDetector {
    public init() {}

    public func inspect(_ s: AnalyzedStatement) -> [Finding] {
        guard s.verdict == .unparseable else { return [] }
        // A statement the server rejected ran no query (its text did not parse there either).
        guard !s.execution.failed else { return [] }
        let size = s.execution.sql.utf8.count
        let failure = s.judgement?.analysis.parseError
        let why: String
        let readable: Bool
        if s.execution.textCut {
            why = "it was cut at the line length limit (\(size) bytes read)"
            readable = false
        } else if failure?.tooLarge == true {
            why = "it is \(size) bytes, over the \(PgQuery.maximumStatementBytes) bytes handed to libpg_query"
            readable = false
        } else {
            why = "libpg_query cannot parse it (\(failure.map { "\($0)" } ?? s.reason))"
            readable = true
        }
        if readable && s.tables.isEmpty { return [] }
        let on = s.tables.isEmpty ? "a statement whose tables could not be read" : "a statement on \(s.tables.joined(separator: ", "))"
        let who = s.application.map { " by \($0)" } ?? ""
        let message = "\(on)\(who) was not judged: \(why)"
        var finding = s.finding(kind: .unjudgedStatement, severity: .medium, message: message, tables: s.tables)
        // The text may be megabytes: the finding keeps its head; the evidence points at all of it.
        if size > 4096 {
            finding.statement = String(decoding: Array(s.execution.sql.utf8.prefix(4096)), as: UTF8.self) + " … [\(size) bytes]"
        }
        finding.fingerprint = finding.fingerprint ?? "unjudged:\(s.execution.position.file):\(s.execution.position.line)"
        return [finding]
    }
}
