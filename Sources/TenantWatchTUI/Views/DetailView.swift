import TenantWatchCore

/// One incident: summary, evidence timeline, the statement with the unscoped table or wrong
/// tenant highlighted, the caller's token (masked), host, route, notes, and the actions.
enum DetailView {
    static func document(_ d: IncidentDetail, width: Int, now: Timestamp? = nil) -> [Segments] {
        var doc: [Segments] = []
        func line(_ parts: (String, StyleRole)...) {
            var s = Segments()
            for p in parts { s.add(p.0, p.1) }
            doc.append(contentsOf: s.wrapped(width: width))
        }
        func section(_ title: String) {
            line(("", .text))
            line(("── \(title) ", .title))
        }
        let sm = d.summary
        line((" \(sm.id) ", .title), (" \(Format.severity(sm.severity)) ", .severity(sm.severity)),
             ("  " + sm.kinds.map(\.rawValue).joined(separator: ", "), .text),
             ("  state: ", .dim), (sm.state.rawValue, sm.state == .open ? .statusError : sm.state == .acknowledged ? .statusWarn : .statusOK))
        line((" caller ", .dim), (sm.caller ?? "?", .tenantBadge), ("  →  exposed ", .dim),
             (sm.exposed.isEmpty ? "?" : sm.exposed.joined(separator: ", "), .leak))
        line((" first ", .dim), (sm.firstSeen?.rfc3339 ?? "-", .text), ("  last ", .dim), (sm.lastSeen?.rfc3339 ?? "-", .text),
             ("  count ", .dim), ("\(sm.count)", .text))
        if let now {
            let active = Format.isActive(sm.lastSeen, now: now)
            line((" last seen ", .dim), (Format.ago(sm.lastSeen, now: now), .text), ("  ", .text),
                 (active ? "active: still happening" : "quiet: nothing for \(Format.activeSeconds / 60) min or more",
                  active ? .statusError : .statusOK))
        }
        if let m = d.message { line((" " + m, .text)) }

        section("Timeline")
        if d.timeline.isEmpty { line(("  (no evidence lines)", .dim)) }
        // When it happened, at a glance: the evidence over time.
        let times = d.timeline.compactMap { $0.time?.microseconds }
        if times.count > 1, let spark = Sparkline.labelled(times, width: width) { line(("  ", .text), (spark, .leak)) }
        let srcW = min(32, d.timeline.map { DisplayWidth.of("\($0.source):\($0.line)") }.max() ?? 0)
        let kindW = min(24, d.timeline.map { DisplayWidth.of($0.kind) }.max() ?? 0)
        for e in d.timeline {
            line(("  " + Format.clock(e.time), .dim), ("  " + StreamView.sourceLabel(e.source, e.line, width: srcW), .text),
                 ("  " + DisplayWidth.pad(e.kind, to: kindW), .severity(sm.severity)), ("  " + e.summary, .text))
        }

        if let st = d.statement {
            section("Statement")
            doc.append(contentsOf: statementLines(st, highlights: d.highlights, keywords: d.keywords, width: width))
        }

        if d.host != nil || d.route != nil || d.maskedToken != nil || d.application != nil || !d.tokenClaims.isEmpty {
            section("Request")
            if let h = d.host { line(("  host   ", .dim), (h, .text)) }
            if let r = d.route { line(("  route  ", .dim), (r, .text)) }
            if let a = d.application { line(("  app    ", .dim), (a, .text)) }
            if let t = d.maskedToken { line(("  token  ", .dim), (t, .text)) }
            for (k, v) in d.tokenClaims { line(("    " + DisplayWidth.pad(k, to: 14), .dim), (v, k == "tenant" ? .tenantBadge : .text)) }
        }

        section("Notes")
        if d.notes.isEmpty { line(("  (none: m adds one; Tab in its prompt makes it customer-visible)", .dim)) }
        // Which notes a customer's bundle carries, marked on each (internal is the default).
        for n in d.notes {
            line(("  • ", .text), (n.visibility == .customer ? "[customer-visible]" : "[internal]",
                                   n.visibility == .customer ? .statusWarn : .dim), (" " + n.text, .text))
        }

        section("Actions")
        line(("  a", .key), (" acknowledge   ", .text), ("r", .key), (" resolve   ", .text), ("u", .key), (" reopen   ", .text),
             ("m", .key), (" add a note   ", .text), ("x", .key), (" export an evidence bundle for each exposed tenant", .dim))
        return doc
    }

    static func documentLineCount(_ d: IncidentDetail, width: Int) -> Int { document(d, width: width).count }

    /// The pretty-printed statement, wrapped to the width, highlights kept; keywords (sorted
    /// ranges) coloured where no highlight is.
    static func statementLines(_ text: String, highlights: [Range<Int>], keywords: [Range<Int>] = [], width: Int) -> [Segments] {
        var out: [Segments] = []
        var offset = 0
        var nextKeyword = 0
        let room = max(10, width - 4)
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var seg = Segments()
            seg.add("  ", .text)
            var used = 0
            var run = ""
            var runRole: StyleRole = .text
            func flush() { if !run.isEmpty { seg.add(run, runRole); run = "" } }
            for scalar in rawLine.unicodeScalars {
                while nextKeyword < keywords.count, keywords[nextKeyword].upperBound <= offset { nextKeyword += 1 }
                let inKeyword = nextKeyword < keywords.count && keywords[nextKeyword].contains(offset)
                let role: StyleRole = highlights.contains { $0.contains(offset) } ? .leakHighlight : inKeyword ? .sqlKeyword : .text
                let w = DisplayWidth.of(scalar)
                if used + w > room {
                    flush()
                    out.append(seg)
                    seg = Segments()
                    seg.add("    ", .text)
                    used = 2
                }
                if role != runRole { flush(); runRole = role }
                run.unicodeScalars.append(scalar)
                used += w
                offset += 1
            }
            flush()
            out.append(seg)
            offset += 1 // the "\n"
        }
        return out
    }

    static func draw(_ snap: DashboardSnapshot, _ state: UIState, id: String, layout: Layout, into g: inout CellGrid) {
        guard let d = snap.detail(for: id) else {
            g.put("  \(id): no detail available (it may have been pruned)", x: 0, y: layout.bodyTop, role: .dim)
            return
        }
        let doc = document(d, width: g.width, now: snap.now)
        let rows = layout.detailRows
        let top = min(max(0, state.detailScroll), max(0, doc.count - rows))
        for r in 0..<rows {
            let i = top + r
            guard i < doc.count else { break }
            let y = layout.bodyTop + r
            doc[i].draw(into: &g, x: 0, y: y, limit: g.width)
            if !state.search.isEmpty { SearchHighlight.apply(state.search, row: y, in: &g) }
        }
        if doc.count > rows {
            let pos = "\(top + 1)-\(min(doc.count, top + rows))/\(doc.count)"
            g.put(pos, x: g.width - DisplayWidth.of(pos), y: layout.tabRow, role: .dim)
        }
    }
}
