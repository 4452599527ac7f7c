import Crypto
import Foundation
import ZIPFoundation
import TenantWatchModel

/// `tenantwatch export`: writes one incident's evidence bundle for one customer tenant.
///
/// Every file is produced into a staging directory beside the output (streamed to disk and hashed
/// on the way), zipped into `FILE.zip.tmp-<pid>`, flushed to disk and renamed onto `FILE.zip`: an
/// export that fails or is killed never leaves a partial bundle under the bundle's name. The
/// bundle is then appended to the tenant's chain in the store; if that fails the bundle is removed.
public enum BundleWriter {
    public struct Options: Sendable {
        public var forTenant: String
        public var output: String
        public var signingKey: Curve25519.Signing.PrivateKey?
        /// Tenants known besides the store's (`[tenancy] tenants` of the config).
        public var extraTenants: [String]
        /// Keys whose values are masked besides the built-in ones (the configured audit token fields).
        public var secretKeys: [String]
        /// Where relative source paths are looked up after the working directory (the config's directory).
        public var sourceDirectories: [String]
        /// `[identity] host` and `[tenancy] columns`: to find tenants the quoted evidence names.
        public var hostPattern: String?
        public var tenantColumns: [String]
        public var now: Timestamp
        /// Replace an existing `output` (`--force`); the protected files are refused regardless.
        public var force: Bool = false
        /// What another tenant's audit lines keep (the `[audit]` paths, the claim, `[export] safe_fields`).
        public var auditAllowList = AuditAllowList()
        public var protected: [ExportTarget.Protected] = []

        public init(forTenant: String, output: String, signingKey: Curve25519.Signing.PrivateKey? = nil,
                    extraTenants: [String] = [], secretKeys: [String] = [], sourceDirectories: [String] = [],
                    hostPattern: String? = nil, tenantColumns: [String] = ["tenant_id"],
                    now: Timestamp = Timestamp(seconds: Date().timeIntervalSince1970)) {
            self.hostPattern = hostPattern
            self.tenantColumns = tenantColumns
            self.forTenant = forTenant
            self.output = output
            self.signingKey = signingKey
            self.extraTenants = extraTenants
            self.secretKeys = secretKeys
            self.sourceDirectories = sourceDirectories
            self.now = now
        }
    }

    public struct Result: Sendable {
        public var path: String
        public var manifest: Manifest
        public var manifestSHA256: String
    }

    public static func export(incident id: String, store: any IncidentStoring, options o: Options) throws -> Result {
        try ExportTarget(path: o.output, force: o.force, protected: o.protected).check()
        let detail = try store.incident(id)
        let concerned = BundleContent.concerned(detail.incident)
        guard concerned.contains(o.forTenant) else {
            throw BundleError.notConcerned(incident: detail.incident.id, tenant: o.forTenant, concerned: concerned)
        }
        let named = TenantDiscovery.tenants(in: TenantDiscovery.texts(of: detail), columns: o.tenantColumns,
                                            hostPattern: o.hostPattern)
        let tenants = try store.knownTenants().union(o.extraTenants).union(concerned).union(named)
        let pseudonyms = try store.pseudonyms(forTenant: o.forTenant, covering: tenants)
        let filter = RowDataFilter(pseudonymizer: Pseudonymizer(forTenant: o.forTenant, pseudonyms: pseudonyms),
                                   masker: TokenMasker(extraKeys: o.secretKeys), audit: o.auditAllowList)

        let output = o.output
        let pid = getpid()
        let staging = output + ".tmp-\(pid).d"
        let temporary = output + ".tmp-\(pid)"
        let fm = FileManager.default
        let parent = (output as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: parent.isEmpty ? "." : parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw BundleError.cannotWrite(path: output, reason: "no such directory: \(parent)")
        }
        removeStaleTemporaries(of: output)
        try? fm.removeItem(atPath: staging)
        do {
            try fm.createDirectory(atPath: staging + "/evidence", withIntermediateDirectories: true)
        } catch {
            throw BundleError.cannotWrite(path: staging, reason: IncidentStore.reason(error))
        }
        defer { try? fm.removeItem(atPath: staging) }
        var finished = false
        defer { if !finished { unlink(temporary) } }

        // Sources: one evidence file each, named after the (pseudonymised) file name.
        var names: [String: String] = [:]
        var taken = Set<String>()
        func sourceName(_ path: String) -> String {
            if let n = names[path] { return n }
            var base = filter.text((path as NSString).lastPathComponent)
            base = String(base.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "_" })
            if base.isEmpty || base.hasPrefix(".") { base = "source" + base }
            var name = base, n = 2
            while taken.contains(name) { name = "\(base)-\(n)"; n += 1 }
            taken.insert(name)
            names[path] = name
            return name
        }
        let content = BundleContent(detail, forTenant: o.forTenant, filter: filter, sourceName: sourceName)

