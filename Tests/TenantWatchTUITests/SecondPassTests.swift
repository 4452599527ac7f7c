import Foundation
import Testing
import TenantWatchCore
import TenantWatchSampleData
@testable import TenantWatchTUI

/// Issue 17's "wrong or misleading" list, one behaviour a test: search and filters over the
/// evidence, sort and hide, acting with confirmation and undo, the stream's order and Enter,
/// the end of a replay, help, colours, layout and wrapping.
@Suite struct SecondPassTests {
    static let base: Int64 = 1_795_351_930_000_000

    /// Three incidents with evidence an on-call engineer searches for.
    static func evidenceSnapshot() -> DashboardSnapshot {
        func finding(_ id: String, _ kind: FindingKind, _ severity: Severity, at seconds: Int64, request: String? = nil,
                     app: String? = nil, route: String? = nil, tables: [String] = [], statement: String? = nil,
                     cacheKey: String? = nil, caller: String, exposed: [String]) -> Finding {
            var f = Finding(kind: kind, severity: severity, time: Timestamp(microseconds: base + seconds * 1_000_000),
                            message: "\(kind.rawValue) \(caller)", incident: id, requestID: request, callerTenant: caller,
                            accessedTenants: exposed, tables: tables, application: app, route: route, statement: statement,
                            cacheKey: cacheKey)
            f.lastSeen = f.time
            return f
        }
        let findings = [
            finding("INC-0001", .crossTenantQuery, .critical, at: 10, request: "req-0107", app: "billing-api",
                    route: "GET /api/invoices", tables: ["invoices"], statement: "SELECT * FROM invoices WHERE tenant_id = 'globex'",
                    caller: "acme", exposed: ["globex"]),
            finding("INC-0002", .missingTenantPredicate, .high, at: 20, app: "export-job", tables: ["projects"],
                    statement: "SELECT * FROM projects WHERE id = 1041", caller: "initech", exposed: []),
            finding("INC-0003", .unscopedCacheKey, .medium, at: 5, cacheKey: "project:1041", caller: "hooli", exposed: []),
        ]
        var incidents = IncidentSummary.from(findings: findings)
        incidents[incidents.firstIndex { $0.id == "INC-0003" }!].state = .resolved
        var stream: [StreamRow] = []
        for (i, f) in findings.enumerated() {
            StreamRow.insert(StreamRow(sequence: UInt64(i + 1), time: f.time, source: "postgresql.log", line: 10 + i, kind: .statement,
                                       text: f.statement ?? "GET \(f.cacheKey ?? "")", flags: [.leak], caller: f.callerTenant,
                                       findingKey: FindingAggregator.dedupKey(for: f)),
                             inLogTimeOrder: &stream)
        }
        var snap = DashboardSnapshot(counters: Counters(events: 3, findings: 3, incidents: 3), stream: stream, incidents: incidents)
        let byKey = Dictionary(findings.map { (FindingAggregator.dedupKey(for: $0), $0.incident!) }, uniquingKeysWith: { $1 })
        snap.incidentOfFinding = { byKey[$0] }
        let byID = Dictionary(findings.map { ($0.incident!, $0) }, uniquingKeysWith: { $1 })
        snap.details = ClosureDetailProvider { id in byID[id].map { IncidentDetail(findings: [$0]) } }
        return snap
    }

    func press(_ keys: [Key], _ s: inout UIState, _ snap: DashboardSnapshot) -> [Action] {
        keys.flatMap { handle(key: $0, state: &s, snapshot: snap) }
    }

    func type(_ text: String) -> [Key] { text.map { Key.char($0) } }

    // MARK: 5. search and filters

    @Test func searchReachesEveryEvidenceFieldAndTakesRegex() {
        let snap = Self.evidenceSnapshot()
        for (needle, id) in [("req-0107", "INC-0001"), ("export-job", "INC-0002"), ("project:1041", "INC-0003"),
                             ("WHERE id = 1041", "INC-0002"), ("GET /api/invoices", "INC-0001"), ("req-01(07|99)", "INC-0001"),
                             ("tenant_id = '[a-z]+'", "INC-0001")] {
            var s = UIState()
            s.incidentCursor = snap.incidents.first { $0.id != id }!.id
            _ = press([.char("/")] + type(needle) + [.enter], &s, snap)
            #expect(s.incidentCursor == id, "/\(needle) should land on \(id)")
            #expect(s.message == nil, "/\(needle): \(s.message ?? "")")
        }
        var s = UIState()
        _ = press([.char("/")] + type("req-9999") + [.enter], &s, snap)
        #expect(s.message == "pattern not found: req-9999")
        // Not a regular expression: searched as text, not refused.
        _ = press([.char("/")] + type("project:1041(") + [.enter], &s, snap)
        #expect(s.message == "pattern not found: project:1041(")
    }

