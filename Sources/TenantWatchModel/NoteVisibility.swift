/// Who may read a note on an incident.
///
/// Notes are written for the on-call team: guesses, people's names, "called Bo at globex". Only a
/// note written *for* the customer may leave in an evidence bundle, so a note is internal unless
/// its author says otherwise, and every note written before visibility existed is internal too
/// (`IncidentStore.registerNoteVisibility`): a forgotten flag keeps a note in, never lets one out.
public enum NoteVisibility: String, Sendable, Codable, CaseIterable {
    /// Seen in the dashboard and `incidents show`, never in a bundle.
    case `internal`
    /// Also goes into the evidence bundles exported for the incident's tenants.
    case customer

    /// How the dashboard and `incidents show` label it.
    public var label: String {
        switch self {
        case .internal: return "internal"
        case .customer: return "customer-visible"
        }
    }

    /// The other one (the dashboard's note prompt toggles with Tab).
    public var toggled: NoteVisibility { self == .internal ? .customer : .internal }
}
