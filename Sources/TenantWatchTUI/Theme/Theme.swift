import TOMLKit

/// Attributes a style may carry besides its colours.
public struct StyleAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = StyleAttributes(rawValue: 1)
    public static let underline = StyleAttributes(rawValue: 2)
    public static let reverse = StyleAttributes(rawValue: 4)
    public static let dim = StyleAttributes(rawValue: 8)
}

public struct Style: Equatable, Sendable {
    public var fg: ThemeColor
    public var bg: ThemeColor
    public var attributes: StyleAttributes
    public init(fg: ThemeColor = .terminalDefault, bg: ThemeColor = .terminalDefault, attributes: StyleAttributes = []) {
        self.fg = fg
        self.bg = bg
        self.attributes = attributes
    }
}

/// A style resolved for one terminal: colour numbers (-1 = default) and attributes.
public struct ResolvedStyle: Equatable, Hashable, Sendable {
    public var fg: Int
    public var bg: Int
    public var attributes: StyleAttributes
}

/// A theme: a style for every semantic role.
public struct Theme: Equatable, Sendable {
    public var name: String
    public var styles: [StyleRole: Style]

    public func style(_ role: StyleRole) -> Style { styles[role] ?? styles[.text] ?? Style() }

    /// Styles for a terminal with `depth` colours. Without colour, `selected` and the leak roles
    /// keep a visible attribute even if the theme gave them colour only.
    public func resolved(for depth: ColorDepth) -> [StyleRole: ResolvedStyle] {
        var out: [StyleRole: ResolvedStyle] = [:]
        for role in StyleRole.allCases {
            let s = style(role)
            var attrs = s.attributes
            if depth == .none && attrs.isEmpty {
                switch role {
                case .selected, .header, .searchMatch, .leakHighlight, .severityCritical: attrs = [.reverse]
                case .leak, .unscoped, .severityHigh, .statusError, .sqlKeyword: attrs = [.bold]
                default: break
                }
            }
            var fg = s.fg.number(for: depth)
            let bg = s.bg.number(for: depth)
            if depth != .none && fg != -1 {
                if bg == -1 && Theme.invisibleOnSomeBackground(fg) {
                    // Black vanishes on a dark terminal, white on a light one, and the theme cannot
                    // know which it is drawn on: the terminal's own foreground is legible on its own
                    // background. A grey that degraded to black (xterm's 8 colours) stays muted as dim.
                    fg = -1
                    if Theme.isMidGrey(s.fg) { attrs.insert(.dim) }
                } else if fg == bg {
                    // Two colours that degraded to one: text the colour of its background.
                    fg = -1
                    attrs.insert(.reverse)
                }
            }
            out[role] = ResolvedStyle(fg: fg, bg: bg, attributes: attrs)
        }
        // Muted text that degraded to plain text (a grey lost at 8 colours) stays muted.
        if depth != .none, let dim = out[.dim], dim == out[.text] { out[.dim]?.attributes.insert(.dim) }
        return out
    }

    /// A resolved colour number close to black or to white.
    static func invisibleOnSomeBackground(_ n: Int) -> Bool {
        guard n >= 0, n < 256 else { return false }
        let (r, g, b) = ThemeColor.rgbOf(n)
        return max(r, g, b) < 80 || min(r, g, b) > 200
    }

    /// A theme colour meant as a muted grey (neither black nor white).
    static func isMidGrey(_ c: ThemeColor) -> Bool {
        let rgb: (Int, Int, Int)
        switch c {
        case .terminalDefault: return false
        case .index(let i): rgb = ThemeColor.rgbOf(min(max(0, i), 255))
        case .rgb(let r, let g, let b): rgb = (Int(r), Int(g), Int(b))
        }
        let hi = max(rgb.0, rgb.1, rgb.2), lo = min(rgb.0, rgb.1, rgb.2)
        return hi - lo < 30 && lo >= 80 && hi <= 200
    }

    /// The names `--theme` accepts without a path.
    public static let builtinNames = ["default", "light", "high-contrast", "colorblind", "mono"]

    public static func builtin(_ name: String) -> Theme? {
        guard let text = BuiltinThemes.text[name] else { return nil }
        return try? ThemeLoader.parse(text, file: "themes/\(name).toml")
    }

    /// The theme to use: `NO_COLOR` (set and non-empty, https://no-color.org) wins and selects
    /// `mono`; else `--theme NAME|PATH`, else `default`.
    public static func select(_ nameOrPath: String?, environment: [String: String]) throws -> (Theme, noColor: Bool) {
        if let v = environment["NO_COLOR"], !v.isEmpty { return (builtin("mono")!, true) }
        guard let n = nameOrPath, !n.isEmpty else { return (builtin("default")!, false) }
        if let t = builtin(n) { return (t, false) }
        return (try ThemeLoader.load(path: n), false)
    }
}