    @Test func filtersForStateTableAppAndSince() throws {
        let snap = Self.evidenceSnapshot()
        func shown(_ text: String) throws -> [String] {
            let now = Timestamp(microseconds: Self.base + 30 * 1_000_000)
            let f = try Filters.parse(text, now: now)
            return snap.incidents.filter { f.matches($0) }.map(\.id).sorted()
        }
        #expect(try shown("state=open") == ["INC-0001", "INC-0002"])
        #expect(try shown("state=resolved") == ["INC-0003"])
        #expect(try shown("table=invoices") == ["INC-0001"])
        #expect(try shown("app=export-job") == ["INC-0002"])
        #expect(try shown("since=25s") == ["INC-0001", "INC-0002", "INC-0003"])
        #expect(try shown("since=21s") == ["INC-0001", "INC-0002"])
        #expect(try shown("since=15s") == ["INC-0002"])
        #expect(try shown("table=projects state=open") == ["INC-0002"])
        #expect(try Filters.parse("since=30m state=ack").description == "state=acknowledged since=30m")
        #expect(throws: Filters.ParseError.self) { try Filters.parse("since=yesterday") }
        #expect(throws: Filters.ParseError.self) { try Filters.parse("state=closed") }
    }

    @Test func kindNeverSilentlyMeansOneOfSeveral() {
        do {
            _ = try Filters.parse("kind=cross")
            Issue.record("kind=cross was taken")
        } catch let e as Filters.ParseError {
            #expect(e.message.contains("cross_tenant_query") && e.message.contains("cross_tenant_response"))
        } catch {
            Issue.record("\(error)")
        }
        var s = UIState()
        _ = press([.char("f")] + type("kind=cross") + [.enter], &s, Self.evidenceSnapshot())
        #expect(s.filters.isEmpty)
        #expect(s.message?.contains("write one in full") == true)
    }

    @Test func namedViewsFromTheConfig() throws {
        let settings = try DashboardSettings.parse("""
        [tenancy]
        columns = ["tenant_id"]
        [dashboard.views]
        exports = "app=export-job state=open"
        """)
        #expect(settings.views == ["exports": "app=export-job state=open"])
        var s = UIState()
        s.views = settings.views
        _ = press([.char("f")] + type("exports") + [.enter], &s, Self.evidenceSnapshot())
        #expect(s.filters.app == "export-job" && s.filters.state == .open)
        #expect(throws: DashboardSettings.Error.self) { try DashboardSettings.parse("[dashboard.views]\nbad = \"kind=cross\"\n") }
        #expect(throws: DashboardSettings.Error.self) { try DashboardSettings.parse("[dashboard]\nbell = 1\n") }
    }

    // MARK: 1. header, pane and filters agree

    @Test func headerPaneAndFilterAgreeOnEveryIncident() {
        // 6,000 incidents: more than the list used to hold (5,000). Each is reachable.
        let many = SampleSnapshot.make(incidents: 6_000, events: 10)
        let g = render(many, UIState(), size: Fixtures.wide)
        #expect(g.text.contains("incidents: 6000"))
        #expect(g.text.contains("Incidents (6000)"))
        var s = UIState()
        _ = press([.char("f")] + type("tenant=acme") + [.enter], &s, many)
        let expected = many.incidents.filter { $0.caller == "acme" || $0.exposed.contains("acme") }.count
        #expect(render(many, s, size: Fixtures.wide).text.contains("Incidents (\(expected) of 6000)"))
        _ = press([.char("G")], &s, many)
        #expect(s.incidentCursor == many.incidents.last { $0.caller == "acme" || $0.exposed.contains("acme") }!.id)
    }

    // MARK: 6. sort and hide

