/// An `[audit] internal_routes` pattern, matched against a request's route (the audit line's
/// `audit.route`, a template such as `/internal/activities/:id`, or a path).
///
/// `*` is any run of characters, `/` included (`/internal/*` matches `/internal/a/b`), `?` one
/// character, `[a-z]` a class — the `[cache] allowed` globs' rules (`KeyGlob`) — matched against
/// the whole route, case-sensitively, with any query string (`?page=2`) left off first. A pattern
/// ending in `/*` also matches its bare prefix: `/admin/*` matches `/admin`, as a user means it.
public struct RoutePattern: Sendable, Equatable {
    public let text: String
    private let glob: KeyGlob
    private let bare: String?

    public init(_ text: String) {
        self.text = text
        self.glob = KeyGlob(text)
        self.bare = text.hasSuffix("/*") ? String(text.dropLast(2)) : nil
    }

    public func matches(_ route: String) -> Bool {
        let path = route.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? route
        if let bare, !bare.isEmpty, path == bare { return true }
        return glob.matches(path)
    }

    /// The first of `patterns` that matches `route`.
    public static func firstMatch(_ patterns: [RoutePattern], _ route: String?) -> RoutePattern? {
        guard let route, !patterns.isEmpty else { return nil }
        return patterns.first { $0.matches(route) }
    }
}
