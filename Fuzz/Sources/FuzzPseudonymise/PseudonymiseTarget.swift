import Foundation
import FuzzSupport
import TenantWatchCore

/// The row-data filter a bundle's every quoted line goes through (`RowDataFilter.record`):
/// masking, the audit allow-list, SQL literals found by libpg_query's scanner, pseudonyms.
///
/// Input: the physical lines of one record, newline-separated. Invariants: a record keeps its
/// line count (the evidence file numbers its lines), and no output line names `globex` as a
/// whole word once the filter has run (it is another tenant of the bundle's `initech`).
let filter = RowDataFilter(pseudonymizer: Pseudonymizer(forTenant: "initech", pseudonyms: ["acme": "tenant-1", "globex": "tenant-2"]),
                           audit: AuditAllowList(hostPattern: "{tenant}.example.com"))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPseudonymise(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: FuzzInput.whole(data, size), as: UTF8.self)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let (out, _) = filter.record(lines)
    precondition(out.count == lines.count, "a record of \(lines.count) lines came out as \(out.count)")
    for line in out {
        precondition(!filter.pseudonymizer.mentionsOther(line), "another tenant survived: \(line)")
    }
    _ = filter.sql(text)
    return 0
}

@_cdecl("FuzzPseudonymise_main")
public func fuzzPseudonymiseMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzPseudonymise)
}
