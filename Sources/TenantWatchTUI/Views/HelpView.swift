/// The `?` overlay: every key, in a box centred on the screen.
enum HelpView {
    static let entries: [(String, String)] = [
        ("↑ ↓  j k", "move"),
        ("PgUp PgDn", "page (also Ctrl-B Ctrl-F)"),
        ("g G", "first / last (G follows the stream)"),
        ("Tab", "switch pane: incidents ↔ stream"),
        ("Enter", "open the incident"),
        ("Esc q", "back; q on the dashboard quits"),
        ("space", "pause the stream (replay: pause)"),
        ("+ -", "replay speed"),
        ("/ n N", "search, next, previous"),
        ("f F s", "filter (tenant= kind= severity= source=), clear, severity"),
        ("a r", "acknowledge, resolve the incident"),
        ("m", "add a note"),
        ("x", "export evidence bundles (one per exposed tenant)"),
        ("!X !U", "marks: cross-tenant, unscoped"),
        ("?", "close this help"),
    ]

    static func draw(into g: inout CellGrid, layout: Layout) {
        let keyW = 11
        let textW = entries.map { DisplayWidth.of($0.1) }.max() ?? 20
        let boxW = min(g.width - 2, keyW + textW + 5)
        let boxH = min(layout.bodyHeight + 1, entries.count + 3)
        guard boxW > 10, boxH > 3 else { return }
        let x0 = max(0, (g.width - boxW) / 2)
        let y0 = max(layout.tabRow, layout.bodyTop + (layout.bodyHeight - boxH) / 2)
        for y in y0..<(y0 + boxH) { g.fill(row: y, from: x0, to: x0 + boxW, role: .text) }
        let horizontal = String(repeating: "─", count: boxW - 2)
        g.put("┌" + horizontal + "┐", x: x0, y: y0, role: .border)
        g.put(" Keys ", x: x0 + 2, y: y0, role: .title)
        for y in (y0 + 1)..<(y0 + boxH - 1) {
            g.put("│", x: x0, y: y, role: .border)
            g.put("│", x: x0 + boxW - 1, y: y, role: .border)
        }
        g.put("└" + horizontal + "┘", x: x0, y: y0 + boxH - 1, role: .border)
        for (i, e) in entries.enumerated() {
            let y = y0 + 1 + i
            guard y < y0 + boxH - 1 else { break }
            g.put(DisplayWidth.pad(e.0, to: keyW), x: x0 + 2, y: y, role: .key, limit: x0 + boxW - 1)
            g.put(e.1, x: x0 + 2 + keyW + 1, y: y, role: .text, limit: x0 + boxW - 2)
        }
    }
}
