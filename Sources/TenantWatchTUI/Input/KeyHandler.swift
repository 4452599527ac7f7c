import TenantWatchCore

/// Turns a key into state changes and host actions. Pure: no terminal, no clock.
/// Keys follow less/lnav: ↑↓ and j/k, PgUp/PgDn (also b/space-less Ctrl-B/F), g/G, Enter/Esc,
/// Tab between panes, q back/quit, space pause, +/- replay speed, / n N search, ? help.
public func handle(key: Key, state: inout UIState, snapshot: DashboardSnapshot) -> [Action] {
    KeyHandler(snapshot: snapshot).handle(key, &state)
}


struct KeyHandler {
    let snapshot: DashboardSnapshot

    func handle(_ key: Key, _ s: inout UIState) -> [Action] {
        if key == .resize { return [] }
        if key == .ctrl("c") && s.prompt == nil { return [.quit] }
        if let prompt = s.prompt { return handlePrompt(key, prompt, &s) }
        s.message = nil
        if s.helpVisible {
            switch key {
            case .char("?"), .char("q"), .escape, .enter: s.helpVisible = false; s.helpScroll = 0
            case .down, .char("j"), .pageDown: s.helpScroll = min(s.helpScroll + (key == .pageDown ? 10 : 1), HelpView.maxScroll(size: s.size))
            case .up, .char("k"), .pageUp: s.helpScroll = max(0, s.helpScroll - (key == .pageUp ? 10 : 1))
            default: break
            }
            return []
        }
        // Keys that work everywhere.
        switch key {
        case .char("?"): s.helpVisible = true; return []
        case .char("/"): s.prompt = .search; s.editor = LineEditor(); return []
        case .char("f"): s.prompt = .filter; s.editor = LineEditor(s.filters.description); return []
        case .char("F"): s.filters = Filters(); s.message = "filters cleared"; return []
        case .char("s"):
            let all = Severity.allCases
            if let cur = s.filters.severity, let i = all.firstIndex(of: cur) {
                s.filters.severity = i + 1 < all.count ? all[i + 1] : nil
            } else {
                s.filters.severity = .low
            }
            return []
        case .char("+"), .char("="):
            guard let r = snapshot.replay else { s.message = "speed: only in replay"; return [] }
            return [.setSpeed(ReplayStatus.faster(than: r.speed))]
        case .char("-"), .char("_"):
            guard let r = snapshot.replay else { s.message = "speed: only in replay"; return [] }
            return [.setSpeed(ReplayStatus.slower(than: r.speed))]
        case .char(" "):
            if snapshot.replay != nil { return [.togglePause] }
            toggleFollow(&s)
            return []
        default: break
        }
        switch s.screen {
        case .main: return handleMain(key, &s)
        case .detail(let id): return handleDetail(key, id, &s)
        case .exposure: return handleExposure(key, &s)
        }
    }

    // MARK: prompts

    func handlePrompt(_ key: Key, _ prompt: UIState.Prompt, _ s: inout UIState) -> [Action] {
        if case .confirm(let action, let what) = prompt {
            s.prompt = nil
            if key == .char("y") || key == .char("Y") {
                s.message = done(action)
                return [action]
            }
            s.message = "not done: \(what)"
            return []
        }
        // Tab in the note prompt switches who may read the note, the text kept as typed.
        if case .note(let id, let visibility) = prompt, key == .tab || key == .backTab {
            s.prompt = .note(id, visibility.toggled)
            return []
        }
        switch s.editor.handle(key) {
        case .editing: return []
        case .cancel:
            s.prompt = nil
            return []
        case .submit(let text):
            s.prompt = nil
            switch prompt {
            case .search:
                s.search = text
                // A followed stream is searched from its end backwards (the newest match).
                let backwards = s.screen == .main && s.focus == .stream && s.following
                if !text.isEmpty { jump(forward: !backwards, from: true, &s) }
                return []
            case .filter:
                do {
                    s.filters = try Filters.parse(s.views[text.trimmingSpaces] ?? text)
                } catch let e as Filters.ParseError { s.message = e.message } catch {}
                clampAfterFilter(&s)
                return []
            case .note(let id, let visibility):
                let t = text.trimmingSpaces
                guard !t.isEmpty else { return [] }
                s.message = "\(visibility.label) note added to \(id)"
                return [.addNote(id, t, visibility)]
            case .confirm:
                return []
            }
        }
    }

    // MARK: main screen

