/// A claim read from a token exactly as written — or the reason it cannot be read without a
/// guess.
///
/// Claim names are matched exactly (RFC 7519 names are case-sensitive): `TENANT_ID` is not
/// `tenant_id`. A claim given twice (parsers differ on which one wins), given as an array or an
/// object, or present only in another letter case is an ambiguity, never silently read one way.
/// (Audit-line fields and HTTP headers are looked up case-insensitively by `JSONValue`'s
/// subscript; token claims are not.)
public enum ClaimReading: Equatable, Sendable {
    case value(String)
    case absent
    case ambiguous(String)

    /// The claim at a dotted path (`tenant_id`, `org.tenant`): a non-empty string, or a number as
    /// its decimal text.
    public static func read(_ claims: JSONValue, path: String) -> ClaimReading {
        var current = claims
        var walked: [String] = []
        for segment in JSONValue.segments(of: path) {
            walked.append(segment)
            let name = walked.joined(separator: ".")
            guard case .object(let members) = current else {
                return walked.count == 1 ? .absent : .ambiguous("\(walked.dropLast().joined(separator: ".")) is not an object")
            }
            let exact = members.filter { $0.0 == segment }
            if exact.count > 1 { return .ambiguous("claim \(name) is given \(exact.count) times") }
            guard let found = exact.first else {
                if let other = members.first(where: { JSONValue.asciiCaseInsensitiveEqual($0.0, segment) }) {
                    return .ambiguous("no claim \(name), but \(other.0) (names are case-sensitive)")
                }
                return .absent
            }
            current = found.1
        }
        switch current {
        case .string(let s): return s.isEmpty ? .absent : .value(s)
        case .number(let n): return .value(n)
        case .null: return .absent
        case .bool: return .ambiguous("claim \(path) is a boolean")
        case .array: return .ambiguous("claim \(path) is an array")
        case .object: return .ambiguous("claim \(path) is an object")
        }
    }

    /// A NumericDate claim (`exp`, `nbf`): seconds, or why it cannot be read (a string, twice).
    public static func numericDate(_ claims: JSONValue, name: String) -> Result<Double?, AmbiguousClaim> {
        guard case .object(let members) = claims else { return .success(nil) }
        let exact = members.filter { $0.0 == name }
        if exact.count > 1 { return .failure(AmbiguousClaim(reason: "\(name) is given \(exact.count) times")) }
        switch exact.first?.1 {
        case nil, .null?: return .success(nil)
        case .number(let n)?:
            guard let d = Double(n) else { return .failure(AmbiguousClaim(reason: "\(name) is not a number")) }
            return .success(d)
        case .string?: return .failure(AmbiguousClaim(reason: "\(name) is a string, not a NumericDate"))
        default: return .failure(AmbiguousClaim(reason: "\(name) is not a NumericDate"))
        }
    }
}

public struct AmbiguousClaim: Error, Equatable, Sendable {
    public var reason: String
}
