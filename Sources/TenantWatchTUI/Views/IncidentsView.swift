import Foundation
import TenantWatchCore

/// The incidents list: severity, id, kind, caller → exposed, first/last seen, count, state.
enum IncidentsView {
    /// Column widths. Tenants and ids are what an incident call asks about: they get their full
    /// width first. When the row is short of room the kind gives way first (cut, then left out),
    /// then the FIRST column; tenants are cut only when even that is not enough. What is left
    /// on a wide screen goes to a WHERE column (application, tables, route). A width of 0 is a
    /// column left out.
    struct Columns {
        var severity = 4, id: Int, kind = 0, tenants: Int, first: Int, time: Int, count = 6, state = 8, place = 0
        init(width: Int, idWidth: Int = 8, tenantsWidth: Int = 24, placeWidth: Int = 0) {
            id = max(8, idWidth)
            time = width >= 120 ? 14 : 8
            first = time
            // Always there: " SEV ID TENANTS LAST COUNT STATE".
            let fixed = 1 + severity + 1 + id + 1 + 1 + time + 1 + count + 1 + state
            tenants = max(4, tenantsWidth)
            var left = width - fixed - tenants
            if left >= first + 1 { left -= first + 1 } else { first = 0 }
            if left >= 7 { kind = min(28, left - 1); left -= kind + 1 }
            if left < 0 { tenants = max(4, tenants + left); left = 0 }
            if placeWidth > 0 && left >= 13 { place = left - 1 } else { tenants += left }
        }

        /// Widths for the rows on screen.
        init(width: Int, rows: ArraySlice<IncidentSummary>) {
            self.init(width: width,
                      idWidth: rows.map { DisplayWidth.of($0.id) }.max() ?? 8,
                      tenantsWidth: rows.map { DisplayWidth.of(IncidentsView.tenantsLabel($0)) }.max() ?? 24,
                      placeWidth: rows.map { DisplayWidth.of(IncidentsView.placeLabel($0)) }.max() ?? 0)
        }
    }