    func handleMain(_ key: Key, _ s: inout UIState) -> [Action] {
        let layout = Layout(s.size)
        switch key {
        case .char("q"): return [.quit]
        case .tab, .backTab: s.focus = s.focus == .incidents ? .stream : .incidents; return []
        case .escape:
            if !s.search.isEmpty { s.search = "" } else if !s.filters.isEmpty { s.filters = Filters() }
            return []
        case .char("n"): jump(forward: true, from: false, &s); return []
        case .char("N"): jump(forward: false, from: false, &s); return []
        case .char("o"):
            s.sort = s.sort.next
            s.message = "incidents sorted by \(s.sort.rawValue)"
            return []
        case .char("E"):
            s.screen = .exposure
            s.exposureScroll = 0
            return []
        case .char("h"):
            s.hideResolved.toggle()
            s.message = s.hideResolved ? "resolved incidents hidden (h shows them)" : "resolved incidents shown"
            return []
        default: break
        }
        if s.focus == .incidents {
            let list = visibleIncidents(s)
            guard !list.isEmpty else { return [] }
            var i = incidentIndex(s, list)
            let page = max(1, layout.incidentListRows)
            switch key {
            case .down, .char("j"): i += 1
            case .up, .char("k"): i -= 1
            case .pageDown, .ctrl("f"), .ctrl("d"): i += page
            case .pageUp, .ctrl("b"), .ctrl("u"): i -= page
            case .home, .char("g"): i = 0
            case .end, .char("G"): i = list.count - 1
            case .enter, .right, .char("l"):
                s.screen = .detail(list[i].id)
                s.detailScroll = 0
                return []
            case .char("a"), .char("r"), .char("u"): return act(key, list[i], &s)
            case .char("m"): s.prompt = .note(list[i].id, .internal); s.editor = LineEditor(); return []
            case .char("e"), .char("x"): return [.export(list[i].id)]
            case .char("c"):
                s.message = "copied \(list[i].id) (OSC 52: the terminal must allow it)"
                return [.copy(list[i].id)]
            default: return []
            }
            moveIncident(to: i, list, page: page, &s)
        } else {
            let rows = visibleStream(s)
            guard !rows.isEmpty else { return [] }
            let page = max(1, layout.streamListRows)
            var i = streamIndex(s, rows)
            switch key {
            case .down, .char("j"): i += 1
            case .up, .char("k"): i -= 1
            case .pageDown, .ctrl("f"), .ctrl("d"): i += page
            case .pageUp, .ctrl("b"), .ctrl("u"): i -= page
            case .home, .char("g"): i = 0
            case .end, .char("G"):
                s.streamCursor = nil
                return []
            case .enter, .right, .char("l"):
                // The row under the cursor (the newest when following) opens its incident.
                let row = snapshot.stream[rows[i]]
                guard let id = row.incident ?? row.findingKey.flatMap({ snapshot.incidentOfFinding?($0) }) else {
                    s.message = row.flags.isEmpty ? "this event raised no finding" : "its incident is not stored yet"
                    return []
                }
                s.screen = .detail(id)
                s.detailScroll = 0
                return []
            default: return []
            }
            moveStream(to: i, rows, page: page, &s)
        }
        return []
    }

    func toggleFollow(_ s: inout UIState) {
        if s.streamCursor == nil {
            let rows = visibleStream(s)
            guard let last = rows.last else { return }
            s.streamCursor = snapshot.stream[last].sequence
            s.streamCursorRow = min(rows.count, max(1, Layout(s.size).streamListRows)) - 1
            s.message = "paused: space or G follows again"
        } else {
            s.streamCursor = nil
        }
    }

    func moveIncident(to target: Int, _ list: [IncidentSummary], page: Int, _ s: inout UIState) {
        let old = incidentIndex(s, list)
        let i = min(max(0, target), list.count - 1)
        s.incidentCursor = list[i].id
        s.incidentCursorRow = min(max(0, s.incidentCursorRow + (i - old)), page - 1, i)
        if list.count - i < page - s.incidentCursorRow { s.incidentCursorRow = min(i, page - (list.count - i)) }
    }

    func moveStream(to target: Int, _ rows: [Int], page: Int, _ s: inout UIState) {
        let old = streamIndex(s, rows)
        let i = min(max(0, target), rows.count - 1)
        let oldRow = s.streamCursor == nil ? min(rows.count, page) - 1 : s.streamCursorRow
        if i == rows.count - 1 && target >= rows.count - 1 && s.streamCursor != nil && target > old {
            s.streamCursor = nil // back at the end: follow again
            return
        }
        s.streamCursor = snapshot.stream[rows[i]].sequence
        s.streamCursorRow = min(max(0, oldRow + (i - old)), page - 1, i)
        if rows.count - i < page - s.streamCursorRow { s.streamCursorRow = min(i, page - (rows.count - i)) }
    }