    @Test func sortKeepsTheSelectionAndHHidesResolved() {
        let snap = Self.evidenceSnapshot()
        var s = UIState()
        s.incidentCursor = "INC-0002"
        _ = press([.char("o")], &s, snap)
        #expect(s.sort == .firstSeen)
        #expect(IncidentsView.visible(snap, s).map(\.id) == ["INC-0002", "INC-0001", "INC-0003"])
        _ = press([.char("o")], &s, snap)
        #expect(s.sort == .severity)
        #expect(IncidentsView.visible(snap, s).map(\.id) == ["INC-0001", "INC-0002", "INC-0003"])
        #expect(s.incidentCursor == "INC-0002", "the selection stays on its incident")
        let g = render(snap, s, size: Fixtures.wide)
        #expect(g.text.contains("by severity"))
        let row = (0..<g.height).first { g.line($0).contains("INC-0002") }!
        #expect(g[2, row].role == .selected)
        _ = press([.char("h")], &s, snap)
        #expect(!IncidentsView.visible(snap, s).contains { $0.id == "INC-0003" })
        #expect(render(snap, s, size: Fixtures.wide).text.contains("resolved hidden"))
        _ = press([.char("o"), .char("o")], &s, snap)
        #expect(s.sort == .lastSeen)
    }

    // MARK: 9. acting

    @Test func resolvingACriticalIncidentAsksAndReopenUndoes() {
        var snap = Self.evidenceSnapshot()
        var s = UIState()
        s.incidentCursor = "INC-0001"
        #expect(press([.char("r")], &s, snap).isEmpty)
        #expect(s.prompt == .confirm(.resolve("INC-0001"), "INC-0001 stays open"))
        #expect(render(snap, s, size: Fixtures.narrow).line(23).contains("resolve critical incident INC-0001?"))
        #expect(press([.char("n")], &s, snap).isEmpty)
        #expect(s.message == "not done: INC-0001 stays open")
        _ = press([.char("r")], &s, snap)
        #expect(press([.char("y")], &s, snap) == [.resolve("INC-0001")])
        #expect(render(snap, s, size: Fixtures.narrow).line(23).contains("INC-0001 resolved — u reopens"))
        snap.incidents[snap.incidents.firstIndex { $0.id == "INC-0001" }!].state = .resolved
        #expect(press([.char("u")], &s, snap) == [.reopen("INC-0001")])
        #expect(s.message == "INC-0001 reopened")
        // A high incident is resolved at once, and says so.
        s.incidentCursor = "INC-0002"
        #expect(press([.char("r")], &s, snap) == [.resolve("INC-0002")])
        #expect(s.message == "INC-0002 resolved — u reopens")
        #expect(press([.char("a")], &s, snap) == [.acknowledge("INC-0002")])
        #expect(s.message == "INC-0002 acknowledged — u reopens")
    }

    // MARK: 7. the stream

    @Test func streamIsInLogTimeOrderAndEnterOpensTheIncident() {
        let snap = Self.evidenceSnapshot()
        let times = snap.stream.compactMap(\.time)
        #expect(times == times.sorted(), "rows read out of order are shown in log-time order")
        #expect(snap.stream.map(\.sequence) == [3, 1, 2])
        var s = UIState()
        _ = press([.tab, .char("k")], &s, snap) // the row before the newest: INC-0001's statement
        #expect(s.streamCursor == 1)
        _ = press([.enter], &s, snap)
        #expect(s.screen == .detail("INC-0001"))
        s = UIState()
        _ = press([.tab, .enter], &s, snap) // following: Enter opens the newest row's incident
        #expect(s.screen == .detail("INC-0002"))
        let quiet = DashboardSnapshot(stream: [StreamRow(sequence: 1, time: nil, source: "a", line: 1, kind: .statement, text: "SELECT 1")])
        s = UIState()
        _ = press([.tab, .enter], &s, quiet)
        #expect(s.screen == .main)
        #expect(s.message == "this event raised no finding")
    }

    // MARK: 8. end of replay

    @Test func theEndOfAReplaySaysSoAndNotPausedOrFollow() {
        var snap = SampleSnapshot.make(incidents: 12, events: 40, replay: true)
        snap.replay?.finished = true
        for size in [Fixtures.wide, Fixtures.narrow] {
            var s = UIState()
            s.size = size
            let g = render(snap, s, size: size)
            #expect(g.line(0).contains("replay finished — 40 events, 12 incidents"))
            #expect(!g.text.contains("PAUSED") && !g.text.contains("FOLLOW"))
            #expect(Fixtures.columnsOK(g))
            Golden.check("replay-finished-\(size.width)x\(size.height)", g.text)
        }
    }

