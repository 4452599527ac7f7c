import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNCurses

/// The only code that calls ncurses (it is not thread-safe): set-up, colours, drawing a
/// `CellGrid`, reading keys, and putting the terminal back.
///
/// Crash restore: termios is saved before `initscr`; SEGV/BUS/ILL/TRAP/ABRT/FPE handlers (C, in
/// the CNCurses shim, async-signal-safe) restore it, write `ESC[0m ESC[?25h ESC[?1049l`,
/// re-install the previous action and return, so Swift's backtrace still prints.
/// Only this file calls the shim's termios/crash functions (their state is file-static in C).
@MainActor
final class NCursesTerminal {
    private(set) var depth: ColorDepth = .none
    private var active = false
    private var roleAttributes: [StyleRole: (attrs: attr_t, pair: Int32)] = [:]

    private var screen: OpaquePointer?

    /// Throws when there is no usable terminal (not a tty, unknown TERM) with nothing changed.
    func start(theme: Theme, noColor: Bool) throws {
        guard !active else { return }
        guard isatty(0) == 1, isatty(1) == 1 else { throw DashboardError.notATerminal }
        _ = setlocale(LC_ALL, "")
        // LANG unset (ssh, containers) leaves the "C" locale: wide text would be garbage and
        // wcwidth would measure nothing. The terminal speaks UTF-8 in practice; say so.
        if tw_wcwidth(0x4E00) != 2, setlocale(LC_CTYPE, "C.UTF-8") == nil { _ = setlocale(LC_CTYPE, "en_US.UTF-8") }
        let term = String(cString: getenv("TERM") ?? strdup(""))
        switch tw_has_cursor_addressing() {
        case 0: throw DashboardError.noCursorAddressing(term)
        case -1: throw DashboardError.unknownTerminal(term)
        default: break
        }
        tw_save_termios()
        tw_install_crash_handlers()
        guard let screen = tw_newterm() else {
            tw_uninstall_crash_handlers()
            throw DashboardError.unknownTerminal(String(cString: getenv("TERM") ?? strdup("")))
        }
        self.screen = screen
        active = true
        _ = raw()           // Ctrl-C arrives as key 3; SIGINT from `kill` is handled by Dashboard.
        _ = noecho()
        _ = nonl()
        _ = keypad(tw_stdscr(), true)
        _ = set_escdelay(25)
        _ = curs_set(0)
        _ = timeout(100)
        if !noColor && has_colors() {
            _ = start_color()
            _ = use_default_colors()
            depth = ColorDepth(colors: Int(tw_colors()), hasColors: true)
        } else {
            depth = .none
        }
        applyTheme(theme)
    }

    /// Colour pairs for every distinct (fg, bg) the theme uses at this terminal's depth.
    func applyTheme(_ theme: Theme) {
        let resolved = theme.resolved(for: depth)
        var pairs: [[Int]: Int32] = [:]
        var next: Int32 = 1
        roleAttributes = [:]
        for role in StyleRole.allCases {
            let r = resolved[role]!
            var pair: Int32 = 0
            if depth != .none && (r.fg != -1 || r.bg != -1) {
                if let p = pairs[[r.fg, r.bg]] {
                    pair = p
                } else if next < tw_color_pairs() {
                    pair = next
                    next += 1
                    if init_extended_pair(pair, Int32(r.fg), Int32(r.bg)) != tw_ok() {
                        _ = init_pair(Int16(truncatingIfNeeded: pair), Int16(r.fg), Int16(r.bg))
                    }
                    pairs[[r.fg, r.bg]] = pair
                }
            }
            var attrs = tw_a_normal()
            if r.attributes.contains(.bold) { attrs |= tw_a_bold() }
            if r.attributes.contains(.underline) { attrs |= tw_a_underline() }
            if r.attributes.contains(.reverse) { attrs |= tw_a_reverse() }
            if r.attributes.contains(.dim) { attrs |= tw_a_dim() }
            roleAttributes[role] = (attrs, pair)
        }
    }

