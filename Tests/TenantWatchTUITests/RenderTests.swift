import Foundation
import Testing
import TenantWatchCore
@testable import TenantWatchTUI

@Suite struct RenderGoldenTests {
    func screens() -> [(String, DashboardSnapshot, UIState)] {
        var detail = UIState()
        detail.screen = .detail(Fixtures.small.incidents[0].id)
        var help = UIState()
        help.helpVisible = true
        var streamFocus = UIState()
        streamFocus.focus = .stream
        streamFocus.filters = Filters(tenant: "acme")
        streamFocus.search = "invoices"
        var prompt = UIState()
        prompt.prompt = .search
        prompt.editor = LineEditor("globex")
        return [("dashboard", Fixtures.small, UIState()), ("replay", Fixtures.replay, UIState()),
                ("detail", Fixtures.small, detail), ("help", Fixtures.small, help),
                ("stream-filtered", Fixtures.small, streamFocus), ("prompt", Fixtures.small, prompt)]
    }

    @Test func goldenScreensAt160x45And80x24() {
        for (name, snap, state) in screens() {
            for size in [Fixtures.wide, Fixtures.narrow] {
                var s = state
                s.size = size
                let g = render(snap, s, size: size)
                #expect(Fixtures.columnsOK(g), "\(name) \(size.width)x\(size.height) has a row of the wrong width")
                Golden.check("\(name)-\(size.width)x\(size.height)", g.text)
            }
        }
    }

    @Test func findingsAndIncidentsAlwaysVisible() {
        for w in [20, 40, 80, 160] {
            for h in [6, 24, 45] {
                let g = render(Fixtures.replay, UIState(), size: Size(width: w, height: h))
                #expect(g.text.contains("findings: \(Fixtures.replay.counters.findings)"))
                #expect(g.text.contains("incidents: 12"), "\(w)x\(h)")
                #expect(Fixtures.columnsOK(g))
            }
        }
    }

    /// Issue 14: what left the correlation window unmatched is counted on screen.
    @Test func unmatchedCountIsShownOnlyWhenSomethingWasUnmatched() {
        var snap = Fixtures.replay
        #expect(!render(snap, UIState(), size: Fixtures.wide).text.contains("unmatched"))
        var statistics = IngestStatistics()
        statistics.unmatchedStatements = 3
        statistics.contradictedTies = 2
        snap.counters = Counters(statistics, eventsPerSecond: 1, findings: 1, incidents: 1)
        #expect(render(snap, UIState(), size: Fixtures.wide).text.contains("5 unmatched"))
    }

    @Test func emptySnapshotRenders() {
        let g = render(.empty, UIState(), size: Fixtures.narrow)
        #expect(g.text.contains("findings: 0"))
        #expect(g.text.contains("no incidents yet"))
        #expect(g.text.contains("waiting for events"))
    }

    @Test func leakRowsCarryMarkersAndRoles() {
        let g = render(Fixtures.small, UIState(), size: Fixtures.wide)
        let lines = g.text.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("!X") && $0.contains("caller=globex → initech") })
        #expect(lines.contains { $0.hasPrefix("!U") && $0.contains("SELECT * FROM invoices") })
        let y = (0..<g.height).first { g.line($0).hasPrefix("!U") }!
        #expect(g[0, y].role == .unscoped)
    }

    @Test func detailHighlightsTheWrongTenant() {
        var s = UIState()
        s.screen = .detail(Fixtures.small.incidents[0].id)
        let g = render(Fixtures.small, s, size: Fixtures.wide)
        let y = (0..<g.height).first { g.line($0).contains("WHERE i.tenant_id = 'globex'") }!
        let x = DisplayWidth.of(String(g.line(y).split(separator: "'")[0])) + 1
        #expect(g[x, y].role == .leakHighlight)
        #expect(g[x - 2, y].role == .text)
        #expect(g.text.contains("eyJhbG…x4Tc"))
        #expect(g.text.contains("export an evidence bundle"))
    }
}

