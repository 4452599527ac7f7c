/// Renders one frame: a pure function of the snapshot, the UI state and the size.
public func render(_ snapshot: DashboardSnapshot, _ state: UIState, size: Size) -> CellGrid {
    var g = CellGrid(width: size.width, height: size.height)
    guard size.width >= 20, size.height >= 6 else {
        g.put("window too small", x: 0, y: 0, role: .statusWarn)
        g.put("findings: \(snapshot.counters.findings) incidents: \(snapshot.counters.incidents)", x: 0, y: 1, role: .text)
        return g
    }
    let layout = Layout(size)
    HeaderView.draw(snapshot, state, into: &g)
    drawContextBar(snapshot, state, layout: layout, into: &g)
    switch state.screen {
    case .main:
        IncidentsView.draw(snapshot, state, layout: layout, into: &g)
        StreamView.draw(snapshot, state, layout: layout, into: &g)
    case .detail(let id):
        DetailView.draw(snapshot, state, id: id, layout: layout, into: &g)
    case .exposure:
        ExposureView.draw(snapshot, state, layout: layout, into: &g)
    }
    if state.helpVisible { HelpView.draw(into: &g, layout: layout, scroll: state.helpScroll) }
    StatusView.draw(snapshot, state, layout: layout, into: &g)
    return g
}

/// The row under the header: where you are, the active filter and search.
func drawContextBar(_ snap: DashboardSnapshot, _ state: UIState, layout: Layout, into g: inout CellGrid) {
    let y = layout.tabRow
    g.fill(row: y, role: .dim)
    var x: Int
    switch state.screen {
    case .main: x = g.put(" Dashboard", x: 0, y: y, role: .title)
    case .detail(let id):
        x = g.put(" Dashboard › ", x: 0, y: y, role: .dim)
        x = g.put(id, x: x, y: y, role: .title)
    case .exposure:
        x = g.put(" Dashboard › ", x: 0, y: y, role: .dim)
        x = g.put("Exposure", x: x, y: y, role: .title)
    }
    if !state.filters.isEmpty {
        x = g.put("  filter: ", x: x, y: y, role: .dim)
        x = g.put(state.filters.description, x: x, y: y, role: .statusWarn)
    }
    if !state.search.isEmpty {
        x = g.put("  search: ", x: x, y: y, role: .dim)
        x = g.put(state.search, x: x, y: y, role: .searchMatch)
    }
    // Where reading started, right-aligned when there is room: an empty list over a log read
    // from its end is not a clean log.
    if let origin = snap.origin, state.screen == .main {
        let text = "reading from " + origin + " "
        let w = DisplayWidth.of(text)
        if g.width - x >= w + 2 { g.put(text, x: g.width - w, y: y, role: .dim) }
    }
}

enum StatusView {
    static func draw(_ snap: DashboardSnapshot, _ state: UIState, layout: Layout, into g: inout CellGrid) {
        let y = layout.statusRow
        g.fill(row: y, role: .text)
        if let p = state.prompt {
            let label: String
            switch p {
            case .search: label = "/"
            case .filter: label = "filter: "
            case .note(let id, let visibility):
                label = "\(visibility.label) note for \(id) (Tab: \(visibility.toggled.label)): "
            case .confirm(let action, _):
                if case .resolve(let id) = action { label = "resolve critical incident \(id)? y resolves, any other key keeps it " }
                else { label = "confirm? y/n " }
                g.put(label, x: 0, y: y, role: .statusWarn)
                return
            }
            // A note the customer will read is flagged in the warning colour while it is typed.
            var labelRole = StyleRole.prompt
            if case .note(_, .customer) = p { labelRole = .statusWarn }
            let x = g.put(label, x: 0, y: y, role: labelRole)
            // Keep the cursor on screen: show the tail of a long text.
            let scalars = state.editor.scalars
            let room = g.width - x - 1
            var start = 0
            var widthBefore = scalars[0..<state.editor.cursor].reduce(0) { $0 + DisplayWidth.of($1) }
            while widthBefore > room, start < state.editor.cursor {
                widthBefore -= DisplayWidth.of(scalars[start])
                start += 1
            }
            let before = String(String.UnicodeScalarView(scalars[start..<state.editor.cursor]))
            let after = String(String.UnicodeScalarView(scalars[state.editor.cursor...]))
            let cx = g.put(before, x: x, y: y, role: .text)
            if let first = after.unicodeScalars.first {
                let end = g.put(String(first), x: cx, y: y, role: .selected)
                g.put(String(String.UnicodeScalarView(after.unicodeScalars.dropFirst())), x: end, y: y, role: .text)
            } else {
                g.put(" ", x: cx, y: y, role: .selected)
            }
            return
        }
        if let m = state.message ?? snap.notice {
            g.put(" " + m, x: 0, y: y, role: .statusWarn)
            return
        }
        let hints: [(String, String)]
        switch state.screen {
        case .main:
            hints = [("?", "help"), ("/", "search"), ("f", "filter"), ("Tab", "pane"), ("Enter", "open"),
                     ("space", snap.replay == nil ? "pause" : "pause replay"), ("q", "quit")]
        case .exposure:
            hints = [("j k", "scroll"), ("f", "filter"), ("q", "back")]
        case .detail:
            hints = [("a", "ack"), ("r", "resolve"), ("m", "note"), ("x", "export"), ("/", "search"), ("q", "back")]
        }
        var x = 1
        for (k, t) in hints {
            x = g.put(k, x: x, y: y, role: .key)
            x = g.put(" " + t + "  ", x: x, y: y, role: .dim)
        }
        if snap.replay?.finished == true {
            if state.screen == .main && g.width - x > 10 { g.put("FINISHED", x: g.width - 9, y: y, role: .statusOK) }
            return
        }
        let mode = state.following ? "FOLLOW" : "PAUSED"
        if state.screen == .main && g.width - x > 8 { g.put(mode, x: g.width - 7, y: y, role: state.following ? .statusOK : .statusWarn) }
    }
}