        var files: [Manifest.FileEntry] = []
        func write(_ path: String, _ body: (HashingFileWriter) throws -> Void) throws {
            let w = try HashingFileWriter(path: staging + "/" + path)
            try body(w)
            let (sha, size) = try w.finish()
            files.append(Manifest.FileEntry(path: path, sha256: sha, size: size))
        }
        try write("incident.json") { try $0.write(IncidentDocument.json(content)) }
        try write("timeline.ndjson") { w in try IncidentDocument.timeline(content) { try w.write($0) } }
        try write("report.md") { try $0.write(ReportRenderer.markdown(content)) }
        try write("report.html") { try $0.write(ReportRenderer.html(content)) }
        try write("art33.json") { try $0.write(Art33Summary.json(content)) }
        let sources = try EvidenceWriter.write(detail, filter: filter, sourceName: sourceName,
                                               directories: o.sourceDirectories) { name, body in
            try write("evidence/" + name, body)
        }

        let previous = try store.lastBundle(forTenant: o.forTenant)
        let manifest = Manifest(toolVersion: TenantWatchVersion.string, exportedAt: o.now, incident: detail.incident.id,
                                forTenant: o.forTenant, sequence: (previous?.sequence ?? 0) + 1,
                                previousManifestSHA256: previous?.manifestSHA256, files: files, sources: sources,
                                signed: o.signingKey != nil)
        let manifestData = Data(manifest.json().utf8)
        let manifestSHA = Digest.sha256(manifestData)
        var signature: Data?
        if let key = o.signingKey {
            do { signature = try key.signature(for: manifestData) } catch {
                throw BundleError.cannotWrite(path: output, reason: "signing failed: \(error)")
            }
        }

        // The zip, under its temporary name.
        unlink(temporary)
        do {
            let archive = try Archive(url: URL(fileURLWithPath: temporary), accessMode: .create)
            func add(_ path: String, _ data: Data) throws {
                try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count),
                                     modificationDate: o.now.date, compressionMethod: .deflate) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
            try add(Manifest.fileName, manifestData)
            if let signature { try add(Manifest.signatureName, signature) }
            for f in files {
                try archive.addEntry(with: f.path, fileURL: URL(fileURLWithPath: staging + "/" + f.path),
                                     compressionMethod: .deflate)
            }
        } catch let e as BundleError {
            throw e
        } catch {
            throw BundleError.cannotWrite(path: temporary, reason: describe(error, path: temporary))
        }
        let fd = open(temporary, O_RDONLY)
        if fd >= 0 {
            let rc = fsync(fd)
            close(fd)
            if rc != 0 { throw BundleError.cannotWrite(path: temporary, reason: String(cString: strerror(errno))) }
        }
        // Without --force the bundle takes its name with link(2), which fails when the name has
        // been taken since the check: nothing that appeared meanwhile is overwritten.
        if o.force {
            // Checked again just before the rename, as late as it can be.
            try ExportTarget(path: output, force: true, protected: o.protected).check()
            if rename(temporary, output) != 0 {
                throw BundleError.cannotWrite(path: output, reason: String(cString: strerror(errno)))
            }
        } else {
            if link(temporary, output) != 0 {
                if errno == EEXIST { throw BundleError.refusedTarget(path: output, reason: "it exists; pass --force to replace it") }
                throw BundleError.cannotWrite(path: output, reason: String(cString: strerror(errno)))
            }
            unlink(temporary)
        }
        finished = true
        do {
            try store.recordBundle(BundleExportRecord(forTenant: o.forTenant, sequence: manifest.sequence,
                                                      incidentID: detail.incident.id, manifestSHA256: manifestSHA,
                                                      previousManifestSHA256: manifest.previousManifestSHA256,
                                                      exportedAt: o.now, file: output))
        } catch {
            unlink(output)
            throw error
        }
        return Result(path: output, manifest: manifest, manifestSHA256: manifestSHA)
    }

    /// What an export that was killed left behind (`FILE.zip.tmp-<pid>` and its staging
    /// directory, for a pid that no longer runs) is removed by the next export to the same name.
    static func removeStaleTemporaries(of output: String) {
        let dir = (output as NSString).deletingLastPathComponent
        let base = (output as NSString).lastPathComponent + ".tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir) else { return }
        for name in names where name.hasPrefix(base) {
            var rest = name.dropFirst(base.count)
            if rest.hasSuffix(".d") { rest = rest.dropLast(2) }
            guard let pid = Int32(rest), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: dir.isEmpty ? name : (dir as NSString).appendingPathComponent(name))
        }
    }

    static func describe(_ error: Error, path: String) -> String {
        var st = statvfs()
        let dir = (path as NSString).deletingLastPathComponent
        if statvfs(dir.isEmpty ? "." : dir, &st) == 0, st.f_bavail == 0 { return "no space left on device" }
        return "\(error)"
    }
}