    // MARK: detail screen

    func handleDetail(_ key: Key, _ id: String, _ s: inout UIState) -> [Action] {
        let page = max(1, Layout(s.size).detailRows)
        let lines = snapshot.detail(for: id).map { DetailView.document($0, width: s.size.width, now: snapshot.now).count } ?? 0
        let maxScroll = max(0, lines - page)
        switch key {
        case .char("q"), .escape, .left, .char("h"), .backspace: s.screen = .main; return []
        case .down, .char("j"), .enter: s.detailScroll += 1
        case .up, .char("k"): s.detailScroll -= 1
        case .pageDown, .ctrl("f"), .ctrl("d"): s.detailScroll += page
        case .pageUp, .ctrl("b"), .ctrl("u"): s.detailScroll -= page
        case .home, .char("g"): s.detailScroll = 0
        case .end, .char("G"): s.detailScroll = maxScroll
        case .char("n"), .char("N"):
            guard !s.search.isEmpty, let d = snapshot.detail(for: id) else { return [] }
            let doc = DetailView.document(d, width: s.size.width, now: snapshot.now).map(\.plain)
            let forward = key == .char("n")
            let pattern = SearchPattern(s.search)
            var i = s.detailScroll
            for _ in 0..<doc.count {
                i = forward ? i + 1 : i - 1
                if i < 0 || i >= doc.count { break }
                if pattern.matches(doc[i]) { s.detailScroll = i; return [] }
            }
            s.message = "no more matches for \(s.search)"
            return []
        case .char("a"), .char("r"), .char("u"):
            let summary = snapshot.incidents.first { $0.id == id } ?? snapshot.detail(for: id)?.summary
            guard let summary else { s.message = "\(id) is not in the store"; return [] }
            return act(key, summary, &s)
        case .char("m"): s.prompt = .note(id, .internal); s.editor = LineEditor(); return []
        case .char("e"), .char("x"): return [.export(id)]
        case .char("c"):
            s.message = "copied \(id) (OSC 52: the terminal must allow it)"
            return [.copy(id)]
        case .char("C"):
            // The statement as logged (one line), not the pretty-printed layout.
            guard let st = snapshot.detail(for: id)?.statement else { s.message = "\(id) has no statement"; return [] }
            let flat = st.split(separator: "\n").map { String($0).trimmingSpaces }.joined(separator: " ")
            s.message = "copied the statement of \(id) (OSC 52)"
            return [.copy(flat)]
        default: return []
        }
        s.detailScroll = min(max(0, s.detailScroll), maxScroll)
        return []
    }

    // MARK: exposure table

    func handleExposure(_ key: Key, _ s: inout UIState) -> [Action] {
        let page = max(1, Layout(s.size).bodyHeight - 2)
        let maxScroll = max(0, ExposureView.rowCount(snapshot, s) - page)
        switch key {
        case .char("q"), .escape, .left, .char("h"), .backspace, .char("E"): s.screen = .main; return []
        case .down, .char("j"), .enter: s.exposureScroll += 1
        case .up, .char("k"): s.exposureScroll -= 1
        case .pageDown, .ctrl("f"), .ctrl("d"): s.exposureScroll += page
        case .pageUp, .ctrl("b"), .ctrl("u"): s.exposureScroll -= page
        case .home, .char("g"): s.exposureScroll = 0
        case .end, .char("G"): s.exposureScroll = maxScroll
        default: return []
        }
        s.exposureScroll = min(max(0, s.exposureScroll), maxScroll)
        return []
    }

    // MARK: acting on an incident

    /// `a` acknowledges, `r` resolves (a critical incident only after `y`), `u` reopens; the
    /// status line says what was done and how to undo it.
    func act(_ key: Key, _ incident: IncidentSummary, _ s: inout UIState) -> [Action] {
        let id = incident.id
        switch key {
        case .char("a"):
            guard incident.state != .acknowledged else { s.message = "\(id) is already acknowledged"; return [] }
            s.message = done(.acknowledge(id))
            return [.acknowledge(id)]
        case .char("r"):
            guard incident.state != .resolved else { s.message = "\(id) is already resolved (u reopens)"; return [] }
            if incident.severity == .critical {
                s.prompt = .confirm(.resolve(id), "\(id) stays \(incident.state.rawValue)")
                return []
            }
            s.message = done(.resolve(id))
            return [.resolve(id)]
        case .char("u"):
            guard incident.state != .open else { s.message = "\(id) is open already"; return [] }
            s.message = done(.reopen(id))
            return [.reopen(id)]
        default: return []
        }
    }