@Suite struct WidthTests {
    @Test func widthsAreDisplayColumns() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("商事") == 4)
        #expect(DisplayWidth.of("🦄") == 2)
        #expect(DisplayWidth.of("e\u{301}") == 1) // combining acute
        #expect(DisplayWidth.of("ｙ") == 2) // fullwidth
    }

    @Test func wideCharactersNeverSplitAtTheEdge() {
        var g = CellGrid(width: 5, height: 1)
        g.put("ab商事", x: 0, y: 0, role: .text)
        #expect(g.line(0) == "ab商 ")
        #expect(DisplayWidth.of(g.line(0)) == 5)
        #expect(DisplayWidth.truncate("ab商事x", to: 5) == "ab商…")
        #expect(DisplayWidth.truncate("ab商事x", to: 4, ellipsis: false) == "ab商")
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var g = CellGrid(width: 6, height: 1)
        g.put("商事商", x: 0, y: 0, role: .text)
        g.put("x", x: 1, y: 0, role: .text)
        #expect(g.line(0) == " x事商")
        #expect(DisplayWidth.of(g.line(0)) == 6)
    }

    @Test func combiningMarksJoinTheirBase() {
        var g = CellGrid(width: 4, height: 1)
        g.put("e\u{301}x", x: 0, y: 0, role: .text)
        #expect(g[0, 0].text == "e\u{301}")
        #expect(g[1, 0].text == "x")
    }

    @Test func wideTenantsStayAligned() {
        // Incident rows with CJK and emoji tenants: every row keeps the same columns.
        let g = render(Fixtures.small, UIState(), size: Fixtures.wide)
        #expect(Fixtures.columnsOK(g))
        let rows = (0..<g.height).map(g.line).filter { $0.contains("INC-") }
        let stateColumns = Set(rows.map { row -> Int in
            let head = row.components(before: " open").map(DisplayWidth.of) ?? row.components(before: " ack'd").map(DisplayWidth.of)
                ?? DisplayWidth.of(row.components(before: " resolved") ?? "")
            return head
        })
        #expect(rows.contains { $0.contains("🦄corp") })
        #expect(rows.contains { $0.contains("ｙｏｋｏ商事") })
        #expect(stateColumns.count == 1, "state column drifts: \(stateColumns)")
    }

    @Test func escapeSequencesAreShownNotSent() {
        let evil = "SELECT 1 /* \u{1B}]0;pwned\u{07}\u{1B}[2J */ FROM t\u{9B}31m"
        let row = StreamRow(sequence: 1, time: nil, source: "pg.log", line: 1, kind: .statement, text: evil)
        let snap = DashboardSnapshot(stream: [row])
        let g = render(snap, UIState(), size: Fixtures.narrow)
        #expect(g.text.contains("\\x1b]0;pwned\\x07\\x1b[2J"))
        for c in g.cells {
            for s in c.text.unicodeScalars { #expect(s.value >= 0x20 && s.value != 0x7F && !(0x80..<0xA0).contains(s.value)) }
        }
        // Even text that bypassed the sanitizer is escaped by the grid itself.
        var grid = CellGrid(width: 20, height: 1)
        grid.put("a\u{1B}[31mb", x: 0, y: 0, role: .text)
        #expect(grid.line(0).hasPrefix("a\\x1b[31mb"))
    }

    /// A 4 MB statement (a hostile one, under the line cap) makes a row of bounded size: the
    /// stream's ring keeps 20,000 rows.
    @Test func hugeStatementsMakeBoundedRows() {
        let sql = "SELECT '" + String(repeating: "\u{1B}A", count: 2 << 20) + "' FROM invoices"
        let row = StreamRow(sequence: 1, event: .statement(StatementExecution(
            position: SourcePosition(file: "pg.log", line: 7), time: nil, backend: BackendID(pid: 1, sessionID: nil),
            sql: sql)))
        #expect(row.text.unicodeScalars.count <= 4 * StreamRow.maximumTextLength + 1)
        #expect(row.text.hasPrefix("SELECT '\\x1bA\\x1bA") && row.text.hasSuffix("…"))
        let short = StreamRow(sequence: 2, time: nil, source: "pg.log", line: 8, kind: .statement, text: "SELECT 1")
        #expect(short.text == "SELECT 1")
    }

    /// Bidi overrides and isolates reorder what a terminal shows after them ("Trojan Source"):
    /// the grid shows them as `\u202e`, never as the scalar itself.
    @Test func bidiControlsAreShownNotSent() {
        let evil = "invoice \u{202E}gnp.exe\u{2066}x\u{2069} \u{200F}"
        let row = StreamRow(sequence: 1, time: nil, source: "pg.log", line: 1, kind: .statement, text: evil)
        let g = render(DashboardSnapshot(stream: [row]), UIState(), size: Fixtures.narrow)
        #expect(g.text.contains("\\u202egnp.exe\\u2066x\\u2069"))
        var grid = CellGrid(width: 40, height: 1)
        grid.put("a\u{202E}b\u{61C}", x: 0, y: 0, role: .text)
        #expect(grid.line(0).hasPrefix("a\\u202eb\\u61c"))
        for c in g.cells + grid.cells {
            for s in c.text.unicodeScalars { #expect(!TextSanitizer.isBidiControl(s.value)) }
        }
    }
}

extension String {
    func components(before marker: String) -> String? {
        guard let r = range(of: marker) else { return nil }
        return String(self[..<r.lowerBound])
    }
}
