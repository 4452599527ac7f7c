import TenantWatchCore

/// What a cell means, not how it looks: a theme maps each role to colours and attributes.
public enum StyleRole: String, CaseIterable, Sendable, Hashable {
    case text, dim, header, title, border, selected, key
    case severityInfo = "severity_info", severityLow = "severity_low", severityMedium = "severity_medium"
    case severityHigh = "severity_high", severityCritical = "severity_critical"
    /// A leak: a response carrying another tenant, a cross-tenant statement.
    case leak
    /// The unscoped table or wrong tenant value inside a statement.
    case leakHighlight = "leak_highlight"
    case scoped, unscoped
    case tenantBadge = "tenant_badge"
    case statusOK = "status_ok", statusWarn = "status_warn", statusError = "status_error"
    case searchMatch = "search_match"
    case prompt
    /// A SQL keyword in the detail view's statement (PostgreSQL's lexer decides which words are).
    case sqlKeyword = "sql_keyword"

    public static func severity(_ s: Severity) -> StyleRole {
        switch s {
        case .info: return .severityInfo
        case .low: return .severityLow
        case .medium: return .severityMedium
        case .high: return .severityHigh
        case .critical: return .severityCritical
        }
    }
}
