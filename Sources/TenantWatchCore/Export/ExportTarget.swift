import Foundation

/// Where `export --out` may write. An existing file is refused unless the caller says
/// `--force` (as `keygen` refuses to overwrite a key), and some files are refused even then: the
/// open incident store (with its `-wal`, `-shm` and `-journal`), the signing key, the config,
/// any PEM key and any SQLite database — overwriting one loses every incident, note or key, and
/// no bundle is worth that. Files are compared by device and inode, so `./store.sqlite`, a
/// symbolic link or a hard link to the store are the store too.
public struct ExportTarget: Sendable {
    /// A file that must never be overwritten, and what to call it in the refusal.
    public struct Protected: Sendable {
        public var path: String
        public var what: String
        public init(path: String, what: String) { self.path = path; self.what = what }
    }

    public var path: String
    public var force: Bool
    public var protected: [Protected]

    public init(path: String, force: Bool, protected: [Protected]) {
        self.path = path
        self.force = force
        self.protected = protected
    }

    /// The protections for an export from the store at `store`.
    public static func protections(store: String, signingKey: String?, config: String?) -> [Protected] {
        var out = ["", "-wal", "-shm", "-journal"].map { Protected(path: store + $0, what: "the open incident store") }
        if let signingKey { out.append(Protected(path: signingKey, what: "the signing key")) }
        if let config { out.append(Protected(path: config, what: "the config file")) }
        return out
    }

    /// Throws why the target may not be written; nil when it may.
    public func check() throws(BundleError) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }   // nothing there (ENOENT): fine
        // Through a symbolic link, the file it names is the one that matters for what it is.
        var target = st
        let followed = stat(path, &target) == 0
        for p in protected {
            var ps = stat()
            guard stat(p.path, &ps) == 0 else { continue }
            if (followed && target.st_dev == ps.st_dev && target.st_ino == ps.st_ino)
                || (st.st_dev == ps.st_dev && st.st_ino == ps.st_ino) {
                throw .refusedTarget(path: path, reason: "it is \(p.what); never overwritten, even with --force")
            }
        }
        if followed && (target.st_mode & S_IFMT) == S_IFDIR {
            throw .refusedTarget(path: path, reason: "it is a directory")
        }
        if followed && (target.st_mode & S_IFMT) == S_IFREG, let kind = ExportTarget.precious(path) {
            throw .refusedTarget(path: path, reason: "it is \(kind); never overwritten, even with --force")
        }
        if !force {
            throw .refusedTarget(path: path, reason: "it exists; pass --force to replace it")
        }
    }

    /// What a file is, judged by its first bytes, when it must never be overwritten.
    static func precious(_ path: String) -> String? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        guard let head = try? h.read(upToCount: 64), !head.isEmpty else { return nil }
        if head.starts(with: Array("SQLite format 3\u{0}".utf8)) { return "a SQLite database (an incident store?)" }
        let text = String(decoding: head, as: UTF8.self)
        if text.hasPrefix("-----BEGIN") && (text.contains("KEY") || text.contains("CERTIFICATE")) { return "a PEM key" }
        return nil
    }
}
