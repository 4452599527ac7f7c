import TenantWatchModel

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
    /// Statements read from the log that libpg_query rejects (cut off, forged, or in a syntax
    /// newer than its grammar): read, but never judged, so a leak in them cannot be seen.
    /// Statements the server itself rejected (logged with their ERROR) are not counted.
    public var unparseableStatements = 0
    public var firstUnparseableStatement: SourcePosition?
    public var firstUnparseableReason: String?

    /// What left the correlation window unmatched (said on screen and in the summary line, so a
    /// missing tie is never silent): tagged statements whose request's audit line never came
    /// within the window (judged without caller and request), ...
    public var unmatchedStatements = 0
    /// ... cache reads and writes no request could be tied to exactly or by time, ...
    public var untiedCacheCommands = 0
    /// ... inferred (time) ties dropped because the request's own response tenants contradict them, ...
    public var contradictedTies = 0
    /// ... and statements released early because the correlator's hold was full.
    public var droppedForCapacity = 0
    /// Search slow-log lines read as events but not judged, because another shard's or phase's
    /// line of the same search already was (`SearchShardLines`). Counted so that the summary
    /// accounts for every search line read: events judged plus repeats skipped.
    public var searchShardRepeats = 0

    public init() {}

    /// `, left the correlation window: ...` when anything did; empty otherwise.
    public var unmatchedSummary: String {
        var parts: [String] = []
        func plural(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
        if unmatchedStatements > 0 { parts.append(unmatchedStatements == 1 ? "1 statement without its request" : "\(unmatchedStatements) statements without their request") }
        if untiedCacheCommands > 0 { parts.append(plural(untiedCacheCommands, "cache command", "cache commands") + " untied") }
        if contradictedTies > 0 { parts.append(plural(contradictedTies, "inferred tie", "inferred ties") + " contradicted by the response") }
        if droppedForCapacity > 0 { parts.append(plural(droppedForCapacity, "statement", "statements") + " released early (hold full)") }
        return parts.isEmpty ? "" : ", left the correlation window: " + parts.joined(separator: ", ")
    }

    public mutating func count(_ event: Event) {
        // Tested by case first, payload bound only for an unparsed line: binding it for every
        // event copied the whole event (a retain and release of each of its strings).
        switch event {
        case .statement: events += 1; statements += 1
        case .unparsed: countUnparsed(event)
        default: events += 1
        }
    }

    private mutating func countUnparsed(_ event: Event) {
        guard case .unparsed(let u) = event else { return }
        unparsed += 1
        if firstUnparsed == nil {
            firstUnparsed = u.position
            firstUnparsedReason = u.reason
        }
    }

    public mutating func countUnparseable(_ statement: StatementExecution, reason: String) {
        unparseableStatements += 1
        if firstUnparseableStatement == nil {
            firstUnparseableStatement = statement.position
            firstUnparseableReason = reason
        }
    }

    /// The contract's closing line: `N lines, M events, K unparsed (first at FILE:LINE)`, and
    /// `, J statements unparseable (first at FILE:LINE: why)` when libpg_query rejected some.
    public var summary: String {
        var s = "\(lines) lines, \(events) events, \(unparsed) unparsed"
        if let p = firstUnparsed {
            s += " (first at \(TextSanitizer.oneLine(p.file)):\(p.line)"
            if let r = firstUnparsedReason { s += ": \(TextSanitizer.oneLine(r))" }
            s += ")"
        }
        if let p = firstUnparseableStatement {
            s += ", \(unparseableStatements) statement\(unparseableStatements == 1 ? "" : "s") unparseable (first at \(TextSanitizer.oneLine(p.file)):\(p.line)"
            if let r = firstUnparseableReason { s += ": \(TextSanitizer.oneLine(String(r.prefix(200))))" }
            s += ")"
        }
        if searchShardRepeats > 0 {
            s += ", \(searchShardRepeats) search shard repeat\(searchShardRepeats == 1 ? "" : "s") skipped"
        }
        return s + unmatchedSummary
    }
}
