import Foundation
import FuzzSupport
import TenantWatchCore

/// The statement analysis a logged statement gets in production (`TenancyModel.analyze`):
/// shape lexing, libpg_query parse, JSON tree, `StatementWalker`/`TenantPredicateAnalyzer`
/// against the sample schema, then resolution with bind values and a session tenant; the same text
/// as a cut statement, and `UnjudgedStatementDetector` on both.
///
/// Input: the SQL text, then NUL-separated bind values (an empty one is SQL NULL).
let sampleSchema: TenancySchema = {
    // The sample logs' `pg_dump --schema-only`, found from this file so any working directory works.
    let here = URL(fileURLWithPath: #filePath)
    let path = here.deletingLastPathComponent().appendingPathComponent("../../../sample-logs/schema.sql").standardized.path
    guard let dump = try? String(contentsOfFile: path, encoding: .utf8) else { fatalError("fuzz setup: cannot read \(path)") }
    var schema = TenancySchema(tenantColumns: ["tenant_id"], tables: [], globalTables: ["tenants"],
                               sessionSetting: "app.current_tenant")
    schema.load(pgDump: dump)
    precondition(!schema.tables.isEmpty, "fuzz setup: \(path) defines no table")
    return schema
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSQL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput.whole(data, size)
    let pieces = bytes.split(separator: 0, omittingEmptySubsequences: false)
    let sql = pieces.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
    let parameters: [String?] = pieces.dropFirst().map { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) }
    // A fresh model per input: its caches would otherwise make a crash depend on earlier inputs.
    let model = TenancyModel(schema: sampleSchema, sessionSetting: "app.current_tenant")
    let execution = StatementExecution(position: SourcePosition(file: "fuzz.log", line: 1), time: nil,
                                       backend: BackendID(pid: 1), sql: sql, parameters: parameters)
    _ = model.analyze(execution, sessionTenant: "acme")
    let whole = model.analyze(execution, sessionTenant: nil)
    // A statement cut at the line cap, and one that cannot be judged: PostgreSQL's lexer
    // (`pg_query_scan`, its protobuf read by hand) names the tables `unjudged_statement` reports.
    var cut = execution
    cut.textCut = true
    _ = UnjudgedStatementDetector().inspect(model.analyze(cut, sessionTenant: nil))
    _ = UnjudgedStatementDetector().inspect(whole)
    return 0
}

@_cdecl("FuzzSQL_main")
public func fuzzSQLMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzSQL)
}
