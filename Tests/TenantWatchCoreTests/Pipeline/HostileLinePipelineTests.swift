import Foundation
import Testing
@testable import TenantWatchCore

/// An over-long line through the real scan pipeline: cut at the reader's cap, counted once with
/// its position, never parsed (its head would be a cut statement or an open quote), and the
/// leaks on either side of it still found.
@Suite struct HostileLinePipelineTests {
    let dir = NSTemporaryDirectory() + "tw-hostile-\(UUID().uuidString)/"

    func scan(_ name: String, _ bytes: [UInt8], format: PostgresLogFormat) throws -> ScanPipeline {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir + name, contents: Data(bytes))
        let model = TenancyModel(schema: TenancySchema(pgDump: "CREATE TABLE public.invoices (id int, tenant_id text);"),
                                 sessionSetting: "app.current_tenant")
        let configuration = Configuration()
        let pipeline = ScanPipeline(configuration: configuration, model: model,
                                    makeParser: ParserFactory(configuration: configuration).make)
        try pipeline.run([SourceSpec(kind: .postgres, path: dir + name, format: format, prefix: "%m [%p] ")])
        return pipeline
    }

    static let tenMB = 10 << 20

    @Test func tenMegabyteStatementBetweenTwoLeaks() throws {
        var log = Array("2026-11-25 00:54:05.100 UTC [1] LOG:  statement: SELECT * FROM invoices WHERE id = 1\n".utf8)
        log += Array("2026-11-25 00:54:05.200 UTC [2] LOG:  statement: SELECT * FROM invoices WHERE note = '".utf8)
        log += [UInt8](repeating: 0x41, count: Self.tenMB) + Array("'\n".utf8)
        log += Array("\tAND id = 2\n".utf8)   // the cut statement's continuation: joins nothing
        log += Array("2026-11-25 00:54:05.300 UTC [3] LOG:  statement: SELECT * FROM invoices WHERE id > 3\n".utf8)
        let p = try scan("pg.log", log, format: .stderr)
        #expect(p.statistics.lines == 4)
        #expect(p.statistics.unparsed == 2)
        #expect(p.statistics.firstUnparsed?.line == 2)
        #expect(p.statistics.firstUnparsedReason?.contains("cut") == true)
        let leaks = p.findings().filter { $0.kind == .missingTenantPredicate }
        #expect(leaks.map { $0.evidence.map(\.line) }.flatMap { $0 }.sorted() == [1, 4])
    }

    /// A logged statement libpg_query rejects is read but cannot be judged: counted, with its
    /// position, in the summary. One the server rejected itself (its ERROR logged) is not.
    @Test func statementsLibpgQueryRejectsAreCounted() throws {
        let log = """
            2026-11-25 00:54:05.100 UTC [1] LOG:  statement: SELECT * FROM invoices WHERE id = 1
            2026-11-25 00:54:05.200 UTC [2] LOG:  statement: SELEC * FROM invoices WHERE
            2026-11-25 00:54:05.300 UTC [3] ERROR:  syntax error at or near "SELEC" at character 1
            2026-11-25 00:54:05.300 UTC [3] STATEMENT:  SELEC 1
            2026-11-25 00:54:05.400 UTC [4] LOG:  statement: SELECT * FROM invoices WHERE id > 3 /*traceparent='00-
            2026-11-25 00:54:05.500 UTC [5] LOG:  statement: SELECT * FROM invoices WHERE id > 5

            """
        let p = try scan("rejects.log", Array(log.utf8), format: .stderr)
        #expect(p.statistics.unparsed == 0)
        #expect(p.statistics.unparseableStatements == 2)
        #expect(p.statistics.firstUnparseableStatement?.line == 2)
        #expect(p.statistics.summary.hasSuffix(", 2 statements unparseable (first at \(dir)rejects.log:2: syntax error at or near \"SELEC\")"))
        let leaks = p.findings().filter { $0.kind == .missingTenantPredicate }
        #expect(leaks.map { $0.evidence.map(\.line) }.flatMap { $0 }.sorted() == [1, 6])
    }

    @Test func tenMegabyteCSVLineDoesNotOpenAQuote() throws {
        let head = "2026-11-25 00:54:05.100 UTC,\"app\",\"db\",PID,\"[local]\",6b06.2a,1,\"idle\",2026-11-25 00:54:05 UTC,3/7,0,LOG,00000,"
        func record(_ pid: Int, _ sql: String) -> String {
            head.replacingOccurrences(of: "PID", with: String(pid)) + "\"statement: \(sql)\",,,,,,,,,\"psql\",\"client backend\",,0\n"
        }
        var log = Array(record(1, "SELECT * FROM invoices WHERE id = 1").utf8)
        // A quote opens in the head of the cut line and closes in the part that is dropped.
        log += Array((head.replacingOccurrences(of: "PID", with: "2") + "\"statement: SELECT '").utf8)
        log += [UInt8](repeating: 0x42, count: Self.tenMB) + Array("'\",,,,,,,,,\"psql\",\"client backend\",,0\n".utf8)
        log += Array(record(3, "SELECT * FROM invoices WHERE id > 3").utf8)
        let p = try scan("pg.csv", log, format: .csvlog)
        #expect(p.statistics.unparsed == 1)
        #expect(p.statistics.firstUnparsed?.line == 2)
        let leaks = p.findings().filter { $0.kind == .missingTenantPredicate }
        #expect(leaks.map { $0.evidence.map(\.line) }.flatMap { $0 }.sorted() == [1, 3])
    }
}