    func done(_ action: Action) -> String {
        switch action {
        case .acknowledge(let id): return "\(id) acknowledged — u reopens"
        case .resolve(let id): return "\(id) resolved — u reopens"
        case .reopen(let id): return "\(id) reopened"
        default: return ""
        }
    }

    // MARK: search

    /// Moves the cursor of the focused pane to the next (previous) row containing the search text.
    func jump(forward: Bool, from inclusive: Bool, _ s: inout UIState) {
        guard !s.search.isEmpty else { s.message = "no search: type / first"; return }
        if case .detail = s.screen {
            _ = handleDetail(forward ? .char("n") : .char("N"), { if case .detail(let id) = s.screen { return id }; return "" }(), &s)
            return
        }
        let needle = s.search
        let pattern = SearchPattern(needle)
        if s.focus == .incidents {
            let list = visibleIncidents(s)
            guard !list.isEmpty else { return }
            let start = incidentIndex(s, list)
            if let i = scan(count: list.count, start: start, forward: forward, inclusive: inclusive,
                            match: { pattern.matches(IncidentsView.searchText(list[$0])) }) {
                moveIncident(to: i, list, page: max(1, Layout(s.size).incidentListRows), &s)
            } else {
                s.message = "pattern not found: \(needle)"
            }
        } else {
            let rows = visibleStream(s)
            guard !rows.isEmpty else { return }
            let start = streamIndex(s, rows)
            if let i = scan(count: rows.count, start: start, forward: forward, inclusive: inclusive,
                            match: { pattern.matches(StreamView.searchText(snapshot.stream[rows[$0]])) }) {
                let page = max(1, Layout(s.size).streamListRows)
                if s.streamCursor == nil { s.streamCursorRow = min(rows.count, page) - 1 }
                s.streamCursor = snapshot.stream[rows[start]].sequence
                moveStreamExact(to: i, rows, page: page, &s)
            } else {
                s.message = "pattern not found: \(needle)"
            }
        }
    }

    func moveStreamExact(to i: Int, _ rows: [Int], page: Int, _ s: inout UIState) {
        let old = streamIndex(s, rows)
        s.streamCursor = snapshot.stream[rows[i]].sequence
        s.streamCursorRow = min(max(0, s.streamCursorRow + (i - old)), page - 1, i)
        if rows.count - i < page - s.streamCursorRow { s.streamCursorRow = min(i, page - (rows.count - i)) }
    }

    /// The next matching index in the direction, wrapping around the ends once.
    func scan(count: Int, start: Int, forward: Bool, inclusive: Bool, match: (Int) -> Bool) -> Int? {
        guard count > 0 else { return nil }
        let step = forward ? 1 : count - 1
        var i = inclusive ? start : (start + step) % count
        for _ in 0..<count {
            if match(i) { return i }
            i = (i + step) % count
        }
        return nil
    }

    // MARK: shared lookups

    func visibleIncidents(_ s: UIState) -> [IncidentSummary] { IncidentsView.visible(snapshot, s) }

    func incidentIndex(_ s: UIState, _ list: [IncidentSummary]) -> Int {
        IncidentsView.cursorIndex(s, list)
    }

    func visibleStream(_ s: UIState) -> [Int] { StreamView.visibleIndices(snapshot.stream, s.filters) }

    func streamIndex(_ s: UIState, _ rows: [Int]) -> Int { StreamView.cursorIndex(s, rows, snapshot.stream) }

    func clampAfterFilter(_ s: inout UIState) {
        s.incidentCursorRow = 0
        s.streamCursor = nil
    }
}

extension String {
    /// Case-insensitive (ASCII folding) containment without Foundation.
    func localizedCaseInsensitiveContainsASCII(_ needle: String) -> Bool {
        let h = Array(utf8).map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 }
        let n = Array(needle.utf8).map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 }
        if n.isEmpty { return true }
        if n.count > h.count { return false }
        var i = 0
        while i + n.count <= h.count {
            if h[i] == n[0] {
                var k = 1
                while k < n.count && h[i + k] == n[k] { k += 1 }
                if k == n.count { return true }
            }
            i += 1
        }
        return false
    }

    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
