import Crypto
import Foundation
import ZIPFoundation

/// What can stop an export; the CLI maps `.notConcerned` to a usage error (exit 2).
public enum BundleError: Error, CustomStringConvertible, Equatable {
    /// The tenant is neither the caller nor an exposed tenant of the incident.
    case notConcerned(incident: String, tenant: String, concerned: [String])
    case cannotWrite(path: String, reason: String)
    case cannotRead(path: String, reason: String)
    /// `--out` names a file that may not be overwritten (see `ExportTarget`).
    case refusedTarget(path: String, reason: String)

    public var description: String {
        switch self {
        case .notConcerned(let i, let t, let concerned):
            let who = concerned.isEmpty ? "it names no tenant" : "it concerns \(concerned.count == 1 ? "one tenant" : "\(concerned.count) tenants") (its caller and exposed tenants)"
            return "incident \(i) does not concern tenant '\(t)': \(who); a bundle is only made for its caller or an exposed tenant"
        case .cannotWrite(let p, let r): return "cannot write \(p): \(r)"
        case .cannotRead(let p, let r): return "cannot read \(p): \(r)"
        case .refusedTarget(let p, let r): return "not writing \(p): \(r)"
        }
    }
}

/// `tenantwatch verify`: trusts nothing in the zip. Every entry must be a plain file with a
/// canonical name (or a directory that holds a listed file), listed in `manifest.json` exactly
/// once, and every listed file present exactly once; each file is inflated no further than the
/// size the manifest gives it, and its SHA-256 recomputed. With a public key, `manifest.sig` must
/// be a valid Ed25519 signature over `manifest.json`; a bundle without one is "not signed", which
/// is neither intact-and-authentic nor tampered.
///
/// The entries are read from the central directory by `ZipDirectory`, the way `unzip` and
/// Python's `extractall` read them, so that what is verified is what they would write out.
public enum BundleVerifier {
    /// At most this much `manifest.json` is inflated (a genuine one is a few KB).
    public static let manifestLimit: UInt64 = 16 << 20
    /// `manifest.sig` is 64 bytes; anything above this is not a signature.
    public static let signatureLimit: UInt64 = 1024
    /// One listed file, and all of them together, at most (inflated and hashed in chunks, so the
    /// bound is on time, not memory).
    public static let fileLimit: UInt64 = 1 << 30
    public static let totalLimit: UInt64 = 4 << 30

    public enum Mismatch: Error, Equatable, CustomStringConvertible {
        case notAZip(String)
        case malformedZip(String)
        case unsafeEntry(name: String, reason: String)
        case missingManifest
        case unreadableManifest
        case missingFile(String)
        case extraFile(String)
        case sizeMismatch(path: String, expected: Int64, actual: Int64)
        case hashMismatch(path: String, expected: String, actual: String)
        case missingSignature
        case signatureRemoved
        case badSignature
        case unreadableEntry(String)
        case duplicateEntry(String)
        case tooLarge(path: String, size: UInt64, limit: UInt64)
        case inflatesPastSize(path: String, declared: UInt64)

        public var description: String {
            switch self {
            case .notAZip(let p): return "\(p) is not a readable zip archive"
            case .malformedZip(let why): return "the zip is not as a bundle is written: \(why)"
            case .unsafeEntry(let n, let why): return "\(n): \(why)"
            case .missingManifest: return "manifest.json is missing"
            case .unreadableManifest: return "manifest.json does not parse as a tenantwatch manifest"
            case .missingFile(let p): return "\(p): listed in the manifest but missing from the bundle"
            case .extraFile(let p): return "\(p): in the bundle but not listed in the manifest"
            case .sizeMismatch(let p, let e, let a): return "\(p): size \(a), manifest says \(e)"
            case .hashMismatch(let p, let e, let a): return "\(p): SHA-256 \(a), manifest says \(e)"
            case .missingSignature: return "manifest.sig is missing: the bundle is not signed"
            case .signatureRemoved: return "manifest.json says the bundle was signed, but manifest.sig has been removed"
            case .badSignature: return "manifest.sig: the Ed25519 signature over manifest.json does not verify with the public key"
            case .unreadableEntry(let p): return "\(p): cannot be read from the zip (damaged)"
            case .duplicateEntry(let p): return "\(p): occurs twice in the zip"
            case .tooLarge(let p, let size, let limit): return "\(p): declares \(size) bytes, more than verify inflates (\(limit))"
            case .inflatesPastSize(let p, let declared): return "\(p): inflates past its declared \(declared) bytes (stopped there)"
            }
        }
    }

    public struct Report: Sendable, Equatable {
        public var files: Int
        public var signatureChecked: Bool
        public var signaturePresent: Bool
    }

