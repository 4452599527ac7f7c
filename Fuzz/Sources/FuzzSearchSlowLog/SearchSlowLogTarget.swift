import FuzzSupport
import TenantWatchCore

/// The search slow-log reader and, on what it reads, the query-DSL judge (a hostile body must
/// be judged or said unjudged, never crash or hang). Selector bit 0: `[search] indices` empty
/// (every non-global index tenant-owned) instead of a pattern list. A fresh parser per input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSearchSlowLog(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    var parser = SearchSlowLogParser(file: "fuzz.log")
    let events = LineStream.run(&parser, input.body)
    var search = Configuration.Search()
    search.tenantFields = ["organization_id"]
    if input.selector & 1 == 0 { search.indices = ["activities-*", "documents"] }
    search.globalIndices = ["help-*"]
    search.scopedAliases = ["activities-acme": "acme"]
    let judge = SearchBodyJudge(search: search)
    var searches = 0
    for e in events {
        guard case .searchQuery(let q) = e else { continue }
        searches += 1
        precondition(!q.indices.isEmpty, "a slow-log search without its index at \(q.position)")
        for judged in judge.judge(q) {
            if judged.verdict == .scoped { precondition(judged.tenants.count <= 1, "scoped with \(judged.tenants)") }
            if judged.verdict == .multiTenant { precondition(judged.tenants.count > 1) }
            _ = SearchLeakDetector.inspect(judged, request: nil)
        }
    }
    precondition(searches == parser.searches, "\(parser.searches) searches counted, \(searches) emitted")
    return 0
}

@_cdecl("FuzzSearchSlowLog_main")
public func fuzzSearchSlowLogMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzSearchSlowLog)
}
