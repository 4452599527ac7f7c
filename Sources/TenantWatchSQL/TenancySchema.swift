/// The table that holds the caller's own row (`[tenancy] caller_table`, `caller_key`,
/// `caller_tenant_column`): a row found by `key = <the caller's id>` belongs to the caller's
/// tenant, so joining through it confines to that tenant.
public struct CallerRow: Hashable, Sendable {
    public var table: TableName
    public var key: String
    public var tenantColumn: String

    public init(table: TableName, key: String = "id", tenantColumn: String) {
        self.table = table
        self.key = key
        self.tenantColumn = tenantColumn
    }
}

/// What the analyzer knows about one table from the schema dump.
public struct TableInfo: Hashable, Sendable {
    /// In declaration order (inherited columns of a partition or child table first).
    public var columns: [String]
    public var rowSecurityEnabled: Bool
    public var policyCount: Int

    public init(columns: [String] = [], rowSecurityEnabled: Bool = false, policyCount: Int = 0) {
        self.columns = columns
        self.rowSecurityEnabled = rowSecurityEnabled
        self.policyCount = policyCount
    }

    /// RLS only confines rows when it is enabled and some policy exists; enabled without a policy
    /// denies everything to non-owners but the table owner (usually the app) still reads it all.
    public var isRLSProtected: Bool { rowSecurityEnabled && policyCount > 0 }
}

/// Which tables are tenant-owned, global or RLS-protected: the `[tenancy]` config plus, when given,
/// a `pg_dump --schema-only` text parsed with libpg_query.
///
/// Without a dump the schema only knows the configured `tables`; the analyzer then also treats a
/// table as tenant-owned when the statement itself names a tenant column on it (see
/// `TenantPredicateAnalyzer`). With a dump, a table the dump defines is tenant-owned exactly when it
/// has a tenant column (or is configured); tables the dump does not define fall back as above.
///
/// Foreign keys (from the dump and `[tenancy] parents`) make a table without a tenant column
/// tenant-owned *through* its parent chain (`chains`); the analyzer then confines it only by
/// joining along those keys to a confined parent (see `StatementWalker`).
public struct TenancySchema: Sendable {
    public private(set) var tenantColumns: [String]
    public private(set) var sessionSetting: String
    public private(set) var configuredTenantTables: Set<TableName>
    public private(set) var globalTables: Set<TableName>
    public private(set) var tables: [TableName: TableInfo] = [:]
    /// True once a dump has been loaded (even one that defined no table).
    public private(set) var hasDump = false
    /// Statements of the dump libpg_query could not parse; they were skipped.
    public private(set) var skippedStatements: [PgParseFailure] = []
    /// Every foreign key known, from the dump and from `[tenancy] parents`, in the order read.
    public private(set) var foreignKeys: [ForeignKey] = []
    /// Primary keys from the dump: what `REFERENCES t` without a column list points at.
    public private(set) var primaryKeys: [TableName: [String]] = [:]
    /// Foreign keys by child table, parent columns resolved: what the analyzer follows.
    public private(set) var foreignKeysByChild: [TableName: [ForeignKey]] = [:]
    /// Tables tenant-owned only through a parent chain, with the shortest chain.
    public private(set) var chains: [TableName: ParentChain] = [:]
    /// The table holding the caller's own row (`[tenancy] caller_table`), when configured.
    public private(set) var caller: CallerRow?
    /// Columns that hold a key a child joins on or the caller row is found by, per table.
    private var keyColumns: [TableName: Set<String>] = [:]

    public init(tenantColumns: [String] = ["tenant_id"], tables: [String] = [], globalTables: [String] = [],
                sessionSetting: String = "app.current_tenant") {
        let cols = tenantColumns.map(TableName.foldIdentifier).filter { !$0.isEmpty }
        self.tenantColumns = cols.isEmpty ? ["tenant_id"] : cols
        self.configuredTenantTables = Set(tables.map(TableName.init(configName:)))
        self.globalTables = Set(globalTables.map(TableName.init(configName:)))
        // GUC names are case-insensitive.
        self.sessionSetting = sessionSetting.trimmingSpaces().lowercased()
    }

