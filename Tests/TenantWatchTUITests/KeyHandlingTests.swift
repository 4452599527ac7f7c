import Testing
import TenantWatchCore
@testable import TenantWatchTUI
import TenantWatchSampleData

@Suite struct KeyHandlingTests {
    let snap = SampleSnapshot.make(incidents: 30, events: 200)

    func press(_ keys: [Key], _ state: inout UIState, snapshot: DashboardSnapshot? = nil) -> [Action] {
        keys.flatMap { handle(key: $0, state: &state, snapshot: snapshot ?? snap) }
    }

    func type(_ text: String) -> [Key] { text.map { Key.char($0) } }

    @Test func movingAndPagingTheIncidentList() {
        var s = UIState()
        _ = press([.down, .char("j"), .char("j")], &s)
        #expect(s.incidentCursor == snap.incidents[3].id)
        _ = press([.char("k")], &s)
        #expect(s.incidentCursor == snap.incidents[2].id)
        _ = press([.pageDown], &s)
        let page = Layout(s.size).incidentListRows
        #expect(s.incidentCursor == snap.incidents[2 + page].id)
        _ = press([.char("G")], &s)
        #expect(s.incidentCursor == snap.incidents.last!.id)
        #expect(s.incidentCursorRow == page - 1)
        _ = press([.char("g")], &s)
        #expect(s.incidentCursor == snap.incidents[0].id)
        #expect(s.incidentCursorRow == 0)
        _ = press([.pageUp], &s)
        #expect(s.incidentCursor == snap.incidents[0].id)
    }

    @Test func tabSwitchesPanesAndStreamPausesAndFollows() {
        var s = UIState()
        _ = press([.tab], &s)
        #expect(s.focus == .stream)
        #expect(s.following)
        _ = press([.char("k")], &s)
        #expect(!s.following)
        #expect(s.streamCursor == snap.stream[snap.stream.count - 2].sequence)
        _ = press([.char("G")], &s)
        #expect(s.following)
        _ = press([.char(" ")], &s)
        #expect(!s.following)
        #expect(s.streamCursor == snap.stream.last!.sequence)
        _ = press([.char(" ")], &s)
        #expect(s.following)
        _ = press([.pageUp, .pageUp], &s)
        let page = Layout(s.size).streamListRows
        #expect(s.streamCursor == snap.stream[snap.stream.count - 1 - 2 * page].sequence)
        _ = press([.pageDown, .pageDown], &s)
        #expect(s.following, "paging back to the end follows again")
        _ = press([.backTab], &s)
        #expect(s.focus == .incidents)
    }

    @Test func searchWithNextAndPrevious() {
        var s = UIState()
        let hits = snap.incidents.indices.filter { snap.incidents[$0].caller == "hooli" || snap.incidents[$0].exposed.contains("hooli") }
        #expect(hits.count >= 3 && hits[0] > 0)
        _ = press([.char("/")] + type("HOOLI") + [.enter], &s)
        #expect(s.search == "HOOLI")
        #expect(s.prompt == nil)
        #expect(s.incidentCursor == snap.incidents[hits[0]].id)
        _ = press([.char("n")], &s)
        #expect(s.incidentCursor == snap.incidents[hits[1]].id)
        _ = press([.char("n")], &s)
        #expect(s.incidentCursor == snap.incidents[hits[2]].id)
        _ = press([.char("N")], &s)
        #expect(s.incidentCursor == snap.incidents[hits[1]].id)
        _ = press([.char("g"), .char("N")], &s)
        #expect(s.incidentCursor == snap.incidents[hits.last!].id, "search wraps around")
        // In the stream pane, n jumps among stream rows.
        _ = press([.tab, .char("/")] + type("LIMIT 50") + [.enter], &s)
        let hit = snap.stream.lastIndex { $0.text.contains("LIMIT 50") }!
        #expect(s.streamCursor == snap.stream[hit].sequence)
        _ = press([.char("N")], &s)
        #expect(s.streamCursor == snap.stream[hit - 20].sequence)
        _ = press([.char("/")] + type("no-such-thing") + [.enter], &s)
        #expect(s.message?.contains("not found") == true)
    }

    @Test func searchPromptEditsAndCancels() {
        var s = UIState()
        _ = press([.char("/")] + type("acmx") + [.backspace] + type("e") + [.escape], &s)
        #expect(s.prompt == nil)
        #expect(s.search == "")
        _ = press([.char("/")] + type("ab") + [.left, .char("X"), .home, .char("<"), .end, .char(">"), .enter], &s)
        #expect(s.search == "<aXb>")
    }