    /// `app · tables · route` for the wide layout's WHERE column.
    static func placeLabel(_ i: IncidentSummary) -> String {
        var parts: [String] = []
        if !i.applications.isEmpty { parts.append(i.applications.joined(separator: ",")) }
        if !i.tables.isEmpty { parts.append(i.tables.joined(separator: ",")) }
        if !i.routes.isEmpty { parts.append(i.routes.joined(separator: ",")) }
        return parts.joined(separator: " · ")
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

    /// The row's text and every evidence field (request id, trace, cache key, table,
    /// application, route, statement), one per line: what `/` searches.
    static func searchText(_ i: IncidentSummary) -> String {
        "\(i.id) \(i.severity.rawValue) \(i.kinds.map(\.rawValue).joined(separator: " ")) \(tenantsLabel(i)) \(i.state.rawValue)\n"
            + i.evidence
    }

    static func draw(_ snap: DashboardSnapshot, _ state: UIState, layout: Layout, into g: inout CellGrid) {
        let w = g.width
        let list = visible(snap, state)
        let focused = state.focus == .incidents
        // Title bar.
        let titleRow = layout.incidentsTop
        guard layout.incidentsHeight > 0 else { return }
        g.fill(row: titleRow, role: .border)
        let count = list.count == snap.incidents.count ? "\(list.count)" : "\(list.count) of \(snap.incidents.count)"
        var x = g.put(focused ? "▶ " : "  ", x: 0, y: titleRow, role: focused ? .title : .border)
        x = g.put("Incidents (\(count))", x: x, y: titleRow, role: focused ? .title : .border)
        var notes: [String] = []
        if state.sort != .lastSeen { notes.append("by \(state.sort.rawValue)") }
        if state.hideResolved { notes.append("resolved hidden") }
        if !notes.isEmpty { x = g.put("  " + notes.joined(separator: ", "), x: x, y: titleRow, role: .border) }
        _ = x
        var listTop = titleRow + 1
        var headsRow: Int?
        if layout.incidentColumnHeads && layout.incidentsHeight > 2 {
            headsRow = listTop
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
        let c = Columns(width: w, rows: list[top..<min(list.count, top + rows)])
        if let headsRow = headsRow {
            var heads = " " + DisplayWidth.pad("SEV", to: c.severity) + " " + DisplayWidth.pad("ID", to: c.id) + " "
                + (c.kind > 0 ? DisplayWidth.pad("KIND", to: c.kind) + " " : "") + DisplayWidth.pad("CALLER → EXPOSED", to: c.tenants) + " "
                + (c.first > 0 ? DisplayWidth.pad("FIRST", to: c.first) + " " : "") + DisplayWidth.pad("LAST", to: c.time) + " "
                + DisplayWidth.padLeft("COUNT", to: c.count) + " " + DisplayWidth.pad("STATE", to: c.state)
            if c.place > 0 { heads += " WHERE (app · tables · route)" }
            g.put(heads, x: 0, y: headsRow, role: .dim, limit: w)
        }
        for r in 0..<rows {
            let i = top + r
            guard i < list.count else { break }
            let y = listTop + r
            drawRow(list[i], c: c, y: y, selected: i == cur && focused, now: snap.now, into: &g)
            if i == cur && !focused { g.put("›", x: 0, y: y, role: .title) }
            if !state.search.isEmpty { SearchHighlight.apply(state.search, row: y, in: &g) }
        }
    }

    /// With `now` the LAST column says how long ago (`● 12s ago` while active, plain when quiet).
    static func drawRow(_ inc: IncidentSummary, c: Columns, y: Int, selected: Bool, now: Timestamp? = nil,
                        into g: inout CellGrid) {
        let sevRole = StyleRole.severity(inc.severity)
        let dimmed = inc.state == .resolved
        var x = g.put(" ", x: 0, y: y, role: .text)
        x = g.put(DisplayWidth.pad(Format.severity(inc.severity), to: c.severity), x: x, y: y, role: dimmed ? .dim : sevRole)
        x = g.put(" " + DisplayWidth.pad(inc.id, to: c.id), x: x, y: y, role: dimmed ? .dim : .text)
        if c.kind > 0 { x = g.put(" " + DisplayWidth.pad(kindLabel(inc), to: c.kind), x: x, y: y, role: dimmed ? .dim : .text) }
        x = g.put(" ", x: x, y: y, role: .text)
        let callerW = DisplayWidth.of(inc.caller ?? "?")
        let label = DisplayWidth.pad(tenantsLabel(inc), to: c.tenants)
        x = g.put(label, x: x, y: y, role: dimmed ? .dim : .tenantBadge)
        if !dimmed { g.restyle(row: y, from: x - c.tenants + min(callerW, c.tenants), to: x, role: .leak) }
        let time = c.time >= 14 ? Format.dayClock : { Format.clock($0, millis: false) }
        if c.first > 0 { x = g.put(" " + DisplayWidth.pad(time(inc.firstSeen), to: c.first), x: x, y: y, role: .dim) }
        if let now {
            let active = Format.isActive(inc.lastSeen, now: now)
            let text = (active ? "● " : "  ") + Format.ago(inc.lastSeen, now: now)
            x = g.put(" " + DisplayWidth.pad(text, to: c.time), x: x, y: y, role: active && !dimmed ? .statusError : .dim)
        } else {
            x = g.put(" " + DisplayWidth.pad(time(inc.lastSeen), to: c.time), x: x, y: y, role: .text)
        }
        x = g.put(" " + DisplayWidth.padLeft("\(inc.count)", to: c.count), x: x, y: y, role: .text)
        let stRole: StyleRole = inc.state == .open ? .statusError : inc.state == .acknowledged ? .statusWarn : .statusOK
        x = g.put(" " + DisplayWidth.pad(Format.state(inc.state), to: c.state), x: x, y: y, role: stRole)
        if c.place > 0 { g.put(" " + DisplayWidth.truncate(placeLabel(inc), to: c.place), x: x, y: y, role: dimmed ? .dim : .text) }
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

extension IncidentsView {
    /// The list as the user sees it: filtered, resolved hidden on `h`, in the chosen order.
    /// Key handling and drawing both use it, so the cursor row is the row drawn.
    static func visible(_ snap: DashboardSnapshot, _ state: UIState) -> [IncidentSummary] {
        if state.filters.isEmpty && !state.hideResolved && state.sort == .lastSeen { return snap.incidents }
        return VisibleListCache.shared.list(snap.incidents, state) {
            var list = snap.incidents
            if !state.filters.isEmpty { list = list.filter { state.filters.matches($0) } }
            if state.hideResolved { list = list.filter { $0.state != .resolved } }
            return sorted(list, by: state.sort)
        }
    }

    /// Sorted by integer keys and then gathered: moving 50k summaries (strings, arrays) through
    /// a sort costs far more than moving their keys.
    static func sorted(_ list: [IncidentSummary], by sort: UIState.Sort) -> [IncidentSummary] {
        // The host's own order: newest activity first (the live feed sorts by last seen).
        if sort == .lastSeen { return list }
        var keys: [(Int64, Int64, Int)] = []
        keys.reserveCapacity(list.count)
        for (i, inc) in list.enumerated() {
            let last = inc.lastSeen?.microseconds ?? .min
            switch sort {
            case .lastSeen: keys.append((last, 0, i))
            case .firstSeen: keys.append((inc.firstSeen?.microseconds ?? .min, last, i))
            case .severity: keys.append((Int64(Severity.allCases.firstIndex(of: inc.severity) ?? 0), last, i))
            case .count: keys.append((Int64(inc.count), last, i))
            }
        }
        keys.sort { a, b in
            if a.0 != b.0 { return a.0 > b.0 }
            if a.1 != b.1 { return a.1 > b.1 }
            return list[a.2].id < list[b.2].id
        }
        return keys.map { list[$0.2] }
    }

}

/// The last filtered and sorted list, reused while the host's list and the view settings are
/// the same: 50k incidents sorted ten times a second (and on every key) cost a frame budget each
/// time; the host hands a new list at most twice a second. Main thread in practice; locked
/// because tests run in parallel.
final class VisibleListCache: @unchecked Sendable {
    static let shared = VisibleListCache()
    private let lock = NSLock()
    /// Held, so its buffer (compared by address) cannot be freed and reused by another list.
    private var source: [IncidentSummary] = []
    private var settings: (Filters, UIState.Sort, Bool)?
    private var result: [IncidentSummary] = []

    func list(_ incidents: [IncidentSummary], _ state: UIState, compute: () -> [IncidentSummary]) -> [IncidentSummary] {
        lock.lock()
        defer { lock.unlock() }
        let same = incidents.count == source.count
            && incidents.withUnsafeBufferPointer { a in source.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress } }
        if same, let (f, sort, hide) = settings, f == state.filters, sort == state.sort, hide == state.hideResolved {
            return result
        }
        result = compute()
        source = incidents
        settings = (state.filters, state.sort, state.hideResolved)
        return result
    }
}
