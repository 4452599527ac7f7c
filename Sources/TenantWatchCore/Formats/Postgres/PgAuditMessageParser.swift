/// Reads a pgaudit message: `AUDIT: TYPE,STMT_ID,SUB_ID,CLASS,COMMAND,OBJ_TYPE,OBJ_NAME,STATEMENT,PARAMS[,ROWS]`.
///
/// Fields are CSV-quoted only when needed; PARAMS is itself a CSV list nested in that field
/// (`"2,""it's, """"x"""""""`), or `<not logged>` (`pgaudit.log_parameter` off → nil) or
/// `<none>` (no parameters → empty). An empty unquoted parameter is read as NULL (pgaudit writes
/// NULL that way; an empty string cannot be told apart). ROWS is there with `pgaudit.log_rows`.
enum PgAuditMessageParser {
    struct Fields {
        var auditType: String, statementID: Int, substatementID: Int, auditClass: String, command: String
        var objectType: String?, objectName: String?, statement: String, parameters: [String?]?, rows: Int?
    }

    static func parse(_ body: Substring) -> Fields? {
        var text = String(body)
        return text.withUTF8 { b -> Fields? in
            var ranges: [(Int, Int, Bool)] = []
            guard CSVLogReader.split(b, into: &ranges), ranges.count == 9 || ranges.count == 10 else { return nil }
            func f(_ i: Int) -> String {
                let (s, e, q) = ranges[i]
                return q ? CSVLogReader.unquote(b, s, e) : Bytes.string(b, s, e)
            }
            guard let sid = Bytes.parseInt(b, ranges[1].0, ranges[1].1),
                  let sub = Bytes.parseInt(b, ranges[2].0, ranges[2].1) else { return nil }
            let objType = f(5), objName = f(6)
            let paramsText = f(8)
            let params: [String?]?
            switch paramsText {
            case "<not logged>": params = nil
            case "<none>": params = []
            default: params = nestedParameters(paramsText, quoted: ranges[8].2)
            }
            var rows: Int? = nil
            if ranges.count == 10 {
                guard let r = Bytes.parseInt(b, ranges[9].0, ranges[9].1) else { return nil }
                rows = r
            }
            return Fields(auditType: f(0), statementID: sid, substatementID: sub, auditClass: f(3), command: f(4),
                          objectType: objType.isEmpty ? nil : objType, objectName: objName.isEmpty ? nil : objName,
                          statement: f(7), parameters: params, rows: rows)
        }
    }

    private static func nestedParameters(_ text: String, quoted: Bool) -> [String?] {
        var t = text
        return t.withUTF8 { b in
            var ranges: [(Int, Int, Bool)] = []
            guard CSVLogReader.split(b, into: &ranges) else { return [text] }
            return ranges.map { (s, e, q) -> String? in
                if s == e && !q { return nil }
                return q ? CSVLogReader.unquote(b, s, e) : Bytes.string(b, s, e)
            }
        }
    }
}
