/// Folds repeated sightings of one leak into one finding.
///
/// An export job that runs its unscoped query ten thousand times a night is one leak path, not
/// ten thousand pages: it is kept as one finding with a count, first/last seen, and the first
/// few evidence lines. A request's leak is keyed by the request, so two requests stay two.
public struct FindingAggregator: Sendable {
    /// Evidence lines kept per finding; `count` still counts every occurrence.
    public var evidenceLimit: Int

    private var order: [FindingKey] = []
    private var byKey: [FindingKey: Finding] = [:]

    public init(evidenceLimit: Int = 20) { self.evidenceLimit = evidenceLimit }

    struct FindingKey: Hashable, Sendable {
        var kind: FindingKind
        var scope: String
        var subject: String
    }

    static func key(for f: Finding) -> FindingKey {
        let tables = f.tables.joined(separator: ",")
        if let request = f.requestID ?? f.traceID {
            return FindingKey(kind: f.kind, scope: "request:\(request)", subject: tables + "|" + (f.cacheKey ?? ""))
        }
        let shape = f.fingerprint ?? f.statement ?? f.cacheKey ?? f.message
        let tenants = f.accessedTenants.joined(separator: ",")
        return FindingKey(kind: f.kind, scope: "app:\(f.application ?? "")|caller:\(f.callerTenant ?? "")",
                          subject: shape + "|" + tables + "|" + tenants)
    }

    /// The aggregation key as one string: what makes two sightings the same finding. The one
    /// definition every mode uses: this fold in memory, the store's `dedup_key` column and
    /// the sighting ledger (scan, replay and live), and the dashboard's finding → incident map.
    public static func dedupKey(for f: Finding) -> String {
        let k = key(for: f)
        return k.kind.rawValue + "\u{1F}" + k.scope + "\u{1F}" + k.subject
    }

    /// Adds a sighting; returns the finding as it now stands and whether it is new.
    @discardableResult
    public mutating func add(_ f: Finding) -> (finding: Finding, isNew: Bool) {
        let key = FindingAggregator.key(for: f)
        let isNew = absorb(f, key: key)
        return (byKey[key]!, isNew)
    }

    /// `add` without handing the finding back: the scan adds every sighting and reads the
    /// findings once at the end, and the copy out (and back in) of a finding per sighting was
    /// most of the cost of adding one.
    public mutating func absorb(_ f: Finding) {
        absorb(f, key: FindingAggregator.key(for: f))
    }

    /// Folds `f` into the finding under `key`, changed where it lies; true when it is new.
    private mutating func absorb(_ f: Finding, key: FindingKey) -> Bool {
        if let i = byKey.index(forKey: key) {
            FindingAggregator.fold(f, into: &byKey.values[i], evidenceLimit: evidenceLimit)
            return false
        }
        var first = f
        if first.evidence.count > evidenceLimit { first.evidence = Array(first.evidence.prefix(evidenceLimit)) }
        byKey[key] = first
        order.append(key)
        return true
    }

    private static func fold(_ f: Finding, into existing: inout Finding, evidenceLimit: Int) {
        existing.count += f.count
        if let t = f.time {
            if existing.time == nil || t < existing.time! { existing.time = t }
            if existing.lastSeen == nil || t > existing.lastSeen! { existing.lastSeen = t }
        }
        existing.severity = max(existing.severity, f.severity)
        for e in f.evidence where existing.evidence.count < evidenceLimit && !existing.evidence.contains(e) {
            existing.evidence.append(e)
        }
    }

    /// Replaces the finding a preview raised (`old`, before its request was known) with the same
    /// sighting enriched (`new`: caller, request, route): its count is not raised, since it is
    /// one sighting read once. Nothing happens when `old` is not here (already handed on).
    public mutating func replace(_ old: Finding, with new: Finding) {
        let oldKey = FindingAggregator.key(for: old)
        guard let existing = byKey.removeValue(forKey: oldKey) else { return }
        var merged = new
        merged.count = existing.count
        if let t = existing.time, merged.time == nil || t < merged.time! { merged.time = t }
        if let t = existing.lastSeen, merged.lastSeen == nil || t > merged.lastSeen! { merged.lastSeen = t }
        merged.severity = max(existing.severity, new.severity)
        for e in existing.evidence where merged.evidence.count < evidenceLimit && !merged.evidence.contains(e) {
            merged.evidence.append(e)
        }
        let newKey = FindingAggregator.key(for: merged)
        if let i = byKey.index(forKey: newKey) {
            // Another sighting already under the enriched key: this one is folded into it.
            FindingAggregator.fold(merged, into: &byKey.values[i], evidenceLimit: evidenceLimit)
            order.removeAll { $0 == oldKey }
        } else {
            byKey[newKey] = merged
            if newKey != oldKey, let i = order.firstIndex(of: oldKey) { order[i] = newKey }
        }
    }

    /// Whether a finding with `f`'s key is here.
    public func contains(_ f: Finding) -> Bool { byKey[FindingAggregator.key(for: f)] != nil }

    /// Findings in order of first appearance.
    public var findings: [Finding] { order.compactMap { byKey[$0] } }
    public var count: Int { order.count }
}
