import TenantWatchModel

/// "Announce on detection, store when settled" (issue 17): `live` stores, and so numbers, a
/// finding only once it is a correlation window older than the settled log time (incident ids
/// follow log time, issue 14), which held the headless alerts (`--no-tui` NDJSON, `--metrics`)
/// ~3.5 s plus the window behind the line. A finding whose evidence is complete the moment it is
/// detected need not wait for that: it is announced at once, with no incident id yet, and the
/// store still numbers it in log-time order later. This type decides which findings qualify and
/// remembers which were announced, so the stored copy is never announced a second time.
public struct EarlyAlerts: Sendable {
    /// Dedup keys (`FindingAggregator.dedupKey`) announced early and not yet stored.
    private var announced: Set<String> = []

    public init() {}

    /// Findings that need no correlation: nothing read later can change or withdraw them.
    /// A `cross_tenant_response` without a cache key was judged from the request's audit line
    /// alone (its response named another tenant: `CrossTenantResponseDetector`). One with a
    /// cache key rests on a Redis chain tied across sources, and every other kind waits for a
    /// statement's audit line, a window, or a second sighting, so they are announced when stored.
    public static func needsNoCorrelation(_ f: Finding) -> Bool {
        f.kind == .crossTenantResponse && f.cacheKey == nil
    }

    /// Of the findings not yet stored, those to announce now: qualifying, not announced before,
    /// and not already in the store (`isStored(dedupKey)`: a repeat of a stored finding is no
    /// new finding, and was never announced as one at store time either).
    public mutating func announceNow(_ pending: [Finding], isStored: (String) -> Bool) -> [Finding] {
        var out: [Finding] = []
        for f in pending where EarlyAlerts.needsNoCorrelation(f) {
            let key = FindingAggregator.dedupKey(for: f)
            guard !announced.contains(key), !isStored(key) else { continue }
            announced.insert(key)
            var provisional = f
            provisional.incident = nil
            out.append(provisional)
        }
        return out
    }

    /// What the store just recorded, as the outputs should be told of it: a finding announced
    /// early is reported as not new (`isNewFinding` false), so no output says or counts it twice;
    /// its incident, when the store opened one for it, is still new (that is when it is numbered).
    public mutating func settle(_ recorded: [(Finding, RecordResult)]) -> [(Finding, RecordResult)] {
        guard !announced.isEmpty else { return recorded }
        return recorded.map { finding, result in
            guard announced.remove(FindingAggregator.dedupKey(for: finding)) != nil else { return (finding, result) }
            var r = result
            r.isNewFinding = false
            return (finding, r)
        }
    }

    /// How many announced findings wait for the store.
    public var waiting: Int { announced.count }
}