    /// Throws the first mismatch found. `.missingSignature` (with a key) means "not signed".
    public static func verify(zip path: String, publicKey: Curve25519.Signing.PublicKey?) throws -> Report {
        let zip = try ZipDirectory(path: path)
        defer { zip.close() }

        // Every entry: a canonical name, once; a plain file, or a directory entry (name with a
        // trailing `/`) holding a listed file.
        var files: [String: ZipDirectory.Entry] = [:]
        var directories: [String] = []
        var seen = Set<String>()
        for e in zip.entries {
            try checkName(e.name)
            // Case-folded: on macOS and Windows `Report.md` and `report.md` are one file.
            guard seen.insert(e.name.lowercased()).inserted else { throw Mismatch.duplicateEntry(e.name) }
            let type = e.unixFileType
            if e.name.hasSuffix("/") {
                guard type == nil || type == 0 || type == 0o040000, e.uncompressedSize == 0, e.compressedSize <= 2 else {
                    throw Mismatch.unsafeEntry(name: e.name, reason: "a directory entry that is not an empty directory")
                }
                directories.append(e.name)
            } else {
                switch type {
                case nil, 0, 0o100000?: break
                case 0o040000?: throw Mismatch.unsafeEntry(name: e.name, reason: "its mode says directory but its name has no trailing / (unzip and Python write it out as a file)")
                case 0o120000?: throw Mismatch.unsafeEntry(name: e.name, reason: "a symbolic link")
                default: throw Mismatch.unsafeEntry(name: e.name, reason: "not a plain file (mode \(String(type ?? 0, radix: 8)))")
                }
                if e.dosDirectory { throw Mismatch.unsafeEntry(name: e.name, reason: "its MS-DOS attributes say directory but its name has no trailing /") }
                files[e.name] = e
            }
        }

        guard let manifestEntry = files[Manifest.fileName] else { throw Mismatch.missingManifest }
        let manifest = try contents(of: manifestEntry, in: zip, limit: manifestLimit)
        let parsed = try Manifest.listed(manifest)
        let listed = parsed.files
        var listedPaths = Set<String>()
        for f in listed {
            try checkName(f.path)
            guard !f.path.hasSuffix("/"), f.path != Manifest.fileName, f.path != Manifest.signatureName, f.size >= 0,
                  listedPaths.insert(f.path).inserted else { throw Mismatch.unreadableManifest }
        }
        // Both ways: nothing in the zip the manifest does not list, nothing listed not in the zip.
        for e in zip.entries {
            if e.name.hasSuffix("/") {
                guard listedPaths.contains(where: { $0.hasPrefix(e.name) }) else { throw Mismatch.extraFile(e.name) }
            } else if !listedPaths.contains(e.name) && e.name != Manifest.fileName && e.name != Manifest.signatureName {
                throw Mismatch.extraFile(e.name)
            }
        }
        var total: UInt64 = 0
        for f in listed {
            guard let e = files[f.path] else { throw Mismatch.missingFile(f.path) }
            // The declared size is checked before a byte is inflated, and inflation stops there.
            if e.uncompressedSize != UInt64(f.size) {
                throw Mismatch.sizeMismatch(path: f.path, expected: f.size, actual: Int64(e.uncompressedSize))
            }
            total += e.uncompressedSize
            guard total <= totalLimit else { throw Mismatch.tooLarge(path: f.path, size: total, limit: totalLimit) }
            var hasher = SHA256()
            try zip.inflate(e, limit: fileLimit) { hasher.update(bufferPointer: $0) }
            let sha = Digest.hex(hasher.finalize())
            if sha != f.sha256.lowercased() { throw Mismatch.hashMismatch(path: f.path, expected: f.sha256, actual: sha) }
        }
        let sigEntry = files[Manifest.signatureName]
        if sigEntry == nil && parsed.saysSigned { throw Mismatch.signatureRemoved }
        if let publicKey {
            guard let sigEntry else { throw Mismatch.missingSignature }
            let sig = try contents(of: sigEntry, in: zip, limit: signatureLimit)
            guard publicKey.isValidSignature(sig, for: manifest) else { throw Mismatch.badSignature }
        }
        return Report(files: listed.count, signatureChecked: publicKey != nil, signaturePresent: sigEntry != nil)
    }

    /// A name an extractor writes where the manifest means: relative, `/`-separated, no `.` or
    /// `..` component, no empty component, no backslash, no control character, no drive letter.
    static func checkName(_ name: String) throws(Mismatch) {
        func bad(_ why: String) -> Mismatch { .unsafeEntry(name: name, reason: why) }
        guard !name.isEmpty else { throw bad("an empty name") }
        if name.hasPrefix("/") { throw bad("an absolute path") }
        if name.contains("\\") { throw bad("a backslash in the name (a path separator on Windows)") }
        if name.contains(":") { throw bad("a colon in the name (a drive or stream on Windows)") }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) }) {
            throw bad("a control character in the name")
        }
        var parts = name.split(separator: "/", omittingEmptySubsequences: false)
        if name.hasSuffix("/") { parts.removeLast() }
        for part in parts {
            if part.isEmpty { throw bad("an empty path component") }
            if part == "." || part == ".." { throw bad("a '\(part)' path component") }
        }
    }

    /// A small entry (manifest, signature) in memory, refused above `limit`.
    static func contents(of e: ZipDirectory.Entry, in zip: ZipDirectory, limit: UInt64) throws -> Data {
        var out = Data()
        try zip.inflate(e, limit: limit) { out.append(contentsOf: $0) }
        return out
    }
}