    /// Config plus a `pg_dump --schema-only` text.
    public init(pgDump: String, tenantColumns: [String] = ["tenant_id"], tables: [String] = [],
                globalTables: [String] = [], sessionSetting: String = "app.current_tenant") {
        self.init(tenantColumns: tenantColumns, tables: tables, globalTables: globalTables, sessionSetting: sessionSetting)
        load(pgDump: pgDump)
    }

    public func isTenantColumn(_ name: String) -> Bool { tenantColumns.contains(name) }

    public func info(_ table: TableName) -> TableInfo? { tables[table] }

    public func isGlobal(_ table: TableName) -> Bool { globalTables.contains(table) }

    /// `true`/`false` when the config or dump decides, `nil` when neither knows the table.
    public func isTenantOwned(_ table: TableName) -> Bool? {
        if globalTables.contains(table) { return false }
        if configuredTenantTables.contains(table) { return true }
        if let info = tables[table], info.columns.contains(where: isTenantColumn) { return true }
        if chains[table] != nil { return true }
        return tables[table] == nil ? nil : false
    }

    /// Tenant-owned directly: configured, or a tenant column in the dump (not through a chain).
    public func isRootOwned(_ table: TableName) -> Bool {
        if globalTables.contains(table) { return false }
        if configuredTenantTables.contains(table) { return true }
        return tables[table]?.columns.contains(where: isTenantColumn) ?? false
    }

    /// The parent chain of a table that is tenant-owned only through foreign keys.
    public func chain(_ table: TableName) -> ParentChain? { chains[table] }

    /// Foreign keys from `child` (resolved), for the analyzer's joins.
    public func foreignKeys(from child: TableName) -> [ForeignKey] { foreignKeysByChild[child] ?? [] }

    /// True when some foreign key points at `table`, or it is the caller table: its key columns
    /// can confine the rows of a joined child.
    public private(set) var referencedTables: Set<TableName> = []

    /// Whether the analyzer needs to follow key columns at all (cheap check on the hot path).
    public var followsKeys: Bool { !foreignKeysByChild.isEmpty || caller != nil || !primaryKeys.isEmpty }

    /// Names the caller table (`[tenancy] caller_table`).
    public mutating func setCaller(_ c: CallerRow?) {
        caller = c
        deriveChains()
    }

    /// Adds `[tenancy] parents` relations and derives the chains again.
    public mutating func addParents(_ keys: [ForeignKey]) {
        foreignKeys += keys
        deriveChains()
    }

    /// Shortest chains from every child table to a root-owned table, by breadth-first search over
    /// the foreign keys reversed: a table reached first through the fewest links keeps that chain,
    /// so cycles (`a -> b -> a`) and self-references end the search instead of looping. A table
    /// that is root-owned or global is never given a chain.
    package mutating func deriveChains() {
        var byChild: [TableName: [ForeignKey]] = [:]
        var byParent: [TableName: [ForeignKey]] = [:]
        var referenced: Set<TableName> = []
        for var fk in foreignKeys {
            if fk.parentColumns.isEmpty {
                guard let pk = primaryKeys[fk.parent], pk.count == fk.columns.count else { continue }
                fk.parentColumns = pk
            }
            guard fk.parentColumns.count == fk.columns.count, !fk.columns.isEmpty else { continue }
            if byChild[fk.child]?.contains(fk) == true { continue }
            byChild[fk.child, default: []].append(fk)
            byParent[fk.parent, default: []].append(fk)
            referenced.insert(fk.parent)
        }
        var keys: [TableName: Set<String>] = [:]
        for fks in byChild.values {
            for fk in fks {
                keys[fk.child, default: []].formUnion(fk.columns)
                keys[fk.parent, default: []].formUnion(fk.parentColumns)
            }
        }
        if let caller {
            referenced.insert(caller.table)
            keys[caller.table, default: []].formUnion([caller.key])
        }
        keyColumns = keys
        var result: [TableName: ParentChain] = [:]
        var frontier: [TableName] = []
        var seen: Set<TableName> = []
        for parent in byParent.keys.sorted() where isRootOwned(parent) {
            frontier.append(parent)
            seen.insert(parent)
        }
        while !frontier.isEmpty {
            var next: [TableName] = []
            for parent in frontier {
                for fk in byParent[parent] ?? [] {
                    let child = fk.child
                    guard !seen.contains(child), !globalTables.contains(child), !isRootOwned(child) else { continue }
                    seen.insert(child)
                    if let up = result[parent] {
                        result[child] = ParentChain(links: [fk] + up.links, root: up.root, rootColumn: up.rootColumn)
                    } else {
                        let column = tables[parent]?.columns.first(where: isTenantColumn)
                        result[child] = ParentChain(links: [fk], root: parent, rootColumn: column)
                    }
                    next.append(child)
                }
            }
            frontier = next.sorted()
        }
        foreignKeysByChild = byChild
        referencedTables = referenced
        chains = result
    }

