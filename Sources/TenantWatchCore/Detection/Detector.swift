/// A leak rule: a small pure function from one analysed statement (and what it knows of its
/// context) to findings. Adding a leak class means adding one file here and its tests.
public protocol StatementDetector: Sendable {
    func inspect(_ statement: AnalyzedStatement) -> [Finding]
}

extension AnalyzedStatement {
    /// Fields every statement finding shares, so each detector states only what is its own.
    func finding(kind: FindingKind, severity: Severity, message: String,
                 tables: [String], accessedTenants: [String] = []) -> Finding {
        Finding(kind: kind, severity: severity, time: execution.time, message: message,
                traceID: tags.traceID, requestID: tags.requestID, callerTenant: nil,
                accessedTenants: accessedTenants, tables: tables, application: application,
                route: tags.route, statement: execution.sql, fingerprint: fingerprint,
                evidence: [execution.position])
    }
}
