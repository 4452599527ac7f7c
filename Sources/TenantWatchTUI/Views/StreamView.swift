/// The live stream: one event a line, newest at the bottom, followed unless paused.
enum StreamView {
    /// Indices into `rows` that pass the filters (all of them, cheaply, when there is none).
    static func visibleIndices(_ rows: [StreamRow], _ f: Filters) -> [Int] {
        if f.isEmpty { return Array(rows.indices) }
        var out: [Int] = []
        for i in rows.indices where f.matches(rows[i]) { out.append(i) }
        return out
    }

    /// Position in `visible` of the cursor: the last row when following; else the row with the
    /// cursor's sequence, or the nearest visible row before it, or the first.
    static func cursorIndex(_ s: UIState, _ visible: [Int], _ rows: [StreamRow]) -> Int {
        guard !visible.isEmpty else { return 0 }
        guard let seq = s.streamCursor else { return visible.count - 1 }
        guard let raw = rawIndex(of: seq, in: rows) else { return 0 }
        // The last visible row at or before the raw position (visible indices ascend).
        var lo = 0, hi = visible.count - 1
        if visible[0] > raw { return 0 }
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if visible[mid] <= raw { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// The index of the row with this sequence. Rows are in log-time order, so sequences (the
    /// order they were read) need not ascend: searched from the end, where a paused cursor
    /// usually is. Nil once the row has left the ring.
    static func rawIndex(of seq: UInt64, in rows: [StreamRow]) -> Int? {
        var i = rows.count - 1
        while i >= 0 {
            if rows[i].sequence == seq { return i }
            i -= 1
        }
        return nil
    }

    static func marker(_ r: StreamRow) -> (String, StyleRole) {
        if r.flags.contains(.crossTenant) { return ("!X", .leak) }
        if r.flags.contains(.unscoped) { return ("!U", .unscoped) }
        if r.flags.contains(.leak) { return ("! ", .leak) }
        if r.flags.contains(.suspected) { return ("?X", .statusWarn) }
        return ("  ", .text)
    }

    /// `file:line` in exactly `width` columns; the file name is cut, never the line number.
    static func sourceLabel(_ file: String, _ line: Int, width: Int) -> String {
        let suffix = ":\(line)"
        let room = max(1, width - suffix.count)
        return DisplayWidth.pad(DisplayWidth.truncate(file, to: room) + suffix, to: width)
    }

    static func searchText(_ r: StreamRow) -> String {
        "\(r.source):\(r.line) \(r.kind.rawValue) \(r.caller ?? "") \(r.text)"
    }

    /// The rows on screen, top first, and which of them is the cursor: found by walking out from
    /// the cursor (or the end), so a frame costs the rows shown plus those the filter skips,
    /// never a pass over everything held.
    static func window(_ rows: [StreamRow], _ f: Filters, cursor: UInt64?, cursorRow: Int, count n: Int) -> (rows: [Int], cursor: Int?) {
        guard n > 0, !rows.isEmpty else { return ([], nil) }
        let pass: (Int) -> Bool = f.isEmpty ? { _ in true } : { f.matches(rows[$0]) }
        var p: Int
        if let seq = cursor {
            p = rawIndex(of: seq, in: rows) ?? 0
        } else {
            p = rows.count - 1
        }
        while p >= 0 && !pass(p) { p -= 1 }
        if p < 0 {
            // Nothing at or before the cursor passes: take the first that does after it.
            p = 0
            while p < rows.count && !pass(p) { p += 1 }
            if p == rows.count { return ([], nil) }
        }
        var above: [Int] = []
        var below: [Int] = []
        let wantAbove = cursor == nil ? n - 1 : min(cursorRow, n - 1)
        var i = p - 1
        while i >= 0 && above.count < wantAbove { if pass(i) { above.append(i) }; i -= 1 }
        var j = p + 1
        if cursor != nil {
            while j < rows.count && above.count + 1 + below.count < n { if pass(j) { below.append(j) }; j += 1 }
        }
        // Short below (the end is near): fill the screen from above.
        while i >= 0 && above.count + 1 + below.count < n { if pass(i) { above.append(i) }; i -= 1 }
        return (above.reversed() + [p] + below, above.count)
    }

    static func draw(_ snap: DashboardSnapshot, _ state: UIState, layout: Layout, into g: inout CellGrid) {
        let w = g.width
        let titleRow = layout.streamTop
        guard layout.streamHeight > 0 else { return }
        let focused = state.focus == .stream
        let rowsAvailable = layout.streamListRows
        let (shown, cursorAt) = window(snap.stream, state.filters, cursor: state.streamCursor,
                                       cursorRow: state.streamCursorRow, count: rowsAvailable)
        g.fill(row: titleRow, role: .border)
        var x = g.put(focused ? "▶ " : "  ", x: 0, y: titleRow, role: focused ? .title : .border)
        x = g.put("Stream", x: x, y: titleRow, role: focused ? .title : .border)
        let mode = state.following ? "  following" : "  PAUSED — space or G to follow"
        x = g.put(mode, x: x, y: titleRow, role: state.following ? .border : .statusWarn)
        x = g.put(state.filters.isEmpty ? "  \(snap.stream.count) held" : "  filtered, \(snap.stream.count) held", x: x, y: titleRow, role: .border)
        // Leak findings over the held stream, when there is room: is it still happening?
        if w - x > 60 {
            let times = snap.stream.lazy.filter { !$0.flags.isEmpty }.compactMap { $0.time?.microseconds }
            if times.count > 1, let spark = Sparkline.labelled(Array(times), width: w - x - 4) {
                g.put("  leaks " + spark, x: x, y: titleRow, role: .leak, limit: w)
            }
        }
        guard rowsAvailable > 0 else { return }
        if shown.isEmpty {
            g.put(snap.stream.isEmpty ? "  waiting for events…" : "  no events match the filter", x: 0, y: titleRow + 1, role: .dim)
            return
        }
        let srcWidth = w >= 120 ? 26 : 18
        for (r, index) in shown.enumerated() {
            let row = snap.stream[index]
            let y = titleRow + 1 + r
            let (glyph, mrole) = marker(row)
            var col = g.put(glyph, x: 0, y: y, role: mrole)
            col = g.put(" " + Format.clock(row.time), x: col, y: y, role: .dim)
            col = g.put(" " + sourceLabel(row.source, row.line, width: srcWidth), x: col, y: y, role: .dim)
            col = g.put(" " + DisplayWidth.pad(row.kind.rawValue, to: 3), x: col, y: y, role: .dim)
            if let caller = row.caller {
                col = g.put(" ", x: col, y: y, role: .text)
                col = g.put(DisplayWidth.truncate(caller, to: 16), x: col, y: y, role: .tenantBadge)
            }
            let textRole: StyleRole = row.flags.contains(.crossTenant) ? .leak : row.flags.contains(.unscoped) ? .unscoped : .text
            col = g.put(" ", x: col, y: y, role: .text)
            g.put(row.text, x: col, y: y, role: textRole)
            let selected = !state.following && r == cursorAt
            if selected && focused { g.restyle(row: y, from: 0, to: w, role: .selected) }
            if !state.search.isEmpty { SearchHighlight.apply(state.search, row: y, in: &g) }
        }
    }
}
