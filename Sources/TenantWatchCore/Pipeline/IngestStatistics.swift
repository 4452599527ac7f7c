/// What a run read, so the user can see that nothing was lost: every line is either part of an
/// event or counted as unparsed, with the first bad position to start looking.
public struct IngestStatistics: Sendable, Equatable {
    public var files = 0
    public var lines = 0
    public var events = 0
    public var statements = 0
    public var unparsed = 0
    public var firstUnparsed: SourcePosition?
    public var firstUnparsedReason: String?

    public init() {}

    public mutating func count(_ event: Event) {
        if case .unparsed(let u) = event {
            unparsed += 1
            if firstUnparsed == nil {
                firstUnparsed = u.position
                firstUnparsedReason = u.reason
            }
        } else {
            events += 1
            if case .statement = event { statements += 1 }
        }
    }

    /// The contract's closing line: `N lines, M events, K unparsed (first at FILE:LINE)`.
    public var summary: String {
        var s = "\(lines) lines, \(events) events, \(unparsed) unparsed"
        if let p = firstUnparsed {
            s += " (first at \(p.file):\(p.line)"
            if let r = firstUnparsedReason { s += ": \(TextSanitizer.oneLine(r))" }
            s += ")"
        }
        return s
    }
}
