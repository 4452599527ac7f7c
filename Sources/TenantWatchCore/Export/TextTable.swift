/// Fixed-width text tables for people (`scan --format table`, `incidents`): every column as wide
/// as its widest cell up to a cap, the last column takes what is left of the terminal and is cut
/// with `…`. Cells must already be one-line, sanitized text.
public enum TextTable {
    public static func render(headers: [String], rows: [[String]], width: Int, columnCap: Int = 40) -> String {
        var widths = headers.map(\.count)
        for r in rows {
            for (i, c) in r.enumerated() where i < headers.count - 1 { widths[i] = max(widths[i], min(c.count, columnCap)) }
        }
        let fixed = widths.dropLast().reduce(0, +) + 2 * (headers.count - 1)
        let last = max(20, width - fixed)
        func line(_ cells: [String]) -> String {
            var s = ""
            for (i, c) in cells.enumerated() {
                let w = i == cells.count - 1 ? last : widths[i]
                var cell = c.count > w ? String(c.prefix(max(w - 1, 0))) + "…" : c
                if i < cells.count - 1 { cell += String(repeating: " ", count: max(0, w - cell.count)) + "  " }
                s += cell
            }
            return s
        }
        var out = line(headers) + "\n"
        for r in rows { out += line(r) + "\n" }
        return out
    }
}