    /// Puts `text` on the clipboard with OSC 52 (xterm, kitty, iTerm2, tmux with `set-clipboard
    /// on`; over ssh too). Written beside ncurses, not through it: it draws nothing. The text is
    /// base64, so nothing in it can reach the terminal as a control.
    func copyToClipboard(_ text: String) {
        let sequence = Array(("\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}").utf8)
        sequence.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(1, raw.baseAddress!.advanced(by: offset), raw.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
    }

    /// The terminal's bell (or its visible flash, as the user set the terminal up).
    func bell() { _ = beep() }

    func size() -> Size {
        var h: Int32 = 0, w: Int32 = 0
        tw_getmaxyx(tw_stdscr(), &h, &w)
        return Size(width: Int(w), height: Int(h))
    }

    /// Copies a frame out. ncurses diffs it against the screen and sends only the changes.
    func draw(_ grid: CellGrid) {
        _ = erase()
        var buffer: [wchar_t] = []
        buffer.reserveCapacity(grid.width + 1)
        for y in 0..<grid.height {
            for run in grid.runs(row: y) {
                let (attrs, pair) = roleAttributes[run.role] ?? (tw_a_normal(), 0)
                var p = pair
                _ = attr_set(attrs, Int16(truncatingIfNeeded: pair), &p)
                buffer.removeAll(keepingCapacity: true)
                for s in run.text.unicodeScalars { buffer.append(wchar_t(bitPattern: s.value)) }
                buffer.append(0)
                _ = mvaddwstr(Int32(y), Int32(run.x), buffer)
            }
        }
        _ = refresh()
    }

    /// Every key waiting (up to `timeout` ms for the first), drained until ERR.
    func readKeys() -> [Key] {
        var keys: [Key] = []
        while true {
            var ch: wint_t = 0
            let r = get_wch(&ch)
            if r == ERR { break }
            if let k = NCursesTerminal.decode(result: r, code: ch) { keys.append(k) }
            if keys.count > 256 { break }
            _ = timeout(0)
        }
        _ = timeout(100)
        return keys
    }

    nonisolated static func decode(result: Int32, code: wint_t) -> Key? {
        let c = Int32(bitPattern: code)
        if result == tw_key_code_yes() {
            switch c {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_NPAGE: return .pageDown
            case KEY_PPAGE: return .pageUp
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_ENTER: return .enter
            case KEY_BACKSPACE: return .backspace
            case KEY_DC: return .delete
            case KEY_BTAB: return .backTab
            case tw_key_resize(): return .resize
            default: return nil
            }
        }
        switch c {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .ctrl(Character(Unicode.Scalar(UInt8(c) + 96)))
        default:
            guard let s = Unicode.Scalar(UInt32(code)) else { return nil }
            return .char(Character(s))
        }
    }

    /// Leaves curses mode and removes the crash handlers. Safe to call twice.
    func stop() {
        guard active else { return }
        active = false
        _ = curs_set(1)
        _ = endwin()
        if let screen { delscreen(screen) }
        screen = nil
        tw_uninstall_crash_handlers()
    }
}

/// Why the dashboard could not start (the terminal is left untouched).
public enum DashboardError: Error, CustomStringConvertible {
    case notATerminal
    case unknownTerminal(String)
    /// TERM=dumb and its kind: no cursor addressing, so no screen to draw.
    case noCursorAddressing(String)

    public var description: String {
        switch self {
        case .notATerminal: return "the dashboard needs a terminal on standard input and output (use `scan` for scripts)"
        case .unknownTerminal(let t): return "cannot open the terminal: TERM=\(t) is unknown to terminfo (try TERM=xterm-256color)"
        case .noCursorAddressing(let t):
            return "TERM=\(t) cannot move the cursor, so the dashboard cannot draw: use `tenantwatch incidents` or "
                + "`tenantwatch scan` for plain text, `live --no-tui` to follow, or set TERM=xterm-256color"
        }
    }
}
