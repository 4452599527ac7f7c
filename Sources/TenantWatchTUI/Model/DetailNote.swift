import TenantWatchCore

/// One note in the detail view: who wrote what, and whether the customer will read it.
///
/// The visibility is shown on every note because it decides what leaves in a bundle: an on-call
/// engineer must see at a glance which of the notes a customer will get.
public struct DetailNote: Sendable, Equatable {
    /// `author: text`, on one line.
    public var text: String
    public var visibility: NoteVisibility

    public init(author: String, text: String, visibility: NoteVisibility) {
        self.text = TextSanitizer.oneLine("\(author): \(text)")
        self.visibility = visibility
    }
}
