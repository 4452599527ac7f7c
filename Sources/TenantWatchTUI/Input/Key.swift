import TenantWatchCore

/// A key press, decoded by the terminal backend (or made by a test).
public enum Key: Equatable, Sendable {
    case char(Character)
    case ctrl(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    case resize
}

/// What the user asked the host (the `live`/`replay` command) to do.
public enum Action: Equatable, Sendable {
    case quit
    case acknowledge(String)
    case resolve(String)
    /// Back to open (undoes an acknowledge or a resolve).
    case reopen(String)
    /// A note on the incident, internal or customer-visible (only the latter goes into bundles).
    case addNote(String, String, NoteVisibility)
    /// Write evidence bundles for the incident; the host reports where in `DashboardSnapshot.notice`.
    case export(String)
    /// Replay speed (log seconds per wall second); `.infinity` is `max`.
    case setSpeed(Double)
    /// Replay: pause or resume reading.
    case togglePause
    /// Put the text on the terminal's clipboard (OSC 52). The dashboard does this itself; a
    /// host never sees it.
    case copy(String)
}
