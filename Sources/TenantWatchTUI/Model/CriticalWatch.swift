/// Notices incidents that became critical since the last snapshot, so the dashboard can ring
/// the bell (`[dashboard] bell = false` silences it) and say which. The first snapshot only
/// seeds it: a restart over a store full of old criticals does not ring.
///
/// In `live` with a store, a new leak path is listed at once as a provisional `NEW-n` row and
/// gets its `INC-` number only when stored, up to a correlation window (plus the parsers'
/// margin) later. The bell rings for the `NEW-n` row — seconds earlier, which is the point of a
/// bell — and not again when the same leak (same caller, exposed tenants, kinds and first
/// sighting) comes back numbered. `NEW-n` ids are reused from one snapshot to the next, so those
/// rows are told apart by that leak, not by id.
public struct CriticalWatch: Sendable {
    private var known: Set<String> = []
    /// Leaks rung for as `NEW-n` rows and not yet seen numbered.
    private var provisional: Set<String> = []
    private var seeded = false

    public init() {}

    /// The ids of critical incidents not seen critical before, in list order.
    public mutating func newCriticals(in snapshot: DashboardSnapshot) -> [String] {
        var fresh: [String] = []
        for i in snapshot.incidents where i.severity == .critical && i.state != .resolved {
            let leak = CriticalWatch.leak(i)
            if i.id.hasPrefix("NEW-") {
                if provisional.insert(leak).inserted && seeded { fresh.append(i.id) }
            } else if known.insert(i.id).inserted && seeded {
                // Rung already while it was provisional: the number is no news.
                if provisional.remove(leak) == nil { fresh.append(i.id) }
            }
        }
        seeded = true
        return fresh
    }

    /// What a provisional row and its numbered incident have in common.
    static func leak(_ i: IncidentSummary) -> String {
        [i.caller ?? "", i.exposed.joined(separator: ","), i.kinds.map(\.rawValue).joined(separator: ","),
         i.firstSeen.map { String($0.microseconds) } ?? ""].joined(separator: "|")
    }
}
