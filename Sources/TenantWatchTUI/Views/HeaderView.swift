import TenantWatchCore

/// The two header rows: counters (findings/incidents always visible), rate and replay clock;
/// then each source with its state and lag.
enum HeaderView {
    static func draw(_ snap: DashboardSnapshot, _ state: UIState, into g: inout CellGrid) {
        let w = g.width
        g.fill(row: 0, role: .header)
        g.fill(row: 1, role: .header)
        // Row 0: what must never scroll away comes first.
        var x = g.put(" findings: \(snap.counters.findings)", x: 0, y: 0, role: snap.counters.findings > 0 ? .leak : .header)
        x = g.put("  incidents: \(snap.counters.incidents)", x: x, y: 0, role: snap.counters.incidents > 0 ? .leak : .header)
        // A finished replay reads nothing more: a frozen rate would only mislead.
        if snap.replay?.finished != true {
            x = g.put("  \(Format.rate(snap.counters.eventsPerSecond)) ev/s", x: x, y: 0, role: .header)
        }
        if snap.counters.unparsed > 0 {
            x = g.put("  \(snap.counters.unparsed) unparsed", x: x, y: 0, role: .statusWarn)
        }
        if snap.counters.unmatched > 0 {
            x = g.put("  \(snap.counters.unmatched) unmatched", x: x, y: 0, role: .statusWarn)
        }
        if let r = snap.replay, r.finished {
            // Not a pause: nothing more will come. Say what the replay amounted to.
            x = g.put("  replay finished — \(snap.counters.events) events, \(snap.counters.incidents) incidents", x: x, y: 0,
                      role: .statusOK)
        } else if let r = snap.replay {
            let mode = "  REPLAY \(Format.dayClock(r.clock)) \(ReplayStatus.label(r.speed))" + (r.paused ? " PAUSED" : "")
            x = g.put(mode, x: x, y: 0, role: r.paused ? .statusWarn : .header)
        } else {
            x = g.put("  LIVE", x: x, y: 0, role: .statusOK)
        }
        let name = "tenantwatch "
        if w - x >= DisplayWidth.of(name) + 2 { g.put(name, x: w - DisplayWidth.of(name), y: 0, role: .title) }

        // Row 1: sources; on a very narrow screen the incidents counter moves here to stay visible.
        if w < 48 {
            g.put(" incidents: \(snap.counters.incidents)", x: 0, y: 1, role: snap.counters.incidents > 0 ? .leak : .header)
            return
        }
        var col = 1
        if snap.sources.isEmpty { g.put(" no sources", x: 0, y: 1, role: .header) }
        for (i, src) in snap.sources.enumerated() {
            if i > 0 { col = g.put("  ", x: col, y: 1, role: .header) }
            let role: StyleRole = src.health == .ok ? .statusOK : src.health == .warn ? .statusWarn : .statusError
            let glyph = src.health == .ok ? "●" : src.health == .warn ? "▲" : "✖"
            col = g.put(glyph + " ", x: col, y: 1, role: role)
            col = g.put(TextSanitizer.oneLine(src.name), x: col, y: 1, role: .header)
            col = g.put(" " + TextSanitizer.oneLine(src.state), x: col, y: 1, role: role)
            if src.lagBytes > 0 { col = g.put(" lag " + Format.bytes(src.lagBytes), x: col, y: 1, role: .statusWarn) }
            if col >= w { break }
        }
    }
}
