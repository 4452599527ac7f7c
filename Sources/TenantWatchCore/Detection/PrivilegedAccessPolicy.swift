/// How a verified privilege changes what the leak rules report, in one place.
///
/// - A privileged caller who is **not** impersonating may read across tenants: the findings
///   whose only fault is touching other tenants' data (`cross_tenant_query`,
///   `missing_tenant_predicate` of a read or change, `unconfined_child_access`,
///   `cross_tenant_response`, `suspected_cross_tenant_response`, and `token_host_mismatch` —
///   staff work on customers' hosts) are withheld; `PrivilegedAccessDetector` records the access
///   instead. Everything else (a pooled session's wrong tenant, a forged log line, an INSERT
///   that sets no tenant) is reported as for anyone.
/// - A caller **impersonating** tenant X is X's caller for every rule (`IdentityResolver` makes
///   X the caller's tenant): touching tenant Y is a leak. Its findings only say who it was.
/// - Without a verified privilege nothing changes: the privilege is never read from an
///   unverified, forged or expired token.
public enum PrivilegedAccessPolicy {
    static let withheldKinds: Set<FindingKind> = [
        .crossTenantQuery, .missingTenantPredicate, .unconfinedChildAccess,
        .crossTenantResponse, .suspectedCrossTenantResponse, .tokenHostMismatch,
    ]

    /// The findings a rule raised for a request (or its statement) of `caller`, as reported.
    /// `command`: the statement's, so an INSERT that sets no tenant stays reported.
    public static func apply(_ findings: [Finding], caller: CallerIdentity?, command: String? = nil) -> [Finding] {
        guard !findings.isEmpty, let p = caller?.privilege else { return findings }
        if p.impersonatedTenant != nil {
            return findings.map { f in
                guard f.kind != .privilegedAccess else { return f }
                var f = f
                f.message += " [caller: \(p.summary)]"
                return f
            }
        }
        return findings.filter { f in
            guard withheldKinds.contains(f.kind) else { return true }
            return f.kind == .missingTenantPredicate && command?.uppercased() == "INSERT"
        }
    }

    /// Wraps every rule so its findings pass through `apply` (`ScanPipeline` wires it).
    public static func wrap(_ d: StatementDetector) -> StatementDetector { PrivilegeAwareStatementDetector(inner: d) }
    public static func wrap(_ d: RequestDetector) -> RequestDetector { PrivilegeAwareRequestDetector(inner: d) }
}

struct PrivilegeAwareStatementDetector: StatementDetector {
    let inner: StatementDetector
    func inspect(_ s: AnalyzedStatement) -> [Finding] {
        PrivilegedAccessPolicy.apply(inner.inspect(s), caller: s.request?.caller, command: s.command)
    }
}

struct PrivilegeAwareRequestDetector: RequestDetector {
    var inner: RequestDetector
    mutating func inspect(_ r: AuditRequest, context: RequestDetectionContext) -> [Finding] {
        PrivilegedAccessPolicy.apply(inner.inspect(r, context: context), caller: r.caller)
    }
}

extension PrivilegedAccessPolicy {
    /// The privileged-path rules built with the settings they need (tenants, internal routes);
    /// any other rule as it is.
    public static func configured(_ d: StatementDetector, _ c: Configuration) -> StatementDetector {
        if d is PrivilegedAccessDetector { return PrivilegedAccessDetector(allTenants: c.tenancy.tenants) }
        if d is UnguardedInternalRouteDetector {
            return UnguardedInternalRouteDetector(routes: c.audit.internalRoutes, allTenants: c.tenancy.tenants)
        }
        return d
    }

    public static func configured(_ d: RequestDetector, _ c: Configuration) -> RequestDetector {
        if d is PrivilegedAccessDetector { return PrivilegedAccessDetector(allTenants: c.tenancy.tenants) }
        if d is UnguardedInternalRouteDetector {
            return UnguardedInternalRouteDetector(routes: c.audit.internalRoutes, allTenants: c.tenancy.tenants)
        }
        return d
    }
}