    public func isRLSProtected(_ table: TableName) -> Bool { tables[table]?.isRLSProtected ?? false }

    /// Whether `table` has `column`: `true`/`false` from the dump, `nil` when it is not in the dump.
    /// A configured tenant table that the dump does not define is assumed to have every tenant column.
    public func hasColumn(_ table: TableName, _ column: String) -> Bool? {
        if let info = tables[table] {
            if info.columns.contains(column) { return true }
            return configuredTenantTables.contains(table) && isTenantColumn(column) && !info.columns.contains(where: isTenantColumn) ? true : false
        }
        if configuredTenantTables.contains(table), isTenantColumn(column) { return true }
        return nil
    }

    /// The largest dump read (64 MiB): a schema-only dump of tens of thousands of tables is a few
    /// MiB. libpg_query's scanner copies its input in one allocation under PostgreSQL's 1 GiB
    /// limit (past it the process is terminated), and the loader keeps the text twice.
    public static let maximumDumpBytes = 64 << 20

    /// Whether `column` of `table` can carry a key a child joins on or a caller row is found by.
    package func isKeyColumn(_ table: TableName, _ column: String) -> Bool {
        keyColumns[table]?.contains(column) ?? false
    }

    /// Reads CREATE TABLE (columns, PARTITION OF / INHERITS), ALTER TABLE [ONLY] ... ENABLE/DISABLE
    /// ROW LEVEL SECURITY and ADD COLUMN, and CREATE POLICY. psql meta-commands (`\connect`,
    /// `\restrict` of recent pg_dump) are line-based client commands, not SQL, and are dropped first.
    public mutating func load(pgDump: String) {
        hasDump = true
        var sql = ""
        sql.reserveCapacity(pgDump.utf8.count)
        for line in pgDump.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.first == "\\" { sql += "\n"; continue }
            sql += line
            sql += "\n"
        }
        // Statement by statement (split by libpg_query's scanner): one parse of the whole dump
        // builds its whole JSON tree in one buffer, and a large dump's is over PostgreSQL's
        // allocation limit (libpg_query then terminates the process). Each statement is bounded
        // by `PgQuery.maximumStatementBytes`; a bad or oversized one is skipped and recorded.
        guard sql.utf8.count <= Self.maximumDumpBytes else {
            skippedStatements.append(PgParseFailure(message: "schema dump of \(sql.utf8.count) bytes is over the \(Self.maximumDumpBytes)-byte limit", cursorPosition: 0, tooLarge: true))
            return
        }
        for piece in PgQuery.split(sql) {
            switch PgQuery.parse(piece) {
            case .success(let tree): apply(tree)
            case .failure(let f): skippedStatements.append(f)
            }
        }
        // Once, after every statement: a REFERENCES may name a table or key declared later.
        deriveChains()
    }

    private mutating func apply(_ tree: PgJSONTree) {
        guard let stmts = tree.root["stmts"] else { return }
        for raw in stmts.children {
            guard let stmt = raw["stmt"] else { continue }
            if let create = stmt.as("CreateStmt") {
                guard let rel = create["relation"], let name = TableName(rangeVar: rel) else { continue }
                var info = tables[name] ?? TableInfo()
                for parent in create["inhRelations"]?.children ?? PgNode.Children.empty(tree) {
                    guard let p = parent.as("RangeVar"), let pn = TableName(rangeVar: p), let pi = tables[pn] else { continue }
                    for c in pi.columns where !info.columns.contains(c) { info.columns.append(c) }
                }
                for element in create["tableElts"]?.children ?? PgNode.Children.empty(tree) {
                    if let def = element.as("ColumnDef"), let col = def["colname"]?.string {
                        if !info.columns.contains(col) { info.columns.append(col) }
                        for c in def["constraints"]?.children ?? PgNode.Children.empty(tree) {
                            if let con = c.as("Constraint") { addConstraint(con, table: name, column: col) }
                        }
                    } else if let con = element.as("Constraint") {
                        addConstraint(con, table: name, column: nil)
                    }
                }
                tables[name] = info
            } else if let alter = stmt.as("AlterTableStmt") {
                guard let rel = alter["relation"], let name = TableName(rangeVar: rel) else { continue }
                if let objtype = alter["objtype"], !objtype.stringEquals("OBJECT_TABLE") { continue }
                var info = tables[name] ?? TableInfo()
                for cmdWrap in alter["cmds"]?.children ?? PgNode.Children.empty(tree) {
                    guard let cmd = cmdWrap.as("AlterTableCmd"), let sub = cmd["subtype"] else { continue }
                    if sub.stringEquals("AT_EnableRowSecurity") {
                        info.rowSecurityEnabled = true
                    } else if sub.stringEquals("AT_DisableRowSecurity") {
                        info.rowSecurityEnabled = false
                    } else if sub.stringEquals("AT_AddColumn"), let def = cmd["def"]?.as("ColumnDef"),
                              let col = def["colname"]?.string {
                        if !info.columns.contains(col) { info.columns.append(col) }
                        for c in def["constraints"]?.children ?? PgNode.Children.empty(tree) {
                            if let con = c.as("Constraint") { addConstraint(con, table: name, column: col) }
                        }
                    } else if sub.stringEquals("AT_AddConstraint"), let con = cmd["def"]?.as("Constraint") {
                        addConstraint(con, table: name, column: nil)
                    }
                }
                tables[name] = info
            } else if let policy = stmt.as("CreatePolicyStmt") {
                guard let rel = policy["table"], let name = TableName(rangeVar: rel) else { continue }
                tables[name, default: TableInfo()].policyCount += 1
            }
        }
    }

    /// A PRIMARY KEY or FOREIGN KEY constraint, table-level (`column` nil: its own column lists)
    /// or on one column (`REFERENCES parent[(col)]`, `PRIMARY KEY`).
    private mutating func addConstraint(_ con: PgNode, table: TableName, column: String?) {
        guard let type = con["contype"] else { return }
        func names(_ key: StaticString) -> [String] {
            var out: [String] = []
            for n in con[key]?.children ?? PgNode.Children.empty(con.tree) {
                if let s = n.as("String")?["sval"]?.string { out.append(s) }
            }
            return out
        }
        if type.stringEquals("CONSTR_PRIMARY") {
            let keys = column.map { [$0] } ?? names("keys")
            if !keys.isEmpty { primaryKeys[table] = keys }
        } else if type.stringEquals("CONSTR_FOREIGN") {
            guard let pk = con["pktable"], let parent = TableName(rangeVar: pk) else { return }
            let columns = column.map { [$0] } ?? names("fk_attrs")
            guard !columns.isEmpty else { return }
            foreignKeys.append(ForeignKey(child: table, columns: columns, parent: parent, parentColumns: names("pk_attrs")))
        }
    }
}

extension TableName {
    /// A `RangeVar` node's name; nil for one without a relname.
    package init?(rangeVar: PgNode) {
        guard let rel = rangeVar["relname"]?.string else { return nil }
        self.init(schema: rangeVar["schemaname"]?.string, name: rel)
    }
}

extension PgNode.Children {
    package static func empty(_ tree: PgJSONTree) -> PgNode.Children { PgNode.Children(tree: tree, first: -1) }
}