    // MARK: 2. where reading started

    @Test func whereReadingStartedIsOnScreen() {
        var snap = DashboardSnapshot.empty
        snap.origin = "the end of the files: new lines only (--from-start reads them whole)"
        let g = render(snap, UIState(), size: Size(width: 160, height: 24))
        #expect(g.line(2).contains("reading from the end of the files: new lines only"))
        Golden.check("origin-160x24", g.text)
    }

    /// Attached to a shared store with no local sources, the header names the store (without
    /// its password), not a file position that does not exist.
    @Test func attachedDashboardNamesTheStore() {
        var snap = DashboardSnapshot.empty
        snap.origin = StoreLocation.attachedOrigin("postgresql://tw:s3cret@db.internal:5432/tenantwatch")
        let g = render(snap, UIState(), size: Size(width: 160, height: 24))
        #expect(g.line(2).contains("reading from the shared store postgres://tw@db.internal:5432/tenantwatch (attached"))
        #expect(!g.text.contains("s3cret") && !g.text.contains("end of the files"))
        Golden.check("origin-attached-160x24", g.text)
    }

    // MARK: 10. help

    @Test func helpListsEveryKeyAndMarker() {
        // Every key the handler acts on, and every marker the stream draws.
        for key in ["j k", "PgUp", "g G", "Tab", "Enter", "Esc", "space", "+ -", "/ n N", "f", "F s", "o", "h", "a r u", "m",
                    "x", "?", "!X", "!U", "!", "▶ ›"] {
            #expect(HelpView.entries.contains { $0.0.contains(key) }, "help lacks \(key)")
        }
        for size in [Fixtures.wide, Fixtures.narrow] {
            var s = UIState()
            s.size = size
            s.helpVisible = true
            var seen = Set<String>()
            for _ in 0...HelpView.entries.count {
                let text = render(.empty, s, size: size).text
                for e in HelpView.entries where text.contains(e.1) { seen.insert(e.1) }
                _ = handle(key: .char("j"), state: &s, snapshot: .empty)
            }
            #expect(seen.count == HelpView.entries.count, "\(size): help shows \(seen.count) of \(HelpView.entries.count)")
            #expect(s.helpVisible, "j scrolls the help, it does not close it")
        }
    }

    // MARK: 3. colours

    @Test func everyThemeIsLegibleAt8And16And256Colours() {
        for name in Theme.builtinNames {
            let theme = Theme.builtin(name)!
            for depth in [ColorDepth.c8, .c16, .c256] {
                let resolved = theme.resolved(for: depth)
                for (role, r) in resolved {
                    if r.bg == -1 && r.fg != -1 {
                        #expect(!Theme.invisibleOnSomeBackground(r.fg),
                                "\(name) at \(depth.rawValue) colours: \(role) is colour \(r.fg), lost on a dark or light background")
                    }
                    if r.fg != -1 { #expect(r.fg != r.bg, "\(name) at \(depth.rawValue): \(role) is text the colour of its background") }
                }
                // Muted text stays muted: it differs from plain text by colour or attribute.
                let dim = resolved[.dim]!, text = resolved[.text]!
                #expect(dim != text, "\(name) at \(depth.rawValue): dim looks like text")
            }
        }
        // The case that was broken: xterm's 8 colours turned the muted grey into black.
        let dim8 = Theme.builtin("default")!.resolved(for: .c8)[.dim]!
        #expect(dim8.fg == -1 && dim8.attributes.contains(.dim))
    }

    // MARK: 4. layout

