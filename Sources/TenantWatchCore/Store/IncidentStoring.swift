/// What `scan`, `live`, `replay`, `incidents`, `export` and the dashboard ask of an incident
/// store, whichever database holds it: the embedded SQLite file (`IncidentStore`, the default)
/// or a PostgreSQL database shared by a fleet (`PostgresIncidentStore`). Both apply the same
/// rules (`IncidentRules`) and keep the same schema, so the commands cannot tell them apart
/// except by what another process changed meanwhile (`takeChanges`).
///
/// Method names are `IncidentStore`'s own, so code written against the SQLite store reads the
/// same against the protocol.
public protocol IncidentStoring: AnyObject, Sendable {
    /// Where the store is, for messages: a file path, or a PostgreSQL URL without its password.
    var location: String { get }

    // Writing

    /// Records a batch of findings with their timelines, and the checkpoints of the sources read
    /// up to them, in one transaction: all of it is written, or (on any error) none of it.
    @discardableResult
    func commit(findings: [(Finding, [TimelineEntry])], checkpoints: [SourceCheckpoint],
                sightings: SightingBatch) throws -> [RecordResult]
    func setState(_ id: String, _ state: IncidentState, author: String) throws
    /// `visibility` says whether the note may go into a customer's bundle (internal unless said).
    func addNote(_ id: String, author: String, text: String, visibility: NoteVisibility) throws

    // Reading

    func checkpoints() throws -> [String: SourceCheckpoint]
    func sightingKeys() throws -> Set<String>
    func incidents(state: IncidentState?) throws -> [StoredIncident]
    func incidents(ids: Set<String>) throws -> [StoredIncident]
    func incident(_ id: String) throws -> IncidentDetail
    func incidentID(forKey key: String) throws -> String?
    /// `incidentID(for:)` of many findings at once (`scan --store` numbers every finding it prints).
    func incidentIDs(for findings: [Finding]) throws -> [String?]
    func evidenceFields(ids: Set<String>?) throws -> [IncidentStore.EvidenceFields]

    // Evidence bundles

    func knownTenants() throws -> Set<String>
    func pseudonyms(forTenant: String, covering tenants: Set<String>) throws -> [String: String]
    func lastBundle(forTenant: String) throws -> BundleExportRecord?
    func bundles(forTenant: String) throws -> [BundleExportRecord]
    func recordBundle(_ r: BundleExportRecord) throws

    /// What other processes changed since the last call (new findings, acks, notes): the
    /// dashboard reads those incidents again. A store only one process writes says nothing.
    func takeChanges() -> StoreChanges
}

/// Incidents another process changed, as a store heard of it.
public struct StoreChanges: Sendable, Equatable {
    /// Incident ids to read again.
    public var ids: Set<String> = []
    /// Too many to name (or the notifications were interrupted): read everything again.
    public var everything = false

    public init(ids: Set<String> = [], everything: Bool = false) {
        self.ids = ids
        self.everything = everything
    }

    public var isEmpty: Bool { ids.isEmpty && !everything }
}

extension IncidentStoring {
    /// An internal note: the safe default, as nothing internal reaches a customer's bundle.
    public func addNote(_ id: String, author: String, text: String) throws {
        try addNote(id, author: author, text: text, visibility: .internal)
    }

    /// Records one finding (with its timeline) in its own transaction.
    @discardableResult
    public func record(_ finding: Finding, timeline: [TimelineEntry] = []) throws -> RecordResult {
        try commit(findings: [(finding, timeline)], checkpoints: [], sightings: SightingBatch())[0]
    }

    @discardableResult
    public func commit(findings: [(Finding, [TimelineEntry])], checkpoints: [SourceCheckpoint] = []) throws -> [RecordResult] {
        try commit(findings: findings, checkpoints: checkpoints, sightings: SightingBatch())
    }

    /// Saves checkpoints alone (a batch that found nothing still advances).
    public func saveCheckpoints(_ checkpoints: [SourceCheckpoint]) throws {
        _ = try commit(findings: [], checkpoints: checkpoints, sightings: SightingBatch())
    }

    /// Incidents in number order, all states.
    public func incidents() throws -> [StoredIncident] { try incidents(state: nil) }

    /// Every finding's evidence fields.
    public func evidenceFields() throws -> [IncidentStore.EvidenceFields] { try evidenceFields(ids: nil) }

    /// The incident a finding was recorded in (by its aggregation key), if it was.
    public func incidentID(for finding: Finding) throws -> String? {
        try incidentID(forKey: IncidentRules.findingKey(finding))
    }

    /// One lookup per finding; the SQLite store overrides it with one read transaction.
    public func incidentIDs(for findings: [Finding]) throws -> [String?] {
        try findings.map { try incidentID(for: $0) }
    }
}

extension IncidentStore: IncidentStoring {
    public var location: String { path }

    /// One process owns a SQLite store at a time (`live`); nothing to hear of.
    public func takeChanges() -> StoreChanges { StoreChanges() }
}
