import Testing
import TenantWatchCore
@testable import TenantWatchTUI
import TenantWatchSampleData

/// The dashboard's side of note visibility: the note prompt starts internal, Tab switches it
/// (and back) without losing the text, the prompt says which it is, and the detail view marks
/// every note, the customer-visible ones in the warning colour.
@Suite struct NoteVisibilityTests {
    let snap = SampleSnapshot.make(incidents: 30, events: 200)

    func press(_ keys: [Key], _ state: inout UIState, snapshot: DashboardSnapshot? = nil) -> [Action] {
        keys.flatMap { handle(key: $0, state: &state, snapshot: snapshot ?? snap) }
    }

    func type(_ text: String) -> [Key] { text.map { Key.char($0) } }

    @Test func tabInTheNotePromptChoosesWhoMayReadIt() {
        var s = UIState()
        let id = snap.incidents[0].id
        _ = press([.char("m")], &s)
        #expect(s.prompt == .note(id, .internal), "from the list: the selected incident, internal by default")
        _ = press(type("we fixed the cache"), &s)
        var g = render(snap, s, size: Size(width: 160, height: 45))
        #expect(g.line(g.height - 1).hasPrefix("internal note for \(id) (Tab: customer-visible): we fixed the cache"))
        _ = press([.tab], &s)
        #expect(s.prompt == .note(id, .customer) && s.focus == .incidents, "Tab toggles the note, not the pane")
        g = render(snap, s, size: Size(width: 160, height: 45))
        let status = g.runs(row: g.height - 1)
        #expect(status.first?.role == .statusWarn && status.first?.text.hasPrefix("customer-visible note for \(id)") == true)
        #expect(press([.enter], &s) == [.addNote(id, "we fixed the cache", .customer)])
        #expect(s.message == "customer-visible note added to \(id)")
        // Twice is internal again; on the detail screen too.
        _ = press([.enter, .char("m")] + type("paged bo") + [.tab, .backTab], &s)
        #expect(press([.enter], &s) == [.addNote(id, "paged bo", .internal)])
        #expect(s.message == "internal note added to \(id)")
    }

    @Test func theDetailViewMarksEachNote() {
        var sample = snap
        let summary = snap.incidents[0]
        sample.details = ClosureDetailProvider { _ in
            var d = SampleSnapshot.sampleDetail(summary)
            d.notes = [DetailNote(author: "ana", text: "paged the db team", visibility: .internal),
                       DetailNote(author: "ana", text: "cache keys now carry the tenant", visibility: .customer)]
            return d
        }
        let doc = DetailView.document(sample.detail(for: summary.id)!, width: 120)
        let lines = doc.map(\.plain)
        #expect(lines.contains("  • [internal] ana: paged the db team"))
        #expect(lines.contains("  • [customer-visible] ana: cache keys now carry the tenant"))
        let customer = doc.first { $0.plain.contains("[customer-visible]") }!
        #expect(customer.parts.contains { $0.0 == "[customer-visible]" && $0.1 == .statusWarn })
        let internalNote = doc.first { $0.plain.contains("[internal]") }!
        #expect(internalNote.parts.contains { $0.0 == "[internal]" && $0.1 == .dim })
    }
}
