import Foundation

/// The width tables are laid out for: the terminal's, `COLUMNS`, or 160 when piped.
enum TerminalWidth {
    static var current: Int {
        var size = winsize()
        if isatty(1) != 0, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let c = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(c), n > 0 { return n }
        return 160
    }
}