/// `evidence/`: the quoted source lines of the incident, one file per source, each line as
/// `LINE<TAB>TEXT` after the row-data filter; and the manifest's view of each source.
enum EvidenceWriter {
    static func write(_ d: IncidentDetail, filter: RowDataFilter, sourceName: (String) -> String,
                      directories: [String],
                      file: (String, (HashingFileWriter) throws -> Void) throws -> Void) throws -> [Manifest.Source] {
        // Ranges per source path, from the timeline and the findings' evidence.
        var ranges: [String: [ClosedRange<Int>]] = [:]
        var order: [String] = []
        func add(_ p: SourcePosition?) {
            guard let p, p.file != "-", p.line > 0 else { return }
            if ranges[p.file] == nil { order.append(p.file) }
            let last = min(max(p.endLine, p.line), p.line + 200)
            ranges[p.file, default: []].append(p.line...last)
        }
        for e in d.timeline { add(e.position) }
        for f in d.findings { for p in f.evidence { add(p) } }

        var out: [Manifest.Source] = []
        for path in order {
            let merged = merge(ranges[path] ?? [])
            let name = sourceName(path)
            // What tenantwatch read, stored with the incident: the evidence is that text, never
            // whatever sits at the same line numbers now (a rotated or replaced file holds other
            // people's requests there).
            var stored: [Int: String] = [:]
            var storedWhole = Set<Int>()
            for e in d.timeline where e.position?.file == path {
                guard let raw = e.raw, let p = e.position, e.kind != .statement || RowDataFilter.looksLikeLogLine(raw) else { continue }
                let lines = raw.split(separator: "\n", omittingEmptySubsequences: false)
                for (k, line) in lines.enumerated() where stored[p.line + k] == nil {
                    stored[p.line + k] = String(line)
                    // The last line of a cut quote is not the whole line.
                    if !(e.rawTruncated && k == lines.count - 1) { storedWhole.insert(p.line + k) }
                }
            }
            let resolved = resolve(path, directories: directories)
            let digest = resolved.flatMap(Digest.file)
            var current: [Int: String] = [:]
            if let resolved, digest != nil {
                var wanted = Set<Int>()
                for r in merged { wanted.formUnion(r) }
                current = TimelineQuoter.read(resolved, lines: wanted)
            }
            // The file is the one that was read when every stored line is still there as it was
            // (tokens compared as the store keeps them: hashed).
            var changed = false
            if !current.isEmpty {
                for (n, text) in stored {
                    guard let now = current[n] else { changed = true; break }
                    let protected = StoredSecrets.protect(now)
                    // (A store written before tokens were hashed holds them whole: either form matches.)
                    let same = storedWhole.contains(n) ? (protected == text || now == text) : (protected.hasPrefix(text) || now.hasPrefix(text))
                    if !same { changed = true; break }
                }
            }
            let available = digest != nil && !current.isEmpty && !changed
            var lines = stored
            if available {
                // Lines the store did not quote (a finding's evidence beyond the timeline) come from
                // the file, which has just been shown to be the same file.
                for (n, text) in current where lines[n] == nil { lines[n] = text }
            }
            var cut = 0
            try file(name) { w in
                if changed {
                    try w.write("# \(name) has changed since tenantwatch read it (rotated or replaced): the lines below are the ones quoted when the incident was recorded, not what the file holds now\n")
                } else if !available {
                    try w.write("# \(name) could not be read at export: the lines below are the ones tenantwatch quoted when it recorded the incident\n")
                }
                // Record by record (a multi-line statement is judged whole), each line once.
                var written = Set<Int>()
                let records = Set(ranges[path] ?? []).sorted { ($0.lowerBound, $0.upperBound) < ($1.lowerBound, $1.upperBound) }
                var out: [(Int, String)] = []
                for r in records {
                    let numbers = r.filter { lines[$0] != nil && !written.contains($0) }
                    guard !numbers.isEmpty else { continue }
                    let (texts, c) = filter.record(numbers.map { lines[$0]! })
                    cut += c
                    for (n, t) in zip(numbers, texts) { written.insert(n); out.append((n, t)) }
                }
                // Evidence is for reading: control characters (ESC, OSC 52, CSI) are shown escaped.
                for (n, t) in out.sorted(by: { $0.0 < $1.0 }) { try w.write("\(n)\t\(TextSanitizer.keepingLines(t))\n") }
            }
            out.append(Manifest.Source(name: name, evidence: "evidence/" + name, available: available, changed: changed,
                                       sha256: available ? digest?.sha256 : nil, size: available ? digest?.size : nil,
                                       lineRanges: merged.map { [$0.lowerBound, $0.upperBound] }, linesCut: cut))
        }
        return out
    }

    static func merge(_ list: [ClosedRange<Int>]) -> [ClosedRange<Int>] {
        var out: [ClosedRange<Int>] = []
        for r in list.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = out.last, r.lowerBound <= last.upperBound + 1 {
                out[out.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }

    static func resolve(_ path: String, directories: [String]) -> String? {
        let fm = FileManager.default
        if fm.isReadableFile(atPath: path) { return path }
        guard !path.hasPrefix("/") else { return nil }
        for d in directories {
            let candidate = (d as NSString).appendingPathComponent(path)
            if fm.isReadableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
