/// An index name or a pattern with `*` wildcards (`activities-*`), as `[search] indices` and
/// `global_indices` hold them and as Elasticsearch itself accepts them in a search path.
public struct IndexPattern: Sendable, Equatable {
    public let text: String
    private let parts: [Substring]

    public init(_ text: String) {
        self.text = text
        self.parts = text.split(separator: "*", omittingEmptySubsequences: false)
    }

    /// Names the servers accept: no spaces, commas, quotes, slashes, `#`, `?`, `|`, `<`, `>`, `\`.
    public static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty else { return false }
        return !text.unicodeScalars.contains { " ,\"/\\|?#<>".unicodeScalars.contains($0) || $0.value < 0x20 }
    }

    /// Whether `name` (a concrete index or alias) matches.
    public func matches(_ name: String) -> Bool {
        if parts.count == 1 { return name == text }
        var rest = Substring(name)
        guard rest.hasPrefix(parts[0]) else { return false }
        rest = rest.dropFirst(parts[0].count)
        for (k, part) in parts.enumerated().dropFirst() {
            if k == parts.count - 1 { return rest.hasSuffix(part) }
            guard let r = rest.range(of: part) else { return false }
            rest = rest[r.upperBound...]
        }
        return true
    }
}
