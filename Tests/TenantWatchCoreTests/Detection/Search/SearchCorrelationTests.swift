import Testing
@testable import TenantWatchCore

/// A slow-log search written before its request's audit line is held, tied by X-Opaque-Id
/// (traceparent or request id), and judged with the caller: `cross_tenant_search` only then.
@Suite struct SearchCorrelationTests {
    static let trace = "4bf92f3577b34da6a3ce929d0e0e4736"

    static func model() -> TenancyModel {
        TenancyModel(schema: TenancySchema(pgDump: "CREATE TABLE public.invoices (id int, tenant_id text);"),
                     sessionSetting: "app.current_tenant")
    }

    static func search(opaque: String?, line: Int, body: String = #"{"query":{"term":{"organization_id":"acme"}}}"#) -> SearchQuery {
        SearchQuery(position: SourcePosition(file: "slow.json", line: line), time: Timestamp(microseconds: 1_000_000 + Int64(line)),
                    origin: .slowLogJSON, indices: ["documents"], body: body, opaqueID: opaque)
    }

    static func request(tenant: String, requestID: String, trace: String?) -> AuditRequest {
        var caller = CallerIdentity()
        caller.tenant = tenant
        return AuditRequest(position: SourcePosition(file: "audit.log", line: 7), time: Timestamp(microseconds: 1_500_000),
                            requestID: requestID, traceID: trace, route: "/documents/search", caller: caller)
    }

    func run(_ events: [Event]) -> [(SearchQuery, RequestContext?)] {
        let c = Correlator(model: Self.model())
        var out: [(SearchQuery, RequestContext?)] = []
        let emit: (CorrelatedEvent) -> Void = { if case .search(let q, let r) = $0 { out.append((q, r)) } }
        for e in events { c.ingest(e, emit: emit) }
        c.finish(emit: emit)
        return out
    }

    @Test func heldUntilItsRequestByTraceparent() throws {
        let tied = run([.searchQuery(Self.search(opaque: "00-\(Self.trace)-00f067aa0ba902b7-01", line: 1)),
                        .request(Self.request(tenant: "globex", requestID: "req-1", trace: Self.trace))])
        let (_, context) = try #require(tied.first)
        #expect(context?.callerTenant == "globex")
        let judged = SearchBodyJudge(search: { var s = Configuration.Search(); s.tenantFields = ["organization_id"]; return s }())
            .judge(tied[0].0)[0]
        let findings = SearchLeakDetector.inspect(judged, request: context)
        #expect(findings.map(\.kind) == [.crossTenantSearch])
        #expect(findings.first?.accessedTenants == ["acme"])
        #expect(findings.first?.callerTenant == "globex")
        #expect(findings.first?.evidence.map(\.file) == ["slow.json", "audit.log"])
        #expect(findings.first?.severity == .high)
    }

    @Test func tiedByRequestIdAndUntiedWithoutOne() {
        let out = run([.searchQuery(Self.search(opaque: "req-2", line: 1)), .searchQuery(Self.search(opaque: nil, line: 2)),
                       .request(Self.request(tenant: "acme", requestID: "req-2", trace: nil))])
        #expect(out.count == 2)
        #expect(out.first { $0.0.position.line == 1 }?.1?.callerTenant == "acme")
        #expect(out.first { $0.0.position.line == 2 }.map { $0.1 == nil } == true)
    }

    @Test func sameTenantIsNoFindingAndShardRepeatsAreJudgedOnce() {
        var s = Configuration.Search()
        s.tenantFields = ["organization_id"]
        let judged = SearchBodyJudge(search: s).judge(Self.search(opaque: "req-3", line: 1))[0]
        #expect(SearchLeakDetector.inspect(judged, request: RequestContext(Self.request(tenant: "acme", requestID: "req-3", trace: nil))).isEmpty)
        var shards = SearchShardLines()
        let first = shards.isFirst(Self.search(opaque: "req-3", line: 1))
        let repeated = shards.isFirst(Self.search(opaque: "req-3", line: 2))
        let other = shards.isFirst(Self.search(opaque: "req-4", line: 3))
        #expect(first && !repeated && other)
        #expect(shards.repeats == 1)
    }
}
