import TenantWatchModel

/// Where an incident stands in the on-call workflow.
public enum IncidentState: String, Sendable, Codable, CaseIterable {
    case open, acknowledged, resolved
}

/// An incident as the store keeps it: one leak path within a window, its findings folded.
public struct StoredIncident: Sendable, Equatable {
    public var id: String
    public var number: Int
    /// The kind family (`data`, `identity`, `cache`, `log`).
    public var family: String
    /// `IncidentGrouper.pathKey`: family, caller, exposed tenants, fingerprint/route/cache key.
    public var pathKey: String
    public var kinds: [FindingKind]
    /// The highest severity of its findings.
    public var severity: Severity
    public var callerTenant: String?
    public var exposedTenants: [String]
    public var title: String
    public var state: IncidentState
    public var firstSeen: Timestamp?
    public var lastSeen: Timestamp?
    /// Findings (leak sightings after aggregation) in the incident.
    public var findingCount: Int
    /// Occurrences: the sum of its findings' counts.
    public var occurrences: Int
    public var stateChangedAt: Timestamp?
    public var stateChangedBy: String?
}

/// A note on an incident (state changes are noted too, as `state: acknowledged`).
public struct IncidentNote: Sendable, Equatable {
    public var author: String
    public var time: Timestamp
    public var text: String
    /// Internal notes never leave the store in a bundle.
    public var visibility: NoteVisibility = .internal
}

/// An incident with everything kept about it.
public struct IncidentDetail: Sendable {
    public var incident: StoredIncident
    /// Findings in order of first sighting; `incident` set, `count`/`lastSeen` as accumulated.
    public var findings: [Finding]
    /// Ordered by time (untimed first), then source file, then line.
    public var timeline: [TimelineEntry]
    /// Oldest first.
    public var notes: [IncidentNote]
}

/// What recording one finding did.
public struct RecordResult: Sendable, Equatable {
    public var incidentID: String
    /// A new incident was opened for it.
    public var isNewIncident: Bool
    /// A new finding row was written (false: an existing one's count and last-seen were updated).
    public var isNewFinding: Bool
}

/// Everything the store can fail with, each naming the store file.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case cannotCreateDirectory(path: String, reason: String)
    case cannotOpen(path: String, reason: String)
    /// The file is not a SQLite database, or its pages are damaged.
    case corrupt(path: String, reason: String)
    case diskFull(path: String)
    case readOnly(path: String, reason: String)
    /// The store was written by a newer tenantwatch (it has migrations this one does not know).
    case newerSchema(path: String)
    case noSuchIncident(String)
    case database(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotCreateDirectory(let p, let r): return "cannot create the directory of store \(p): \(r)"
        case .cannotOpen(let p, let r): return "cannot open store \(p): \(r)"
        case .corrupt(let p, let r): return "store \(p) is not a readable tenantwatch database (\(r)); move it aside to start a new one"
        case .diskFull(let p): return "store \(p): no space left on device; nothing of this batch was written"
        case .readOnly(let p, let r): return "store \(p) is read-only: \(r)"
        case .newerSchema(let p): return "store \(p) was written by a newer tenantwatch; upgrade to use it"
        case .noSuchIncident(let id): return "no such incident: \(id)"
        case .database(let p, let r): return "store \(p): \(r)"
        }
    }
}
