import Crypto
import Foundation
import TenantWatchModel

/// `manifest.json` of an evidence bundle: every other file with its SHA-256 and size, the tool
/// version, the time of export, the tenant it is for, the chain link to that tenant's previous
/// bundle, and the source log files (SHA-256, size, the line ranges quoted).
public struct Manifest: Sendable, Equatable {
    public struct FileEntry: Sendable, Equatable {
        public var path: String
        public var sha256: String
        public var size: Int64
        public init(path: String, sha256: String, size: Int64) { self.path = path; self.sha256 = sha256; self.size = size }
    }

    public struct Source: Sendable, Equatable {
        /// The source's file name in the bundle (pseudonymised like everything else).
        public var name: String
        /// `evidence/NAME`.
        public var evidence: String
        /// Whether the source file could be read at export (else the store's quoted text is used).
        public var available: Bool
        /// The file at that path is no longer the one read (rotated, replaced, rewritten): the
        /// evidence is the text stored when the lines were read.
        public var changed: Bool = false
        public var sha256: String?
        public var size: Int64?
        /// First and last line of each quoted record.
        public var lineRanges: [[Int]]
        /// Lines whose row data was cut.
        public var linesCut: Int
    }

    public static let format = "tenantwatch-evidence-bundle"
    public static let fileName = "manifest.json"
    public static let signatureName = "manifest.sig"

    public var toolVersion: String
    public var exportedAt: Timestamp
    public var incident: String
    public var forTenant: String
    public var sequence: Int
    public var previousManifestSHA256: String?
    public var files: [FileEntry]
    public var sources: [Source]
    public var signed: Bool

    /// The manifest as written (keys in a fixed order, one file a line for people reading it).
    public func json() -> String {
        var w = JSONWriter()
        w.beginObject()
        w.field("format", Manifest.format)
        w.field("format_version", 1)
        w.field("tool", "tenantwatch")
        w.field("tool_version", toolVersion)
        w.field("exported_at", exportedAt.rfc3339)
        w.field("incident", incident)
        w.field("for_tenant", forTenant)
        w.key("chain")
        w.beginObject()
        w.field("sequence", sequence)
        w.field("previous_manifest_sha256", previousManifestSHA256)
        w.endObject()
        w.key("least_privilege")
        w.beginObject()
        w.field("other_tenants", "pseudonymised (tenant-N)")
        w.field("other_tenants_row_data", "removed: " + RowDataFilter.marker)
        w.field("tokens", "masked (JWTs whole, bearer credentials, secret-named fields)")
        w.endObject()
        w.key("signature")
        w.string(signed ? "ed25519 over manifest.json: manifest.sig" : nil)
        w.key("files")
        w.beginArray()
        for f in files {
            w.beginObject()
            w.field("path", f.path)
            w.field("sha256", f.sha256)
            w.key("size"); w.int64(f.size)
            w.endObject()
        }
        w.endArray()
        w.key("sources")
        w.beginArray()
        for s in sources {
            w.beginObject()
            w.field("name", s.name)
            w.field("evidence", s.evidence)
            w.key("available"); w.bool(s.available)
            w.key("changed_since_read"); w.bool(s.changed)
            w.field("sha256", s.sha256)
            w.key("size"); w.int64(s.size)
            w.key("line_ranges")
            w.beginArray()
            for r in s.lineRanges { w.beginArray(); for n in r { w.int(n) }; w.endArray() }
            w.endArray()
            w.field("lines_cut", s.linesCut)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.output + "\n"
    }

    /// The files listed in a manifest (what `verify` needs), read back from its JSON.
    public static func listedFiles(_ data: Data) throws -> [FileEntry] { try listed(data).files }

    /// The listed files and whether the manifest says the bundle was signed.
    public static func listed(_ data: Data) throws(BundleVerifier.Mismatch) -> (files: [FileEntry], saysSigned: Bool) {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              object["format"] as? String == Manifest.format,
              let files = object["files"] as? [[String: Any]] else {
            throw BundleVerifier.Mismatch.unreadableManifest
        }
        var out: [FileEntry] = []
        for f in files {
            guard let path = f["path"] as? String, let sha = f["sha256"] as? String,
                  let size = (f["size"] as? NSNumber)?.int64Value else { throw BundleVerifier.Mismatch.unreadableManifest }
            out.append(FileEntry(path: path, sha256: sha, size: size))
        }
        return (out, object["signature"] is String)
    }
}

public enum Digest {
    /// Lower-case hex, two digits a byte. By table, not `String(format:)`: the incident store
    /// hashes every credential it quotes, and the formatted version was ~9% of a leak storm's
    /// store time (a Foundation format string and a String per byte).
    public static func hex<D: Sequence>(_ d: D) -> String where D.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(d.underestimatedCount * 2)
        for byte in d {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func sha256(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    /// SHA-256 and size of a file, read in 1 MiB chunks; nil when it cannot be read.
    public static func file(_ path: String) -> (sha256: String, size: Int64)? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        while true {
            let chunk: Data?
            do { chunk = try h.read(upToCount: 1 << 20) } catch { return nil }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(data: chunk)
            size += Int64(chunk.count)
        }
        return (hex(hasher.finalize()), size)
    }
}

/// Writes a bundle file to disk as it is produced, hashing it on the way (bounded memory).
final class HashingFileWriter {
    let path: String
    private let handle: FileHandle
    private var hasher = SHA256()
    private var buffer: [UInt8] = []
    private(set) var size: Int64 = 0

    init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw BundleError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        guard let h = FileHandle(forWritingAtPath: path) else {
            throw BundleError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        handle = h
    }

    func write(_ s: String) throws {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        let data = Data(buffer)
        hasher.update(data: data)
        size += Int64(data.count)
        do { try handle.write(contentsOf: data) } catch {
            throw BundleError.cannotWrite(path: path, reason: IncidentStore.reason(error))
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, closes and returns the hex SHA-256 and size.
    func finish() throws -> (sha256: String, size: Int64) {
        try flush()
        try? handle.close()
        return (Digest.hex(hasher.finalize()), size)
    }
}

extension JSONWriter {
    mutating func int64(_ i: Int64?) {
        if let i { int(Int(i)) } else { null() }
    }
}
