import TenantWatchCore

/// `E`: who saw whose data — one row per caller tenant × exposed tenant over the listed
/// incidents (the filters apply), with how many incidents and sightings and when it started and
/// last happened: the table a customer-notification decision needs. A statement or cache key
/// not confined to any tenant exposes "all tenants".
enum ExposureView {
    struct Pair: Equatable {
        var caller: String
        var exposed: String
        var incidents = 0
        var open = 0
        var occurrences = 0
        var first: Timestamp?
        var last: Timestamp?
    }

    static let allTenants = "all tenants"

    /// The pairs, most sightings first (ties: caller, then exposed): leaks only, or (`staff`)
    /// only the incidents that record privileged staff access (`privileged_access`), shown apart.
    static func pairs(_ list: [IncidentSummary], staff: Bool = false) -> [Pair] {
        var byKey: [String: Pair] = [:]
        for i in list where isStaffAccess(i) == staff {
            let unscoped = i.kinds.contains(.missingTenantPredicate) || i.kinds.contains(.unscopedCacheKey)
            let exposed = i.exposed.isEmpty ? [unscoped ? allTenants : "?"] : i.exposed
            let caller = i.caller ?? (staff ? "staff" : "?")
            for e in exposed {
                let key = caller + "\u{1F}" + e
                var p = byKey[key] ?? Pair(caller: caller, exposed: e)
                p.incidents += 1
                if i.state != .resolved { p.open += 1 }
                p.occurrences += i.count
                if let f = i.firstSeen, p.first.map({ f < $0 }) ?? true { p.first = f }
                if let l = i.lastSeen ?? i.firstSeen, p.last.map({ l > $0 }) ?? true { p.last = l }
                byKey[key] = p
            }
        }
        return byKey.values.sorted { a, b in
            if a.occurrences != b.occurrences { return a.occurrences > b.occurrences }
            return (a.caller, a.exposed) < (b.caller, b.exposed)
        }
    }

    static func draw(_ snap: DashboardSnapshot, _ state: UIState, layout: Layout, into g: inout CellGrid) {
        var filtered = state
        filtered.sort = .lastSeen
        let rows = lines(IncidentsView.visible(snap, filtered))
        let y0 = layout.bodyTop
        g.fill(row: y0, role: .border)
        let staffCount = rows.filter { if case .pair(_, true) = $0 { return true } else { return false } }.count
        let count = rows.filter { if case .pair(_, false) = $0 { return true } else { return false } }.count
        g.put("▶ Exposure: caller tenant → exposed tenant (\(count) pairs" + (staffCount > 0 ? ", \(staffCount) staff access" : "")
              + (state.filters.isEmpty ? ")" : ", filtered)"),
              x: 0, y: y0, role: .title)
        let tenantW = max(12, min(32, (g.width - 60) / 2))
        let wide = g.width >= 100
        let time: (Timestamp?) -> String = { wide ? Format.dayClock($0) : Format.clock($0, millis: false) }
        let timeW = g.width >= 100 ? 14 : 8
        let heads = " " + DisplayWidth.pad("CALLER", to: tenantW) + " " + DisplayWidth.pad("EXPOSED", to: tenantW) + " "
            + DisplayWidth.padLeft("INCIDENTS", to: 9) + " " + DisplayWidth.padLeft("OPEN", to: 5) + " "
            + DisplayWidth.padLeft("SEEN", to: 6) + " " + DisplayWidth.pad("FIRST", to: timeW) + " " + "LAST"
        g.put(heads, x: 0, y: y0 + 1, role: .dim, limit: g.width)
        let room = max(0, layout.bodyHeight - 2)
        if rows.isEmpty {
            g.put("  no incidents" + (state.filters.isEmpty ? "" : " match the filter"), x: 0, y: y0 + 2, role: .dim)
            return
        }
        let top = min(max(0, state.exposureScroll), max(0, rows.count - room))
        for r in 0..<room {
            let i = top + r
            guard i < rows.count else { break }
            let y = y0 + 2 + r
            guard case .pair(let p, let staff) = rows[i] else {
                g.put(" " + staffHeading, x: 0, y: y, role: .title, limit: g.width)
                continue
            }
            var x = g.put(" " + DisplayWidth.pad(p.caller, to: tenantW), x: 0, y: y, role: .tenantBadge)
            x = g.put(" " + DisplayWidth.pad(p.exposed, to: tenantW), x: x, y: y, role: p.exposed == p.caller || staff ? .text : .leak)
            x = g.put(" " + DisplayWidth.padLeft("\(p.incidents)", to: 9), x: x, y: y, role: .text)
            x = g.put(" " + DisplayWidth.padLeft("\(p.open)", to: 5), x: x, y: y, role: p.open > 0 ? .statusError : .statusOK)
            x = g.put(" " + DisplayWidth.padLeft("\(p.occurrences)", to: 6), x: x, y: y, role: .text)
            x = g.put(" " + DisplayWidth.pad(time(p.first), to: timeW), x: x, y: y, role: .dim)
            g.put(" " + time(p.last), x: x, y: y, role: .text)
        }
    }

    static func rowCount(_ snap: DashboardSnapshot, _ state: UIState) -> Int {
        var filtered = state
        filtered.sort = .lastSeen
        return lines(IncidentsView.visible(snap, filtered)).count
    }
}