    @Test func at80ColumnsTheKindIsCutNeverTenantsOrIds() {
        let long = IncidentSummary(id: "INC-12345", severity: .critical, kinds: [.crossTenantResponse, .tokenHostMismatch],
                                   caller: "initech", exposed: ["globex", "umbrella"], firstSeen: nil, lastSeen: nil, count: 3)
        let snap = DashboardSnapshot(counters: Counters(incidents: 1), incidents: [long])
        let g = render(snap, UIState(), size: Fixtures.narrow)
        let row = g.line((0..<g.height).first { g.line($0).contains("INC-12345") }!)
        #expect(row.contains("initech → globex,umbrella"), "tenants cut: \(row)")
        #expect(row.contains("INC-12345 "))
        #expect(!row.contains("cross_tenant_response"), "the kind gives way first: \(row)")
        #expect(Fixtures.columnsOK(g))
        Golden.check("layout-long-tenants-80x24", g.text)
    }

    @Test func aWideTerminalShowsApplicationTablesAndRoute() {
        let snap = Self.evidenceSnapshot()
        let size = Size(width: 220, height: 40)
        var s = UIState()
        s.size = size
        let g = render(snap, s, size: size)
        #expect(g.text.contains("WHERE (app · tables · route)"))
        #expect(g.text.contains("billing-api · invoices · GET /api/invoices"))
        #expect(g.text.contains("export-job · projects"))
        #expect(Fixtures.columnsOK(g))
        Golden.check("wide-220x40", g.text)
    }

    @Test func theDetailViewWrapsLongLines() {
        let long = String(repeating: "very-long-request-field-", count: 8) + "END"
        var f = Finding(kind: .crossTenantResponse, severity: .high, time: Timestamp(microseconds: Self.base),
                        message: "response of tenant globex to acme " + long, incident: "INC-0009", callerTenant: "acme",
                        accessedTenants: ["globex"])
        f.lastSeen = f.time
        let detail = IncidentDetail(findings: [f])
        var snap = DashboardSnapshot(incidents: IncidentSummary.from(findings: [f]))
        snap.details = ClosureDetailProvider { _ in detail }
        var s = UIState()
        s.screen = .detail("INC-0009")
        let g = render(snap, s, size: Fixtures.narrow)
        let joined = (0..<g.height).map { g.line($0).trimmingCharacters(in: .whitespaces) }.joined()
        #expect(joined.contains(long), "the message's end is on screen, wrapped")
        #expect(Fixtures.columnsOK(g))
    }

    // MARK: shared parsing

    @Test func relativeTimes() {
        let now = Timestamp(microseconds: Self.base)
        #expect(RelativeTime.parse("30m", now: now) == Timestamp(microseconds: Self.base - 1_800_000_000))
        #expect(RelativeTime.parse("-2h", now: now) == Timestamp(microseconds: Self.base - 7_200_000_000))
        #expect(RelativeTime.parse("1d", now: now) == Timestamp(microseconds: Self.base - 86_400_000_000))
        #expect(RelativeTime.parse("2026-11-22T12:52:10Z", now: now) == Timestamp(microseconds: Self.base))
        #expect(RelativeTime.parse("soon", now: now) == nil)
        #expect(RelativeTime.duration("2026-11-22") == nil)
    }
}

/// "Still happening?" and the bell: issue 17's "missing" list, items 2 and 4.
@Suite struct StillHappeningTests {
    @Test func lastSeenAgoAndActiveOrQuiet() {
        var snap = SecondPassTests.evidenceSnapshot()
        snap.now = Timestamp(microseconds: SecondPassTests.base + 30 * 1_000_000)
        var s = UIState()
        s.size = Fixtures.wide
        let g = render(snap, s, size: Fixtures.wide)
        let row = (0..<g.height).first { g.line($0).contains("INC-0001") }!
        #expect(g.line(row).contains("● 20s ago"), "\(g.line(row))")
        let x = DisplayWidth.of(String(g.line(row).prefix { $0 != "●" }))
        #expect(g[x, row].role == .statusError, "an active incident's LAST stands out")
        Golden.check("last-seen-160x45", g.text)
        snap.now = Timestamp(microseconds: SecondPassTests.base + (3 * 3600 + 30) * 1_000_000)
        let later = render(snap, s, size: Fixtures.wide)
        #expect(later.text.contains("  3h ago") && !later.text.contains("●"))
        s.screen = .detail("INC-0002")
        #expect(render(snap, s, size: Fixtures.wide).text.contains("last seen 3h ago  quiet: nothing for 2 min or more"))
        snap.now = Timestamp(microseconds: SecondPassTests.base + 21 * 1_000_000)
        #expect(render(snap, s, size: Fixtures.wide).text.contains("last seen 1s ago  active: still happening"))
    }

