#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a source path as the user wrote it (`/var/log/postgresql/postgresql-*.log`) into files.
public enum PathExpansion {
    /// Matching files in name order (PostgreSQL's `postgresql-%Y-%m-%d_%H%M%S.log` sorts by time).
    /// `-` stays `-` (standard input). A pattern without glob characters is returned as is, so a
    /// missing file gives a clear "no such file" when opened rather than vanishing.
    public static func expand(_ pattern: String) -> [String] {
        if pattern == "-" { return ["-"] }
        guard pattern.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) else { return [pattern] }
        var g = glob_t()
        defer { globfree(&g) }
        guard glob(pattern, 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { out.append(String(cString: p)) }
        }
        return out.sorted()
    }
}
