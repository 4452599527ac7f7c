import TenantWatchCore

/// One terminal cell: the scalar(s) it shows, how many columns they take, and their role.
///
/// A wide character occupies its cell (width 2) and the next one, which is a continuation
/// (width 0, empty text). Combining marks are appended to the text of the cell before them.
public struct Cell: Equatable, Sendable {
    public var text: String
    public var width: UInt8
    public var role: StyleRole

    public static let blank = Cell(text: " ", width: 1, role: .text)
    public static func continuation(_ role: StyleRole) -> Cell { Cell(text: "", width: 0, role: role) }

    public init(text: String, width: UInt8, role: StyleRole) {
        self.text = text
        self.width = width
        self.role = role
    }
}

/// A screen as data: `width` × `height` cells. Views draw into it; the ncurses backend copies it
/// out; tests read `text`.
public struct CellGrid: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Fills a row span with blanks of `role` (for bars and selection highlights).
    public mutating func fill(row y: Int, from x0: Int = 0, to x1: Int? = nil, role: StyleRole) {
        guard y >= 0, y < height else { return }
        let end = min(width, x1 ?? width)
        var x = max(0, x0)
        // A wide character cut by either end of the span loses its other half too.
        if x < end { clearWide(at: x, y: y) }
        if end - 1 >= x { clearWide(at: end - 1, y: y) }
        while x < end {
            cells[y * width + x] = Cell(text: " ", width: 1, role: role)
            x += 1
        }
    }

    /// Writes `s` at (`x`, `y`), clipped at `limit` (default: the right edge). Controls are shown
    /// escaped (`\x1b`): nothing written here can ever reach the terminal as a control sequence.
    /// A wide character that does not fit entirely is replaced by spaces, never split.
    /// Returns the column after the last one written.
    @discardableResult
    public mutating func put(_ s: String, x: Int, y: Int, role: StyleRole, limit: Int? = nil) -> Int {
        guard y >= 0, y < height else { return x }
        let end = min(width, limit ?? width)
        var col = x
        var lastCell = -1
        for scalar in s.unicodeScalars {
            if let escaped = TextSanitizer.escaped(scalar) {
                for e in escaped.unicodeScalars {
                    guard col < end else { return col }
                    if col >= 0 { cells[y * width + col] = Cell(text: String(e), width: 1, role: role); lastCell = col }
                    col += 1
                }
                continue
            }
            let w = DisplayWidth.of(scalar)
            if w == 0 {
                if lastCell >= 0 { cells[y * width + lastCell].text.unicodeScalars.append(scalar) }
                continue
            }
            if col + w > end {
                // Never split a wide character at the edge: blank what is left.
                while col < end { if col >= 0 { cells[y * width + col] = Cell(text: " ", width: 1, role: role) }; col += 1 }
                return col
            }
            if col >= 0 {
                clearWide(at: col, y: y)
                cells[y * width + col] = Cell(text: String(scalar), width: UInt8(w), role: role)
                if w == 2 {
                    clearWide(at: col + 1, y: y)
                    cells[y * width + col + 1] = .continuation(role)
                }
                lastCell = col
            }
            col += w
        }
        return col
    }

    /// Overwriting half of a wide character blanks its other half.
    private mutating func clearWide(at x: Int, y: Int) {
        let i = y * width + x
        let c = cells[i]
        if c.width == 0, x > 0 { cells[i - 1] = Cell(text: " ", width: 1, role: cells[i - 1].role) }
        if c.width == 2, x + 1 < width { cells[i + 1] = Cell(text: " ", width: 1, role: c.role) }
    }

    /// Changes the role of a span without touching its text (selection, search matches).
    public mutating func restyle(row y: Int, from x0: Int, to x1: Int, role: StyleRole) {
        guard y >= 0, y < height else { return }
        for x in max(0, x0)..<min(width, max(x0, x1)) { cells[y * width + x].role = role }
    }

    /// One row as text (continuations skipped), trailing spaces kept.
    public func line(_ y: Int) -> String {
        var s = ""
        for x in 0..<width {
            let c = cells[y * width + x]
            if c.width == 0 { continue }
            s += c.text
        }
        return s
    }

    /// The screen as text, one line per row with trailing spaces removed: what golden tests compare.
    public var text: String {
        (0..<height).map { y -> String in
            var l = line(y)
            while l.hasSuffix(" ") { l.removeLast() }
            return l
        }.joined(separator: "\n")
    }

    /// Runs of cells of one role in row `y`: what the backend draws with one attribute change.
    public func runs(row y: Int) -> [(x: Int, role: StyleRole, text: String)] {
        var out: [(x: Int, role: StyleRole, text: String)] = []
        var x = 0
        while x < width {
            let start = x
            let role = cells[y * width + x].role
            var s = ""
            while x < width, cells[y * width + x].role == role {
                s += cells[y * width + x].text
                x += 1
            }
            out.append((start, role, s))
        }
        return out
    }
}