    @Test func aNewCriticalIncidentIsNoticedOnceAndNotAtStart() throws {
        var watch = CriticalWatch()
        var snap = SecondPassTests.evidenceSnapshot()
        #expect(watch.newCriticals(in: snap).isEmpty, "criticals already there at start do not ring")
        snap.incidents.append(IncidentSummary(id: "INC-0004", severity: .critical, kinds: [.crossTenantResponse], caller: "acme",
                                              exposed: ["globex"], firstSeen: nil, lastSeen: nil, count: 1))
        snap.incidents.append(IncidentSummary(id: "INC-0005", severity: .high, kinds: [.crossTenantResponse], caller: "acme",
                                              exposed: ["globex"], firstSeen: nil, lastSeen: nil, count: 1))
        #expect(watch.newCriticals(in: snap) == ["INC-0004"])
        #expect(watch.newCriticals(in: snap).isEmpty)
        // An incident that becomes critical later rings then.
        snap.incidents[snap.incidents.count - 1].severity = .critical
        #expect(watch.newCriticals(in: snap) == ["INC-0005"])
        #expect(try DashboardSettings.parse("[dashboard]\nbell = false\n").bell == false)
        #expect(try DashboardSettings.parse("").bell)
    }
}

@Suite struct ExposureTests {
    @Test func callerByExposedWithAllTenantsForUnscoped() {
        let snap = SecondPassTests.evidenceSnapshot()
        let pairs = ExposureView.pairs(snap.incidents)
        #expect(pairs.map { "\($0.caller)→\($0.exposed)" }.sorted() == ["acme→globex", "hooli→all tenants", "initech→all tenants"])
        let hooli = pairs.first { $0.caller == "hooli" }!
        #expect(hooli.open == 0 && hooli.incidents == 1, "INC-0003 is resolved")
        var s = UIState()
        s.size = Fixtures.wide
        _ = handle(key: .char("E"), state: &s, snapshot: snap)
        #expect(s.screen == .exposure)
        let g = render(snap, s, size: Fixtures.wide)
        #expect(g.text.contains("Exposure: caller tenant → exposed tenant (3 pairs)"))
        let row = g.line((0..<g.height).first { g.line($0).contains(" acme ") && g.line($0).contains("globex") }!)
        #expect(row.contains("11-22 12:52:20"))
        #expect(Fixtures.columnsOK(g))
        Golden.check("exposure-160x45", g.text)
        // Filters apply: one tenant's exposure.
        s.filters = Filters(tenant: "initech")
        #expect(render(snap, s, size: Fixtures.wide).text.contains("(1 pairs, filtered)"))
        _ = handle(key: .char("q"), state: &s, snapshot: snap)
        #expect(s.screen == .main)
    }

    @Test func copyKeysAskTheDashboardForOSC52() {
        let snap = SecondPassTests.evidenceSnapshot()
        var s = UIState()
        s.incidentCursor = "INC-0001"
        #expect(handle(key: .char("c"), state: &s, snapshot: snap) == [.copy("INC-0001")])
        s.screen = .detail("INC-0001")
        #expect(handle(key: .char("C"), state: &s, snapshot: snap) == [.copy("SELECT * FROM invoices WHERE tenant_id = 'globex'")])
    }
}

@Suite struct HistogramTests {
    @Test func findingsOverTimeInOneLine() {
        let s: Int64 = 1_000_000
        let h = Sparkline.histogram([0, 1 * s, 1 * s, 9 * s, 9 * s, 9 * s, 9 * s], buckets: 5)!
        #expect(h.counts == [3, 0, 0, 0, 4])
        #expect(h.line == "▆   █")
        #expect(Sparkline.histogram([], buckets: 5) == nil)
        // On screen: the stream's title row and the incident's detail.
        let snap = SampleSnapshot.make(incidents: 12, events: 400)
        let g = render(snap, UIState(), size: Fixtures.wide)
        let title = g.line((0..<g.height).first { g.line($0).contains("Stream") }!)
        #expect(title.contains("leaks 12:52:10 ") && title.contains("█"), "\(title)")
        var d = UIState()
        d.screen = .detail(snap.incidents[0].id)
        #expect(render(snap, d, size: Fixtures.wide).text.contains("(3, most 2 in"))
    }
}