    @Test func filtersByTenantKindSeverityAndSource() {
        var s = UIState()
        _ = press([.char("f")] + type("tenant=globex severity=high") + [.enter], &s)
        #expect(s.filters == Filters(tenant: "globex", severity: .high))
        let g = render(snap, s, size: s.size)
        #expect(g.text.contains("filter: tenant=globex severity=high"))
        let shown = snap.incidents.filter { s.filters.matches($0) }
        #expect(!shown.isEmpty && shown.allSatisfy { $0.severity >= .high && ($0.caller == "globex" || $0.exposed.contains("globex")) })
        _ = press([.char("f"), .ctrl("u")] + type("kind=missing_tenant_predicate source=audit") + [.enter], &s)
        #expect(s.filters.kind == .missingTenantPredicate)
        #expect(s.filters.source == "audit")
        _ = press([.char("f"), .ctrl("u")] + type("colour=red") + [.enter], &s)
        #expect(s.message?.contains("unknown filter") == true)
        _ = press([.char("F")], &s)
        #expect(s.filters.isEmpty)
        _ = press([.char("s"), .char("s")], &s)
        #expect(s.filters.severity == .medium)
    }

    @Test func detailScreenActionsAndBack() {
        var s = UIState()
        _ = press([.char("j"), .enter], &s)
        let id = snap.incidents[1].id
        #expect(s.screen == .detail(id))
        #expect(press([.char("a")], &s) == [.acknowledge(id)])
        // A critical incident is resolved only after y.
        #expect(snap.incidents[1].severity == .critical)
        #expect(press([.char("r")], &s).isEmpty)
        #expect(press([.char("y")], &s) == [.resolve(id)])
        #expect(s.message == "\(id) resolved — u reopens")
        #expect(press([.char("x")], &s) == [.export(id)])
        #expect(s.message == nil, "the host reports where the bundle went (DashboardSnapshot.notice)")
        #expect(press([.char("m")] + type("called the customer") + [.enter], &s) == [.addNote(id, "called the customer", .internal)])
        _ = press([.char("G")], &s)
        #expect(s.detailScroll > 0 || Layout(s.size).detailRows >= DetailView.documentLineCount(snap.detail(for: id)!, width: 80))
        _ = press([.char("g")], &s)
        #expect(s.detailScroll == 0)
        #expect(press([.char("q")], &s).isEmpty)
        #expect(s.screen == .main)
        #expect(press([.char("q")], &s) == [.quit])
    }

    @Test func helpOverlayAndQuitKeys() {
        var s = UIState()
        _ = press([.char("?")], &s)
        #expect(s.helpVisible)
        #expect(press([.char("q")], &s).isEmpty, "q closes the help, not the app")
        #expect(!s.helpVisible)
        #expect(press([.ctrl("c")], &s) == [.quit])
    }

    @Test func replaySpeedAndPause() {
        let replay = SampleSnapshot.make(incidents: 3, events: 10, replay: true)
        var s = UIState()
        #expect(press([.char("+")], &s, snapshot: replay) == [.setSpeed(8)])
        #expect(press([.char("-")], &s, snapshot: replay) == [.setSpeed(2)])
        #expect(press([.char(" ")], &s, snapshot: replay) == [.togglePause])
        #expect(press([.char("+")], &s).isEmpty)
        #expect(ReplayStatus.faster(than: 128) == .infinity)
        #expect(ReplayStatus.slower(than: .infinity) == 128)
    }
}

@Suite struct LineEditorAndFilterTests {
    @Test func lineEditorWordAndLineKills() {
        var e = LineEditor("tenant=acme kind=cross")
        _ = e.handle(.ctrl("w"))
        #expect(e.text == "tenant=acme ")
        _ = e.handle(.ctrl("a"))
        _ = e.handle(.delete)
        #expect(e.text == "enant=acme ")
        _ = e.handle(.end)
        _ = e.handle(.char("商"))
        #expect(e.handle(.enter) == .submit("enant=acme 商"))
        _ = e.handle(.ctrl("u"))
        #expect(e.text == "")
        #expect(e.handle(.char("\u{1B}")) == .editing && e.text == "", "controls are not inserted")
    }

    @Test func streamFiltersByTenantAndSource() throws {
        let f = try Filters.parse("tenant=acme source=audit")
        let a = StreamRow(sequence: 1, time: nil, source: "audit.log", line: 1, kind: .request, text: "", caller: "acme")
        let b = StreamRow(sequence: 2, time: nil, source: "postgresql.log", line: 1, kind: .statement, text: "", caller: "acme")
        let c = StreamRow(sequence: 3, time: nil, source: "audit.log", line: 2, kind: .request, text: "", caller: "globex", tenants: ["acme"])
        #expect(f.matches(a) && !f.matches(b) && f.matches(c))
        #expect(throws: Filters.ParseError.self) { try Filters.parse("severity=urgent") }
        #expect(try Filters.parse("kind=cross_tenant_q").kind == .crossTenantQuery)
    }
}
