import CNCurses
import TenantWatchCore

/// Placeholder until the dashboard issue lands: keeps the module and its link to ncursesw honest.
public enum Dashboard {
    public static var isAvailable: Bool { true }
}
