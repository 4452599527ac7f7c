import TenantWatchCore

/// Everything the user has changed about the view. Pure data: `handle(key:state:snapshot:)`
/// changes it; `render` reads it.
public struct UIState: Equatable, Sendable {
    public enum Screen: Equatable, Sendable { case main, detail(String), exposure }
    public enum Pane: Equatable, Sendable { case incidents, stream }
    /// `confirm` asks y/n before the action (resolving a critical incident).
    public enum Prompt: Equatable, Sendable { case search, filter, note(String, NoteVisibility), confirm(Action, String) }

    /// The incidents list's order, chosen with `o`: `lastSeen` is the host's order (newest
    /// activity first); the others break ties by last seen, then id, so equal rows never swap
    /// places between frames. The cursor stays on its incident (by id) whatever the order.
    public enum Sort: String, Equatable, Sendable, CaseIterable {
        case lastSeen = "last seen", firstSeen = "first seen", severity, count
        var next: Sort { let all = Sort.allCases; return all[(all.firstIndex(of: self)! + 1) % all.count] }
    }

    public var screen: Screen = .main
    public var focus: Pane = .incidents
    public var helpVisible = false
    /// First help entry shown when the help is longer than the screen.
    public var helpScroll = 0

    /// The selected incident (by id, so it stays put as the list changes) and its screen row.
    public var incidentCursor: String?
    public var incidentCursorRow = 0

    /// `nil` follows the stream's end; else the selected row's sequence (the stream is paused).
    public var streamCursor: UInt64?
    public var streamCursorRow = 0

    public var detailScroll = 0
    /// First row shown of the exposure table (`E`).
    public var exposureScroll = 0

    /// The committed search (`/`), used by `n`/`N` and highlighted.
    public var search = ""
    public var filters = Filters()
    public var sort: Sort = .lastSeen
    /// Named filters from `[dashboard.views]` in the config: typing a name at `f` applies it.
    public var views: [String: String] = [:]
    /// `h`: resolved incidents left out of the list.
    public var hideResolved = false
    public var prompt: Prompt?
    public var editor = LineEditor()

    /// A one-shot message for the status line (errors, "acknowledged", ...).
    public var message: String?

    /// The terminal size the last frame had; key handling pages by it.
    public var size = Size(width: 80, height: 24)

    public var following: Bool { streamCursor == nil }

    public init() {}
}

public struct Size: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}

/// Where things go on the screen, shared by rendering and key handling (paging).
public struct Layout: Equatable {
    public var size: Size
    public let headerRows = 2
    public init(_ size: Size) { self.size = size }

    /// Row of the tab bar.
    public var tabRow: Int { headerRows }
    public var bodyTop: Int { headerRows + 1 }
    /// The last row holds the status line or a prompt.
    public var statusRow: Int { size.height - 1 }
    public var bodyHeight: Int { max(0, size.height - headerRows - 2) }

    /// Incidents pane: a title row and its list.
    public var incidentsTop: Int { bodyTop }
    public var incidentsHeight: Int { bodyHeight < 6 ? bodyHeight / 2 : max(3, bodyHeight * 2 / 5) }
    /// A row of column names under the incidents title, when there is room for it.
    public var incidentColumnHeads: Bool { size.height >= 30 && size.width >= 100 }
    public var incidentListRows: Int { max(0, incidentsHeight - 1 - (incidentColumnHeads ? 1 : 0)) }
    public var streamTop: Int { bodyTop + incidentsHeight }
    public var streamHeight: Int { max(0, bodyHeight - incidentsHeight) }
    public var streamListRows: Int { max(0, streamHeight - 1) }
    /// Detail screen: the whole body is one scrolling document.
    public var detailRows: Int { bodyHeight }
}
