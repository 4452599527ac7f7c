import Foundation
import TOMLKit

/// A theme that cannot be used: names the file, the key and its line.
public struct ThemeError: Error, Equatable, CustomStringConvertible {
    public var file: String
    public var key: String
    public var line: Int?
    public var message: String
    public var description: String {
        "theme \(file)" + (line.map { ":\($0)" } ?? "") + (key.isEmpty ? "" : ": \(key)") + ": \(message)"
    }
}

/// Reads theme TOML:
///
///     name = "mine"
///     [palette]
///     red = 203                 # 0-255, "#rrggbb", "default", "red".."bright_white"
///     [styles]
///     leak = { fg = "red", bold = true }   # fg, bg, bold, underline, reverse, dim
///
/// Every role may be given (missing ones fall back to `text`); unknown keys are errors.
public enum ThemeLoader {
    public static func load(path: String) throws -> Theme {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ThemeError(file: path, key: "", line: nil, message: "cannot read the theme file (built-in themes: \(Theme.builtinNames.joined(separator: ", ")))")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String = "theme.toml") throws -> Theme {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let e as TOMLParseError {
            throw ThemeError(file: file, key: "", line: e.source.begin.line, message: "TOML syntax error: \(e.description)")
        }
        let lines = KeyLines(text)
        func fail(_ key: String, _ message: String) -> ThemeError {
            ThemeError(file: file, key: key, line: lines.line(of: key), message: message)
        }
        for key in root.keys where !["name", "palette", "styles"].contains(key) {
            throw fail(key, "unknown key (expected name, [palette], [styles])")
        }
        var theme = Theme(name: root["name"]?.string ?? file, styles: [:])
        var palette: [String: ThemeColor] = [:]
        if let p = root["palette"] {
            guard let table = p.table else { throw fail("palette", "must be a table: write [palette]") }
            for key in table.keys {
                palette[key] = try color(table[key]!, key: "palette.\(key)", palette: [:], fail)
            }
        }
        if let s = root["styles"] {
            guard let table = s.table else { throw fail("styles", "must be a table: write [styles]") }
            for key in table.keys {
                let path = "styles.\(key)"
                guard let role = StyleRole(rawValue: key) else {
                    throw fail(path, "unknown role (roles: \(StyleRole.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                guard let st = table[key]?.table else { throw fail(path, "must be a table, e.g. { fg = \"red\", bold = true }") }
                var style = Style()
                for k in st.keys {
                    let kp = "\(path).\(k)"
                    switch k {
                    case "fg": style.fg = try color(st[k]!, key: kp, palette: palette, fail)
                    case "bg": style.bg = try color(st[k]!, key: kp, palette: palette, fail)
                    case "bold", "underline", "reverse", "dim":
                        guard let b = st[k]?.bool else { throw fail(kp, "must be true or false") }
                        let a: StyleAttributes = k == "bold" ? .bold : k == "underline" ? .underline : k == "reverse" ? .reverse : .dim
                        if b { style.attributes.insert(a) } else { style.attributes.remove(a) }
                    default: throw fail(kp, "unknown style key (fg, bg, bold, underline, reverse, dim)")
                    }
                }
                theme.styles[role] = style
            }
        }
        return theme
    }

    static func color(_ v: TOMLValueConvertible, key: String, palette: [String: ThemeColor],
                      _ fail: (String, String) -> ThemeError) throws -> ThemeColor {
        if let i = v.int {
            guard (0...255).contains(i) else { throw fail(key, "colour index \(i) is out of range 0-255") }
            return .index(i)
        }
        guard let s = v.string else { throw fail(key, "must be a colour: 0-255, \"#rrggbb\", \"default\", an ANSI name or a palette name") }
        if let c = ThemeColor.literal(s) { return c }
        if let c = palette[s] { return c }
        throw fail(key, "unknown colour '\(s)' (0-255, \"#rrggbb\", \"default\", an ANSI name or a palette name)")
    }
}

/// Finds the line a dotted key is written on, for error messages (TOMLKit keeps no positions).
/// Understands `[table]` headers, `a.b = ` dotted keys and inline tables (`a = { b = 1 }`,
/// reported at the line of `a`).
struct KeyLines {
    private var entries: [(path: [String], line: Int)] = []

    init(_ text: String) {
        var table: [String] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(raw)
            while line.first == " " || line.first == "\t" { line.removeFirst() }
            if line.isEmpty || line.first == "#" { continue }
            if line.first == "[" {
                let inner = line.drop { $0 == "[" }.prefix { $0 != "]" }
                table = inner.split(separator: ".").map { KeyLines.clean($0) }
                entries.append((table, n + 1))
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].split(separator: ".").map { KeyLines.clean($0) }
            entries.append((table + key, n + 1))
        }
    }

    static func clean(_ s: Substring) -> String {
        var t = s
        while t.first == " " || t.first == "\"" || t.first == "'" { t.removeFirst() }
        while t.last == " " || t.last == "\"" || t.last == "'" { t.removeLast() }
        return String(t)
    }

    /// The line of `key` (dotted), else of its nearest written ancestor.
    func line(of key: String) -> Int? {
        let path = key.split(separator: ".").map(String.init)
        var best: (len: Int, line: Int)?
        for e in entries where e.path.count <= path.count && Array(path.prefix(e.path.count)) == e.path {
            if best == nil || e.path.count > best!.len { best = (e.path.count, e.line) }
        }
        return best?.line
    }
}
