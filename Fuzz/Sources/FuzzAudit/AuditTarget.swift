import FuzzSupport
import TenantWatchCore

/// The audit reader with the identity resolver, configured like the sample logs: tokens read
/// from `headers.authorization`, tenant from the `tenant_id` claim, host pattern, refresh
/// tokens. Selector bit 0: verify tokens with the sample's HS256 secret, or only read them;
/// bit 1: the application's own caller-tenant field is configured too.
func configuration(verifying: Bool, callerField: Bool) -> Configuration {
    var c = Configuration()
    c.identity.claim = "tenant_id"
    c.identity.host = "{tenant}.example.com"
    if verifying { c.identity.jwtSecret = "sample-logs-hs256-key-not-for-production-0001" }
    c.audit.refreshToken = "refresh.presented"
    c.audit.refreshTokenIssued = "refresh.issued"
    if callerField { c.audit.callerTenant = "caller.tenant" }
    return c
}

/// Keys are built once (as the command line does at startup); they are immutable afterwards.
let hs256Keys: JWTKeySet = {
    do { return try JWTKeySet.loadSynchronously(configuration(verifying: true, callerField: false).identity) }
    catch { fatalError("fuzz setup: \(error)") }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAudit(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let verifying = input.selector & 1 == 1
    let config = configuration(verifying: verifying, callerField: input.selector & 2 == 2)
    // A fresh parser (and so a fresh token cache) per input: nothing carries over.
    var p = AuditLogParser(file: "fuzz.log", configuration: config, keys: verifying ? hs256Keys : .none)
    let events = LineStream.run(&p, input.body)
    var requests = 0
    for e in events { if case .request = e { requests += 1 } }
    precondition(requests == p.requests, "\(p.requests) requests counted, \(requests) emitted")
    return 0
}

@_cdecl("FuzzAudit_main")
public func fuzzAuditMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzAudit)
}
