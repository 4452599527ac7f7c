/// A colour as a theme names it, and how it degrades: 256 → 16 → 8 colours, or none.
public enum ThemeColor: Equatable, Sendable {
    /// The terminal's own foreground/background (kept with `use_default_colors`).
    case terminalDefault
    /// An xterm palette index, 0–255.
    case index(Int)
    case rgb(UInt8, UInt8, UInt8)

    static let ansiNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Parses a literal colour; nil when `text` is not one (it may be a palette name).
    static func literal(_ text: String) -> ThemeColor? {
        let t = text.lowercased()
        if t == "default" || t == "none" { return .terminalDefault }
        if let i = ansiNames.firstIndex(of: t) { return .index(i) }
        if t.hasPrefix("bright_"), let i = ansiNames.firstIndex(of: String(t.dropFirst(7))) { return .index(i + 8) }
        if t.hasPrefix("#"), t.count == 7, let v = UInt32(t.dropFirst(), radix: 16) {
            return .rgb(UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF))
        }
        return nil
    }

    /// The ncurses colour number for a terminal with `depth` colours; -1 is the terminal default.
    public func number(for depth: ColorDepth) -> Int {
        switch depth {
        case .none: return -1
        case .c256:
            switch self {
            case .terminalDefault: return -1
            case .index(let i): return i
            case .rgb(let r, let g, let b): return ThemeColor.nearest256(r, g, b)
            }
        case .c16:
            switch self {
            case .terminalDefault: return -1
            case .index(let i) where i < 16: return i
            case .index(let i): return ThemeColor.nearest16(ThemeColor.rgbOf(i))
            case .rgb(let r, let g, let b): return ThemeColor.nearest16((Int(r), Int(g), Int(b)))
            }
        case .c8:
            let n = number(for: .c16)
            return n >= 8 ? n - 8 : n
        }
    }

    /// RGB of an xterm-256 index.
    static func rgbOf(_ i: Int) -> (Int, Int, Int) {
        if i < 16 { return ansiRGB[i] }
        if i >= 232 { let v = 8 + (i - 232) * 10; return (v, v, v) }
        let c = i - 16
        let steps = [0, 95, 135, 175, 215, 255]
        return (steps[c / 36], steps[(c / 6) % 6], steps[c % 6])
    }

    /// The xterm defaults for the 16 ANSI colours.
    static let ansiRGB: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        // Weighted for the eye (a cheap "redmean" approximation).
        let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
        return 2 * dr * dr + 4 * dg * dg + 3 * db * db
    }

    static func nearest16(_ c: (Int, Int, Int)) -> Int {
        var best = 0, bestD = Int.max
        for (i, a) in ansiRGB.enumerated() {
            let d = distance(c, a)
            if d < bestD { bestD = d; best = i }
        }
        return best
    }

    static func nearest256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        let c = (Int(r), Int(g), Int(b))
        var best = 16, bestD = Int.max
        for i in 16..<256 {
            let d = distance(c, rgbOf(i))
            if d < bestD { bestD = d; best = i }
        }
        return best
    }
}

/// How many colours the terminal offers (or none, for `NO_COLOR` and monochrome terminals).
public enum ColorDepth: Int, Sendable, Comparable {
    case none = 0, c8 = 8, c16 = 16, c256 = 256

    /// From ncurses' `COLORS` (and `has_colors`).
    public init(colors: Int, hasColors: Bool = true) {
        if !hasColors || colors < 8 { self = .none } else if colors < 16 { self = .c8 } else if colors < 256 { self = .c16 } else { self = .c256 }
    }

    public static func < (a: ColorDepth, b: ColorDepth) -> Bool { a.rawValue < b.rawValue }
}
