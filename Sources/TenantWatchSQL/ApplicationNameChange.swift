/// What a statement does to the backend's `application_name`, read from libpg_query's parse tree.
///
/// The stderr reader follows each backend's application name so that, when a forged name makes
/// a line's prefix readable in two ways, it knows which reading the server wrote. `SET` and
/// `RESET` are the ways a client changes it in SQL that the log shows as a statement; a change
/// through `set_config()` is not followed (a line it makes ambiguous is labelled as such).
package enum ApplicationNameChange: Equatable {
    case set(String)
    /// `RESET application_name`, `SET application_name TO DEFAULT`: back to the connection's.
    case reset

    /// The last change in `sql` (several statements: the last one wins), nil when none. A
    /// `SET LOCAL` is ignored: it lasts until the transaction ends, which the reader does not follow.
    package static func read(_ sql: String) -> ApplicationNameChange? {
        guard sql.utf8.count <= PgQuery.maximumStatementBytes, case .success(let tree) = PgQuery.parse(sql) else { return nil }
        var change: ApplicationNameChange? = nil
        for raw in tree.root["stmts"]?.children ?? PgNode.Children.empty(tree) {
            guard let set = raw["stmt"]?.as("VariableSetStmt"),
                  let name = set["name"]?.string, name.lowercased() == "application_name",
                  set["is_local"]?.bool != true else { continue }
            let kind = set["kind"]
            if kind?.stringEquals("VAR_SET_VALUE") == true {
                guard let arg = set["args"]?.children.first(where: { _ in true }),
                      let value = arg.as("A_Const")?["sval"]?["sval"]?.string
                        ?? arg.as("A_Const")?["sval"]?.string else { continue }
                change = .set(value)
            } else if kind?.stringEquals("VAR_SET_DEFAULT") == true || kind?.stringEquals("VAR_RESET") == true {
                change = .reset
            }
        }
        return change
    }

    /// The name as PostgreSQL stores and logs it: every byte outside printable ASCII becomes `?`
    /// (`check_application_name` → `pg_clean_ascii`).
    package static func asLogged(_ value: String) -> [UInt8] {
        value.utf8.map { $0 < 32 || $0 > 126 ? UInt8(ascii: "?") : $0 }
    }
}
