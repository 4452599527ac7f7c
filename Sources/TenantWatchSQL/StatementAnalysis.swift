/// What a statement does, coarsely: the detectors treat reads, writes and session changes apart.
public enum StatementKind: String, Sendable, Codable, CaseIterable {
    case select, insert, update, delete, merge, copy, set, other
}

/// How a statement changes the backend's session tenant (the `session_setting` GUC).
/// `SET`/`set_config(..., false)` last for the session, `SET LOCAL`/`set_config(..., true)` for
/// the transaction; `RESET`, `RESET ALL`, `SET ... TO DEFAULT` and `DISCARD ALL` clear it.
///
/// Transaction boundaries are recorded too: a `SET LOCAL` lives until the transaction ends, and
/// outside an explicit transaction it lasts only for its own statement.
public enum SessionTenantChange: Hashable, Sendable, Codable {
    case set(TenantValue, local: Bool)
    case reset
    /// `BEGIN` / `START TRANSACTION`.
    case beginTransaction
    /// `COMMIT`, `END`, `PREPARE TRANSACTION`: local settings are gone, session ones stay.
    case commitTransaction
    /// `ROLLBACK`, `ABORT`: local settings are gone, and so is every SET made in the transaction.
    case rollbackTransaction
}

/// How one FROM item (or write target) is confined.
public enum AccessStatus: String, Hashable, Sendable, Codable {
    /// Pinned to exactly one tenant value.
    case scoped
    /// Pinned, but to several values.
    case multiTenant = "multi_tenant"
    /// Not confined, and not RLS-protected.
    case unscoped
    /// Not confined by the statement, but row-level security confines it.
    case rls
    /// A child table found only by its own keys: its tenant cannot be known from the statement.
    case unconfinedChild = "unconfined_child"
}

/// One tenant-owned FROM item (an alias is its own item: `orders a JOIN orders b` is two).
public struct TableAccess: Hashable, Sendable, Codable {
    public var table: TableName
    /// The name the statement calls it by (its alias, else its table name).
    public var refName: String
    public var status: AccessStatus
    /// The values its tenant column is pinned to; empty when unconfined.
    public var values: Set<TenantValue>
    /// True for an INSERT/UPDATE/DELETE/MERGE target.
    public var isWrite: Bool

    public init(table: TableName, refName: String, status: AccessStatus, values: Set<TenantValue>, isWrite: Bool) {
        self.table = table
        self.refName = refName
        self.status = status
        self.values = values
        self.isWrite = isWrite
    }
}

/// The analyzer's result for one SQL text. A text of several statements is judged per statement
/// (`parts`, in order) and combined here; for a single statement `parts` is empty.
public struct StatementAnalysis: Sendable {
    public var verdict: Verdict
    public var kind: StatementKind
    /// Tenant-owned tables the text touches (judged or not), sorted.
    public var tables: [TableName]
    /// Tenant-owned tables with at least one unconfined, non-RLS item, sorted.
    public var unscopedTables: [TableName]
    /// Child tables with an item found only by its own keys (`unconfined_child`), sorted.
    public var unconfinedChildTables: [TableName] = []
    /// Every judged tenant-owned item.
    public var items: [TableAccess]
    /// Union of the values of all confined items.
    public var tenantValues: Set<TenantValue>
    /// libpg_query's fingerprint of the whole text; nil when it does not parse.
    public var fingerprint: String?
    public var reason: String
    /// Session-tenant changes, in statement order.
    public var sessionChanges: [SessionTenantChange]
    public var parts: [StatementAnalysis]
    /// libpg_query's message when the verdict is `unparseable`.
    public var parseError: PgParseFailure?

    public init(verdict: Verdict, kind: StatementKind, tables: [TableName] = [], unscopedTables: [TableName] = [],
                items: [TableAccess] = [], tenantValues: Set<TenantValue> = [], fingerprint: String? = nil,
                reason: String, sessionChanges: [SessionTenantChange] = [], parts: [StatementAnalysis] = [],
                parseError: PgParseFailure? = nil) {
        self.verdict = verdict
        self.kind = kind
        self.tables = tables
        self.unscopedTables = unscopedTables
        self.items = items
        self.tenantValues = tenantValues
        self.fingerprint = fingerprint
        self.reason = reason
        self.sessionChanges = sessionChanges
        self.parts = parts
        self.parseError = parseError
    }

    /// The statements in order: `parts`, or the analysis itself for a single statement.
    public var statements: [StatementAnalysis] { parts.isEmpty ? [self] : parts }
}
