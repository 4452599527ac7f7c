/// A foreign key: `child(columns)` references `parent(parentColumns)`.
///
/// Read from the schema dump (`ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY` as pg_dump writes
/// it, inline `REFERENCES`, table-level `FOREIGN KEY` in CREATE TABLE) or from
/// `[tenancy] parents` for relations the schema does not declare. A child row belongs to the same
/// tenant as the parent row it references, so a tenant-owned parent makes the child tenant-owned.
public struct ForeignKey: Hashable, Sendable, CustomStringConvertible {
    public enum Origin: String, Hashable, Sendable { case schema, config }

    public var child: TableName
    public var columns: [String]
    public var parent: TableName
    /// Empty until resolved: `REFERENCES invoices` without a column list means the parent's
    /// primary key, which the dump may declare later than the reference.
    public var parentColumns: [String]
    public var origin: Origin

    public init(child: TableName, columns: [String], parent: TableName, parentColumns: [String], origin: Origin = .schema) {
        self.child = child
        self.columns = columns
        self.parent = parent
        self.parentColumns = parentColumns
        self.origin = origin
    }

    /// `line_items.invoice_id -> invoices.id`, or `a(x, y) -> b(p, q)` for several columns.
    public var description: String {
        if parentColumns.isEmpty { return "\(child).\(columns.joined(separator: ", ")) -> \(parent) (primary key)" }
        if columns.count == 1, parentColumns.count == 1 {
            return "\(child).\(columns[0]) -> \(parent).\(parentColumns[0])"
        }
        return "\(child)(\(columns.joined(separator: ", "))) -> \(parent)(\(parentColumns.joined(separator: ", ")))"
    }

    /// Parses one `[tenancy] parents` value for `child`: `invoice_id -> invoices.id`,
    /// `invoice_id -> billing.invoices.id`, or `a_id, b_id -> parents(a, b)` for several columns.
    /// This is config syntax, not SQL; identifiers fold like SQL's (quoted keep their case).
    /// Returns a message saying what is wrong when the value does not have that shape.
    public static func configured(child: String, _ value: String) -> Result<ForeignKey, ConfigSyntaxError> {
        let halves = value.components(separatedBy: "->")
        guard halves.count == 2 else {
            return .failure(ConfigSyntaxError("expected \"column -> parent_table.column\", got \"\(value)\""))
        }
        let columns = halves[0].split(separator: ",").map { TableName.foldIdentifier(String($0)) }
        var target = halves[1].trimmingSpaces()
        var parent: TableName
        var parentColumns: [String]
        if target.hasSuffix(")"), let open = target.lastIndex(of: "(") {
            let inner = target[target.index(after: open)..<target.index(before: target.endIndex)]
            parentColumns = inner.split(separator: ",").map { TableName.foldIdentifier(String($0)) }
            target = String(target[..<open])
            parent = TableName(configName: target)
        } else {
            let parts = TableName.splitQualified(target)
            guard parts.count >= 2 else {
                return .failure(ConfigSyntaxError("\"\(value)\" names no parent column (write parent_table.column)"))
            }
            parentColumns = [parts[parts.count - 1]]
            parent = parts.count >= 3 ? TableName(schema: parts[parts.count - 3], name: parts[parts.count - 2])
                                      : TableName(name: parts[parts.count - 2])
        }
        guard !columns.isEmpty, !columns.contains(where: \.isEmpty), !parentColumns.contains(where: \.isEmpty),
              !parent.name.isEmpty, columns.count == parentColumns.count else {
            return .failure(ConfigSyntaxError("\"\(value)\": the child and parent column lists must be non-empty and of equal length"))
        }
        return .success(ForeignKey(child: TableName(configName: child), columns: columns, parent: parent,
                                   parentColumns: parentColumns, origin: .config))
    }
}

/// Why a `[tenancy] parents` value was rejected.
public struct ConfigSyntaxError: Error, Sendable, CustomStringConvertible {
    public var description: String
    package init(_ d: String) { description = d }
}

/// How a table without a tenant column belongs to a tenant: the foreign keys from it up to a
/// table that has one (shortest such path; the first link starts at the table itself).
public struct ParentChain: Hashable, Sendable, CustomStringConvertible {
    public var links: [ForeignKey]
    public var root: TableName
    /// The root's tenant column (nil for a configured tenant table the dump does not define).
    public var rootColumn: String?

    public var depth: Int { links.count }

    /// `line_items.invoice_id -> invoices.id -> invoices.tenant_id`-like, one step per link.
    public var steps: [String] {
        links.map(\.description) + [rootColumn.map { "\(root).\($0)" } ?? "\(root) (tenant-owned)"]
    }

    public var description: String { steps.joined(separator: "; ") }
}
