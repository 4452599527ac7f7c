import Crypto
import Foundation

/// What makes two sightings "the same finding" and a finding part of "the same incident", as
/// every store backend applies it. The SQLite store (`IncidentStore`) and the PostgreSQL store
/// (`PostgresIncidentStore`) both decide through these functions, so a fleet writing to
/// PostgreSQL and a laptop writing to SQLite number and fold the same logs the same way.
///
/// The keys themselves are the in-memory ones (`FindingAggregator.dedupKey`,
/// `IncidentGrouper.pathKey`): a `scan` without a store groups by the same definitions.
public enum IncidentRules {
    /// The key under which sightings fold into one finding row.
    public static func findingKey(_ f: Finding) -> String { FindingAggregator.dedupKey(for: f) }

    /// The leak path: findings with the same path within the window are one incident.
    public static func pathKey(_ f: Finding) -> String { IncidentGrouper.pathKey(for: f) }

    /// The log time a sighting counts at (microseconds; 0 when untimed).
    public static func occurred(_ f: Finding) -> Int64 { f.lastSeen?.microseconds ?? f.time?.microseconds ?? 0 }

    /// A sighting joins the latest stored finding with its key when it is within `window` of
    /// that finding's last sighting, unless the finding's incident was resolved and this is a
    /// later sighting (a regression: it opens a new finding, and so a new incident).
    public static func joinsFinding(occurred: Int64, lastSeen: Int64?, state: IncidentState, window: Int64) -> Bool {
        let within = occurred - (lastSeen ?? occurred) <= window
        let regression = state == .resolved && occurred > (lastSeen ?? .min)
        return within && !regression
    }

    /// A new finding joins the latest incident of its leak path when that incident is not
    /// resolved and was seen within `window`; otherwise it opens the next-numbered incident.
    public static func joinsIncident(occurred: Int64, lastSeen: Int64?, state: IncidentState, window: Int64) -> Bool {
        state != .resolved && occurred - (lastSeen ?? occurred) <= window
    }

    /// One delivery of one sighting: the same finding with the same times, count and evidence
    /// lines. Both stores record a delivery once, so a batch redelivered after a worker died
    /// before its acknowledgement, or retried after a crash, changes nothing (the `delivery`
    /// table of `PostgresIncidentStore` and of `IncidentStore+Delivery`).
    public static func deliveryKey(_ f: Finding) -> String {
        var text = findingKey(f)
        text += "\u{1F}\(f.time?.microseconds ?? 0)\u{1F}\(f.lastSeen?.microseconds ?? 0)\u{1F}\(f.count)\u{1F}\(f.cacheKey ?? "")"
        for e in f.evidence { text += "\u{1F}\(e.file):\(e.line)-\(e.endLine)" }
        text += "\u{1F}" + f.message
        return SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A stored finding's evidence with a new sighting's added (no repeats, at most `limit`).
    static func mergeEvidence(_ stored: [IncidentStore.EvidenceJSON], with f: Finding, limit: Int) -> [IncidentStore.EvidenceJSON] {
        var evidence = stored
        for e in f.evidence.map(IncidentStore.EvidenceJSON.init) where evidence.count < limit && !evidence.contains(e) {
            evidence.append(e)
        }
        return evidence
    }

    /// An incident's folded fields, and how one finding changes them.
    struct Fold {
        var kinds: [String]
        var exposed: [String]
        var severity: Severity
        var firstSeen: Int64?
        var lastSeen: Int64?

        mutating func absorb(_ f: Finding) {
            if !kinds.contains(f.kind.rawValue) { kinds.append(f.kind.rawValue) }
            // A set beside the list: one response can name tens of thousands of tenants.
            var seen = Set(exposed)
            for t in f.accessedTenants where seen.insert(t).inserted { exposed.append(t) }
            severity = max(severity, f.severity)
            if let t = f.time?.microseconds ?? f.lastSeen?.microseconds, firstSeen == nil || t < firstSeen! { firstSeen = t }
            if let t = f.lastSeen?.microseconds ?? f.time?.microseconds, lastSeen == nil || t > lastSeen! { lastSeen = t }
        }
    }
}
