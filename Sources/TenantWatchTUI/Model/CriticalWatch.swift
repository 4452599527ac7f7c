/// Notices incidents that became critical since the last snapshot, so the dashboard can ring
/// the bell (`[dashboard] bell = false` silences it) and say which. The first snapshot only
/// seeds it: a restart over a store full of old criticals does not ring.
public struct CriticalWatch: Sendable {
    private var known: Set<String> = []
    private var seeded = false

    public init() {}

    /// The ids of critical incidents not seen critical before, in list order.
    public mutating func newCriticals(in snapshot: DashboardSnapshot) -> [String] {
        var fresh: [String] = []
        for i in snapshot.incidents where i.severity == .critical && i.state != .resolved {
            if known.insert(i.id).inserted && seeded { fresh.append(i.id) }
        }
        seeded = true
        return fresh
    }
}
