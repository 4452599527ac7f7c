/// The `?` overlay: every key and every marker, in a box centred on the screen (two columns
/// when one does not fit the height).
enum HelpView {
    static let entries: [(String, String)] = [
        ("↑ ↓  j k", "move"),
        ("PgUp PgDn", "page (also Ctrl-B Ctrl-F Ctrl-U Ctrl-D)"),
        ("g G", "first / last (G follows the stream)"),
        ("Tab", "switch pane: incidents ↔ stream"),
        ("Enter → l", "open the incident (on a stream row: its incident)"),
        ("Esc q ← h", "back; q on the dashboard quits; Esc clears"),
        ("space", "pause the stream (replay: pause)"),
        ("+ -", "replay speed"),
        ("/ n N", "search (regex allowed), next, previous"),
        ("f", "filter: tenant= kind= severity= source="),
        ("", "  state= table= app= since=30m, or a view name"),
        ("F s", "clear filters; step the minimum severity"),
        ("o", "sort: last seen, first seen, severity, count"),
        ("h", "hide / show resolved incidents"),
        ("E", "exposure: caller tenant × exposed tenant"),
        ("a r u", "acknowledge, resolve (y confirms critical), reopen"),
        ("m", "add a note (internal; Tab: customer-visible)"),
        ("x e", "export evidence bundles (one per exposed tenant)"),
        ("c C", "copy the incident id; C: its statement (OSC 52)"),
        ("Ctrl-C", "quit"),
        ("?", "close this help"),
        ("!X", "stream: a cross-tenant statement or response"),
        ("!U", "stream: unscoped statement or cache key"),
        ("!", "stream: another finding on this event"),
        ("▶ ›", "the focused pane; the selection in the other"),
        ("CRIT HIGH", "severity (MED LOW INFO); resolved rows dimmed"),
    ]

    static let keyW = 11

    /// Entries that fit: all of them, or (one column on a small screen) those from `scroll`.
    static func columns(width: Int, layout: Layout) -> Int {
        let room = layout.bodyHeight - 2
        let colW = keyW + 1 + (entries.map { DisplayWidth.of($0.1) }.max() ?? 20)
        return entries.count <= room || 2 * colW + 6 > width - 2 ? 1 : 2
    }

    /// How far `j`/`↓` can scroll a one-column help that does not fit.
    static func maxScroll(size: Size) -> Int {
        let layout = Layout(size)
        guard columns(width: size.width, layout: layout) == 1 else { return 0 }
        return max(0, entries.count - (layout.bodyHeight - 2))
    }

    static func draw(into g: inout CellGrid, layout: Layout, scroll: Int = 0) {
        let textW = entries.map { DisplayWidth.of($0.1) }.max() ?? 20
        let colW = keyW + 1 + textW
        let columns = columns(width: g.width, layout: layout)
        let first = columns == 1 ? min(max(0, scroll), maxScroll(size: layout.size)) : 0
        let entries = Array(HelpView.entries[first...])
        let perColumn = (entries.count + columns - 1) / columns
        let boxW = min(g.width - 2, columns * colW + (columns - 1) * 2 + 4)
        // Within the body: the status line below stays visible (and does not hide the border).
        let boxH = min(layout.bodyHeight, perColumn + 2)
        guard boxW > 10, boxH > 3 else { return }
        let x0 = max(0, (g.width - boxW) / 2)
        let y0 = max(layout.tabRow, layout.bodyTop + (layout.bodyHeight - boxH) / 2)
        for y in y0..<(y0 + boxH) { g.fill(row: y, from: x0, to: x0 + boxW, role: .text) }
        let horizontal = String(repeating: "─", count: boxW - 2)
        g.put("┌" + horizontal + "┐", x: x0, y: y0, role: .border)
        g.put(" Keys and markers ", x: x0 + 2, y: y0, role: .title)
        for y in (y0 + 1)..<(y0 + boxH - 1) {
            g.put("│", x: x0, y: y, role: .border)
            g.put("│", x: x0 + boxW - 1, y: y, role: .border)
        }
        g.put("└" + horizontal + "┘", x: x0, y: y0 + boxH - 1, role: .border)
        if entries.count > boxH - 2 { g.put(" ↓ j for more ", x: x0 + 2, y: y0 + boxH - 1, role: .title) }
        if first > 0 { g.put(" ↑ k ", x: x0 + boxW - 8, y: y0, role: .title) }
        let limit = x0 + boxW - 1
        for (i, e) in entries.enumerated() {
            let column = i / perColumn
            let y = y0 + 1 + i % perColumn
            guard y < y0 + boxH - 1 else { continue }
            let x = x0 + 2 + column * (colW + 2)
            guard x < limit else { continue }
            let role: StyleRole = e.0.hasPrefix("!") ? .leak : .key
            g.put(DisplayWidth.pad(e.0, to: keyW), x: x, y: y, role: role, limit: limit)
            g.put(e.1, x: x + keyW + 1, y: y, role: .text, limit: min(limit, x + colW))
        }
    }
}
