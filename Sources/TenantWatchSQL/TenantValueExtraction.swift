/// Reading tenant values out of expressions: constants (casts stripped), `$n` parameters and
/// `current_setting('name')`. Pure functions of the parse tree plus the statement's own bytes.
package enum TenantValueExtraction {
    /// Strips `::type`, `CAST(... AS type)` and `COLLATE`: they do not change which tenant a value names.
    package static func strip(_ node: PgNode) -> PgNode {
        var n = node
        for _ in 0..<64 {
            if let t = n.as("TypeCast"), let a = t["arg"] { n = a; continue }
            if let c = n.as("CollateClause"), let a = c["arg"] { n = a; continue }
            break
        }
        return n
    }

    /// The tenant value an expression names, or nil when it is not a constant/parameter/setting.
    /// `sql` is needed because libpg_query 15-4.0 writes negative integer constants as `{}` (zero):
    /// the value is then read back from the literal token at the constant's location.
    package static func value(_ node: PgNode, sql: SQLBytes) -> TenantValue? {
        let n = strip(node)
        if let c = n.as("A_Const") {
            if let s = c["sval"] { return s["sval"].flatMap(\.string).map(TenantValue.literal) ?? .literal("") }
            if let i = c["ival"] {
                if let v = i["ival"]?.int { return .literal(String(v)) }
                return .literal(sql.integerLiteral(at: c["location"]?.int))
            }
            if let f = c["fval"]?["fval"]?.string { return .literal(f) }
            return nil   // NULL, booleans, bit strings never name a tenant
        }
        if let p = n.as("ParamRef"), let number = p["number"]?.int { return .parameter(number) }
        if let f = n.as("FuncCall"), let name = currentSettingName(f) { return .sessionSetting(name) }
        return nil
    }

    /// A NULL constant (casts stripped).
    package static func isNull(_ node: PgNode) -> Bool {
        strip(node).as("A_Const")?["isnull"]?.bool == true
    }

    /// The values of an `IN (...)` list; nil when an item is not a constant or parameter. NULLs
    /// are left out: `x IN (1, NULL)` is `x = 1 OR x = NULL`, and `x = NULL` is never true.
    package static func listValues(_ items: PgNode, sql: SQLBytes) -> Set<TenantValue>? {
        var vals: Set<TenantValue> = []
        for item in items.children {
            if isNull(item) { continue }
            guard let v = value(item, sql: sql) else { return nil }
            vals.insert(v)
        }
        return vals.isEmpty ? nil : vals
    }

    /// `current_setting('x')` / `pg_catalog.current_setting('x', true)`: the setting's name.
    package static func currentSettingName(_ f: PgNode) -> String? {
        guard lastNameEquals(f["funcname"], "current_setting"), let args = f["args"] else { return nil }
        var it = args.children
        guard let first = it.next(), let name = strip(first).as("A_Const")?["sval"]?["sval"]?.string else { return nil }
        return name.lowercased()
    }

    /// The last element of a qualified name list (`[{"String":{"sval":"pg_catalog"}}, ...]`).
    package static func lastName(_ list: PgNode?) -> String? {
        guard let list else { return nil }
        var last: PgNode?
        for e in list.children { last = e }
        return last?.as("String")?["sval"]?.string
    }

    /// Compares the last element of a qualified name list without decoding it.
    package static func lastNameEquals(_ list: PgNode?, _ name: StaticString) -> Bool {
        guard let list else { return false }
        var last: PgNode?
        for e in list.children { last = e }
        return last?.as("String")?["sval"]?.stringEquals(name) ?? false
    }

    /// Elements of a PostgreSQL array literal such as `{a,"b c"}`. This is the array input format,
    /// not SQL: quotes and backslashes are its only syntax.
    package static func arrayLiteralElements(_ text: String) -> [String]? {
        var chars = Substring(text.trimmingSpaces())
        guard chars.first == "{", chars.last == "}" else { return nil }
        chars = chars.dropFirst().dropLast()
        var out: [String] = []
        var current = ""
        var quoted = false, wasQuoted = false, escape = false
        for c in chars {
            if escape { current.append(c); escape = false; continue }
            if c == "\\" { escape = true; continue }
            if c == "\"" { quoted.toggle(); wasQuoted = true; continue }
            if c == ",", !quoted {
                out.append(wasQuoted ? current : current.trimmingSpaces()); current = ""; wasQuoted = false
                continue
            }
            if c == "{" || c == "}" { if !quoted { return nil } }
            current.append(c)
        }
        if !current.isEmpty || wasQuoted { out.append(wasQuoted ? current : current.trimmingSpaces()) }
        return out
    }
}

/// The statement text as bytes, materialised only when a negative integer constant needs it.
package final class SQLBytes {
    package let sql: String
    private lazy var bytes: [UInt8] = Array(sql.utf8)
    package init(_ sql: String) { self.sql = sql }

    /// Reads `-  123` / `0` at a byte location (libpg_query locations are byte offsets).
    package func integerLiteral(at location: Int?) -> String {
        guard let location, location >= 0, location < bytes.count else { return "0" }
        var i = location
        var out = ""
        if bytes[i] == 0x2D {
            out = "-"
            i += 1
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        }
        var digits = ""
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { digits.append(Character(Unicode.Scalar(bytes[i]))); i += 1 }
        while digits.count > 1, digits.first == "0" { digits.removeFirst() }
        if digits.isEmpty || digits == "0" { return "0" }
        return out + digits
    }
}
