import TenantWatchModel

/// One event of an incident's evidence timeline: the request, a statement with its bind values,
/// the backend's session setting, a cache command, the response, the finding itself.
///
/// Kept in the store with its source position and (bounded) raw text, so the evidence outlives
/// log rotation and the deletion of the original files.
public struct TimelineEntry: Sendable, Equatable, Hashable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case request
        case statement
        case sessionSetting = "session_setting"
        case cacheCommand = "cache_command"
        case response
        case finding
    }

    /// Raw text kept per entry; longer text is cut and marked (`rawTruncated`).
    public static let rawLimit = 4096

    public var kind: Kind
    public var time: Timestamp?
    /// Where the record is in its source (file, first and last physical line); nil when unknown.
    public var position: SourcePosition?
    /// One line for people.
    public var summary: String
    /// The quoted text of the log record (or the statement text), at most `rawLimit` bytes.
    public private(set) var raw: String?
    /// True when `raw` was cut at `rawLimit`.
    public private(set) var rawTruncated: Bool
    /// `$1, $2, ...` of a statement; nil is SQL NULL.
    public var bindValues: [String?]

    public init(kind: Kind, time: Timestamp?, position: SourcePosition?, summary: String,
                raw: String? = nil, bindValues: [String?] = []) {
        self.kind = kind
        self.time = time
        self.position = position
        self.summary = summary
        self.bindValues = bindValues
        self.raw = nil
        self.rawTruncated = false
        setRaw(raw)
    }

    /// Restores a stored entry exactly (the raw text was bounded when first made).
    public init(kind: Kind, time: Timestamp?, position: SourcePosition?, summary: String,
                storedRaw: String?, rawTruncated: Bool, bindValues: [String?]) {
        self.kind = kind
        self.time = time
        self.position = position
        self.summary = summary
        self.raw = storedRaw
        self.rawTruncated = rawTruncated
        self.bindValues = bindValues
    }

    /// Sets the raw text, cutting it at `rawLimit` bytes on a character boundary.
    public mutating func setRaw(_ text: String?) {
        guard let text else { raw = nil; rawTruncated = false; return }
        let (cut, truncated) = TimelineEntry.bounded(text, limit: TimelineEntry.rawLimit)
        raw = cut
        rawTruncated = truncated
    }

    static func bounded(_ s: String, limit: Int) -> (String, Bool) {
        if s.utf8.count <= limit { return (s, false) }
        var out = ""
        var used = 0
        for ch in s {
            let n = ch.utf8.count
            if used + n > limit { break }
            out.append(ch)
            used += n
        }
        return (out, true)
    }

    /// Timeline order: time (untimed first), then source file, then line.
    public static func ordered(_ a: TimelineEntry, _ b: TimelineEntry) -> Bool {
        let ta = a.time?.microseconds ?? .min, tb = b.time?.microseconds ?? .min
        if ta != tb { return ta < tb }
        let fa = a.position?.file ?? "", fb = b.position?.file ?? ""
        if fa != fb { return fa < fb }
        return (a.position?.line ?? 0) < (b.position?.line ?? 0)
    }
}
