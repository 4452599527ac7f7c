/// Makes logged text safe to show to a person.
///
/// Log values are attacker-controlled (a query string, a header, an application name): an
/// escape sequence in them must be shown, never interpreted by the terminal.
public enum TextSanitizer {
    /// Control characters and bidi controls become visible escapes (`\x1b`, `\u202e`), newlines and
    /// tabs become spaces.
    public static func oneLine(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var lastWasSpace = false
        for scalar in s.unicodeScalars {
            if scalar == "\n" || scalar == "\r" || scalar == "\t" || scalar == " " {
                if !lastWasSpace { out += " " }
                lastWasSpace = true
                continue
            }
            lastWasSpace = false
            if let shown = escaped(scalar) { out += shown } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    /// Like `oneLine`, but newlines stay (a multi-line document such as `report.md`): every other
    /// control character and every bidi control becomes its visible escape.
    public static func keepingLines(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            if scalar != "\n", scalar != "\t", let shown = escaped(scalar) { out += shown } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    /// The visible form of a scalar a terminal (or a browser) would act on instead of showing:
    /// C0 and C1 controls and DEL as `\x1b`, bidi controls as `\u202e`; nil for any other scalar.
    ///
    /// Bidi overrides and isolates reorder what is displayed after them (a "Trojan Source"
    /// attack: `gnp.exe` shown as `exe.png`), so a logged value must not carry them unseen.
    @inline(__always)
    public static func escaped(_ scalar: Unicode.Scalar) -> String? {
        let v = scalar.value
        if v < 0x20 || v == 0x7F || (v >= 0x80 && v < 0xA0) {
            let hex = String(v, radix: 16)
            return "\\x" + (hex.count < 2 ? "0" + hex : hex)
        }
        if isBidiControl(v) { return "\\u" + String(v, radix: 16) }
        return nil
    }

    /// ALM, LRM, RLM, the embeddings and overrides (U+202A–U+202E) and the isolates (U+2066–U+2069).
    @inline(__always)
    public static func isBidiControl(_ v: UInt32) -> Bool {
        v == 0x061C || v == 0x200E || v == 0x200F || (v >= 0x202A && v <= 0x202E) || (v >= 0x2066 && v <= 0x2069)
    }

    /// A tenant id made safe as part of a file name (letters, digits, `-`, `_`, `.`; others `_`).
    public static func fileName(_ s: String) -> String {
        let mapped = s.unicodeScalars.map { c -> Character in
            c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "-" || c == "_" || c == "." ? Character(c) : "_"
        }
        let name = String(mapped).trimmingPrefixDots()
        return name.isEmpty ? "_" : String(name.prefix(100))
    }
}

private extension String {
    func trimmingPrefixDots() -> String { String(drop { $0 == "." }) }
}
