/// What `/` looks for: a regular expression when the text is one (`req-01(07|08)`), else the
/// literal text (`project:1041(` would not compile). Case-insensitive either way, as in less.
struct SearchPattern {
    let literal: String
    private let regex: Regex<AnyRegexOutput>?

    init(_ text: String) {
        literal = text
        regex = (try? Regex(text))?.ignoresCase()
    }

    func matches(_ haystack: String) -> Bool {
        if haystack.localizedCaseInsensitiveContainsASCII(literal) { return true }
        guard let regex else { return false }
        return (try? regex.firstMatch(in: haystack)) != nil
    }
}
