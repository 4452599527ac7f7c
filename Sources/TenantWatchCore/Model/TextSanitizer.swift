/// Makes logged text safe to show to a person.
///
/// Log values are attacker-controlled (a query string, a header, an application name): an
/// escape sequence in them must be shown, never interpreted by the terminal.
public enum TextSanitizer {
    /// Control characters become visible escapes (`\x1b`), newlines and tabs become spaces.
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
            if scalar.value < 0x20 || scalar.value == 0x7F || (scalar.value >= 0x80 && scalar.value < 0xA0) {
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
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
