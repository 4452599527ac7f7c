import TenantWatchCore

/// What must hold for any input, checked after every run so a silent wrong answer is a crash
/// libFuzzer reports, not just a segfault: every unparsed line carries a position inside the
/// input, in the input's file.
public enum Invariants {
    public static func check(_ events: [Event], lines: Int, file: String) {
        for e in events {
            guard case .unparsed(let u) = e else { continue }
            precondition(u.position.file == file, "unparsed line names file \(u.position.file), not \(file)")
            precondition(u.position.line >= 1 && u.position.line <= max(lines, 1),
                         "unparsed line at \(u.position.line), input has \(lines) lines")
        }
    }
}
