import TenantWatchCore

/// The incidents list: severity, id, kind, caller → exposed, first/last seen, count, state.
enum IncidentsView {
    struct Columns {
        var severity = 4, id = 8, kind: Int, tenants: Int, time: Int, count = 6, state = 8
        init(width: Int) {
            time = width >= 120 ? 14 : 8
            let fixed = 1 + severity + 1 + id + 1 + 1 + 1 + time + 1 + time + 1 + count + 1 + state
            let flex = max(8, width - fixed)
            kind = min(28, max(8, flex / 2))
            tenants = min(48, max(4, flex - kind))
        }
    }

    static func cursorIndex(_ s: UIState, _ list: [IncidentSummary]) -> Int {
        guard !list.isEmpty else { return 0 }
        if let id = s.incidentCursor, let i = list.firstIndex(where: { $0.id == id }) { return i }
        return 0
    }

    static func kindLabel(_ i: IncidentSummary) -> String {
        guard let first = i.kinds.first else { return "-" }
        return first.rawValue + (i.kinds.count > 1 ? " +\(i.kinds.count - 1)" : "")
    }

    static func tenantsLabel(_ i: IncidentSummary) -> String {
        "\(i.caller ?? "?") → \(i.exposed.isEmpty ? "?" : i.exposed.joined(separator: ","))"
    }

    static func searchText(_ i: IncidentSummary) -> String {
        "\(i.id) \(i.severity.rawValue) \(i.kinds.map(\.rawValue).joined(separator: " ")) \(tenantsLabel(i)) \(i.state.rawValue)"
    }

    static func draw(_ snap: DashboardSnapshot, _ state: UIState, layout: Layout, into g: inout CellGrid) {
        let w = g.width
        let list = state.filters.isEmpty ? snap.incidents : snap.incidents.filter { state.filters.matches($0) }
        let focused = state.focus == .incidents
        // Title bar.
        let titleRow = layout.incidentsTop
        guard layout.incidentsHeight > 0 else { return }
        g.fill(row: titleRow, role: .border)
        let count = list.count == snap.incidents.count ? "\(list.count)" : "\(list.count) of \(snap.incidents.count)"
        var x = g.put(focused ? "▶ " : "  ", x: 0, y: titleRow, role: focused ? .title : .border)
        x = g.put("Incidents (\(count))", x: x, y: titleRow, role: focused ? .title : .border)
        let c = Columns(width: w)
        let heads = " " + DisplayWidth.pad("SEV", to: c.severity) + " " + DisplayWidth.pad("ID", to: c.id) + " "
            + DisplayWidth.pad("KIND", to: c.kind) + " " + DisplayWidth.pad("CALLER → EXPOSED", to: c.tenants) + " "
            + DisplayWidth.pad("FIRST", to: c.time) + " " + DisplayWidth.pad("LAST", to: c.time) + " "
            + DisplayWidth.padLeft("COUNT", to: c.count) + " " + "STATE"
        _ = x
        var listTop = titleRow + 1
        if layout.incidentColumnHeads && layout.incidentsHeight > 2 {
            g.put(heads, x: 0, y: listTop, role: .dim, limit: w)
            listTop += 1
        }

        let rows = layout.incidentListRows
        guard rows > 0 else { return }
        if list.isEmpty {
            g.put(snap.incidents.isEmpty ? "  no incidents yet" : "  no incidents match the filter", x: 0, y: listTop, role: .dim)
            return
        }
        let cur = cursorIndex(state, list)
        let cursorRow = min(state.incidentCursorRow, rows - 1, cur)
        var top = max(0, cur - cursorRow)
        top = min(top, max(0, list.count - rows))
        if cur < top { top = cur }
        for r in 0..<rows {
            let i = top + r
            guard i < list.count else { break }
            let y = listTop + r
            drawRow(list[i], c: c, y: y, selected: i == cur && focused, into: &g)
            if i == cur && !focused { g.put("›", x: 0, y: y, role: .title) }
            if !state.search.isEmpty { SearchHighlight.apply(state.search, row: y, in: &g) }
        }
    }

    static func drawRow(_ inc: IncidentSummary, c: Columns, y: Int, selected: Bool, into g: inout CellGrid) {
        let sevRole = StyleRole.severity(inc.severity)
        let dimmed = inc.state == .resolved
        var x = g.put(" ", x: 0, y: y, role: .text)
        x = g.put(DisplayWidth.pad(Format.severity(inc.severity), to: c.severity), x: x, y: y, role: dimmed ? .dim : sevRole)
        x = g.put(" " + DisplayWidth.pad(inc.id, to: c.id), x: x, y: y, role: dimmed ? .dim : .text)
        x = g.put(" " + DisplayWidth.pad(kindLabel(inc), to: c.kind), x: x, y: y, role: dimmed ? .dim : .text)
        x = g.put(" ", x: x, y: y, role: .text)
        let callerW = DisplayWidth.of(inc.caller ?? "?")
        let label = DisplayWidth.pad(tenantsLabel(inc), to: c.tenants)
        x = g.put(label, x: x, y: y, role: dimmed ? .dim : .tenantBadge)
        if !dimmed { g.restyle(row: y, from: x - c.tenants + min(callerW, c.tenants), to: x, role: .leak) }
        let time = c.time >= 14 ? Format.dayClock : { Format.clock($0, millis: false) }
        x = g.put(" " + DisplayWidth.pad(time(inc.firstSeen), to: c.time), x: x, y: y, role: .dim)
        x = g.put(" " + DisplayWidth.pad(time(inc.lastSeen), to: c.time), x: x, y: y, role: .text)
        x = g.put(" " + DisplayWidth.padLeft("\(inc.count)", to: c.count), x: x, y: y, role: .text)
        let stRole: StyleRole = inc.state == .open ? .statusError : inc.state == .acknowledged ? .statusWarn : .statusOK
        g.put(" " + Format.state(inc.state), x: x, y: y, role: stRole)
        if selected { g.restyle(row: y, from: 0, to: g.width, role: .selected) }
    }
}

/// Restyles occurrences of the search text in one row.
enum SearchHighlight {
    static func apply(_ needle: String, row y: Int, in g: inout CellGrid) {
        let n = Array(needle.lowercased().unicodeScalars)
        guard !n.isEmpty else { return }
        // Column of each cell's first scalar.
        var cols: [Int] = []
        var scalars: [Unicode.Scalar] = []
        for x in 0..<g.width {
            let c = g[x, y]
            if c.width == 0 { continue }
            for s in c.text.lowercased().unicodeScalars { scalars.append(s); cols.append(x) }
        }
        var i = 0
        while i + n.count <= scalars.count {
            if Array(scalars[i..<(i + n.count)]) == n {
                let from = cols[i], to = cols[i + n.count - 1] + Int(max(1, g[cols[i + n.count - 1], y].width))
                g.restyle(row: y, from: from, to: to, role: .searchMatch)
                i += n.count
            } else {
                i += 1
            }
        }
    }
}
