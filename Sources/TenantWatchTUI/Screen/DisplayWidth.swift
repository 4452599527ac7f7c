#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNCurses

/// Terminal column widths, measured per Unicode scalar with the C library's `wcwidth`:
/// never bytes, never `Character`s. Emoji and CJK take 2 columns, combining marks 0.
public enum DisplayWidth {
    /// `wcwidth` answers by the locale's character type; under the "C" locale every non-ASCII
    /// scalar is -1. Switch LC_CTYPE to a UTF-8 locale once when the current one is not.
    private static let ready: Bool = {
        if tw_wcwidth(0x4E00) != 2 {
            if setlocale(LC_CTYPE, "C.UTF-8") == nil { _ = setlocale(LC_CTYPE, "en_US.UTF-8") }
        }
        return true
    }()

    /// Columns for one scalar: 0 (combining, zero-width), 1 or 2. Controls count 1 because the
    /// grid shows them escaped; unassigned scalars also count 1.
    @inline(__always)
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v >= 0x20 && v < 0x7F { return 1 }
        if v < 0x20 || v == 0x7F { return 1 }
        _ = ready
        // Emoji pictographs are wide in every modern terminal even where libc lags behind.
        if (v >= 0x1F300 && v <= 0x1F64F) || (v >= 0x1F900 && v <= 0x1F9FF) { return 2 }
        if v == 0x200D || (v >= 0xFE00 && v <= 0xFE0F) { return 0 }
        let w = tw_wcwidth(v)
        if w < 0 { return 1 }
        return Int(w)
    }

    /// Columns of a whole string (sum over its scalars).
    public static func of(_ s: String) -> Int {
        var n = 0
        for scalar in s.unicodeScalars { n += of(scalar) }
        return n
    }

    /// The longest prefix of `s` that fits in `columns`, with "…" when cut (when `ellipsis`).
    /// A wide character that would straddle the edge is left out, never split.
    public static func truncate(_ s: String, to columns: Int, ellipsis: Bool = true) -> String {
        guard columns > 0 else { return "" }
        if of(s) <= columns { return s }
        let room = ellipsis ? columns - 1 : columns
        var out = String.UnicodeScalarView()
        var used = 0
        for scalar in s.unicodeScalars {
            let w = of(scalar)
            if used + w > room { break }
            out.append(scalar)
            used += w
        }
        return String(out) + (ellipsis ? "…" : "")
    }

    /// `s` padded with spaces (or cut) to exactly `columns`.
    public static func pad(_ s: String, to columns: Int) -> String {
        let t = truncate(s, to: columns)
        let w = of(t)
        return w < columns ? t + String(repeating: " ", count: columns - w) : t
    }

    /// `s` right-aligned in `columns`.
    public static func padLeft(_ s: String, to columns: Int) -> String {
        let t = truncate(s, to: columns)
        let w = of(t)
        return w < columns ? String(repeating: " ", count: columns - w) + t : t
    }
}
