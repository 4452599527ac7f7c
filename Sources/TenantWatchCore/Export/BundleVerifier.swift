import Crypto
import Foundation
import ZIPFoundation

/// What can stop an export; the CLI maps `.notConcerned` to a usage error (exit 2).
public enum BundleError: Error, CustomStringConvertible, Equatable {
    /// The tenant is neither the caller nor an exposed tenant of the incident.
    case notConcerned(incident: String, tenant: String, concerned: [String])
    case cannotWrite(path: String, reason: String)
    case cannotRead(path: String, reason: String)

    public var description: String {
        switch self {
        case .notConcerned(let i, let t, let concerned):
            let who = concerned.isEmpty ? "it names no tenant" : "it concerns \(concerned.count == 1 ? "one tenant" : "\(concerned.count) tenants") (its caller and exposed tenants)"
            return "incident \(i) does not concern tenant '\(t)': \(who); a bundle is only made for its caller or an exposed tenant"
        case .cannotWrite(let p, let r): return "cannot write \(p): \(r)"
        case .cannotRead(let p, let r): return "cannot read \(p): \(r)"
        }
    }
}

/// `tenantwatch verify`: recomputes every file's SHA-256 and size from the zip, checks them
/// against `manifest.json` (nothing missing, nothing extra), and the Ed25519 signature over
/// `manifest.json` when a public key is given.
public enum BundleVerifier {
    public enum Mismatch: Error, Equatable, CustomStringConvertible {
        case notAZip(String)
        case missingManifest
        case unreadableManifest
        case missingFile(String)
        case extraFile(String)
        case sizeMismatch(path: String, expected: Int64, actual: Int64)
        case hashMismatch(path: String, expected: String, actual: String)
        case missingSignature
        case badSignature
        case unreadableEntry(String)
        case duplicateEntry(String)

        public var description: String {
            switch self {
            case .notAZip(let p): return "\(p) is not a readable zip archive"
            case .missingManifest: return "manifest.json is missing"
            case .unreadableManifest: return "manifest.json does not parse as a tenantwatch manifest"
            case .missingFile(let p): return "\(p): listed in the manifest but missing from the bundle"
            case .extraFile(let p): return "\(p): in the bundle but not listed in the manifest"
            case .sizeMismatch(let p, let e, let a): return "\(p): size \(a), manifest says \(e)"
            case .hashMismatch(let p, let e, let a): return "\(p): SHA-256 \(a), manifest says \(e)"
            case .missingSignature: return "manifest.sig is missing (a public key was given)"
            case .badSignature: return "manifest.sig: the Ed25519 signature over manifest.json does not verify with the public key"
            case .unreadableEntry(let p): return "\(p): cannot be read from the zip (damaged)"
            case .duplicateEntry(let p): return "\(p): occurs twice in the zip"
            }
        }
    }

    public struct Report: Sendable, Equatable {
        public var files: Int
        public var signatureChecked: Bool
        public var signaturePresent: Bool
    }

    /// Throws the first mismatch found.
    public static func verify(zip path: String, publicKey: Curve25519.Signing.PublicKey?) throws -> Report {
        let archive: Archive
        do { archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read) } catch {
            throw Mismatch.notAZip(path)
        }
        var entries: [String: Entry] = [:]
        var order: [String] = []
        // Symlinks count as files here (so an unlisted one is an extra file); a name that occurs
        // twice is ambiguous (unzip tools differ on which one wins) and is a mismatch itself.
        for e in archive where e.type != .directory {
            if entries[e.path] != nil { throw Mismatch.duplicateEntry(e.path) }
            order.append(e.path)
            entries[e.path] = e
        }
        guard let manifestEntry = entries[Manifest.fileName] else { throw Mismatch.missingManifest }
        let manifest = try data(of: manifestEntry, in: archive)
        let listed = try Manifest.listedFiles(manifest)
        let listedPaths = Set(listed.map(\.path))
        for f in listed {
            guard let e = entries[f.path] else { throw Mismatch.missingFile(f.path) }
            let (sha, size) = try digest(of: e, in: archive)
            if size != f.size { throw Mismatch.sizeMismatch(path: f.path, expected: f.size, actual: size) }
            if sha != f.sha256.lowercased() { throw Mismatch.hashMismatch(path: f.path, expected: f.sha256, actual: sha) }
        }
        for p in order where !listedPaths.contains(p) && p != Manifest.fileName && p != Manifest.signatureName {
            throw Mismatch.extraFile(p)
        }
        let sigEntry = entries[Manifest.signatureName]
        if let publicKey {
            guard let sigEntry else { throw Mismatch.missingSignature }
            let sig = try data(of: sigEntry, in: archive)
            guard publicKey.isValidSignature(sig, for: manifest) else { throw Mismatch.badSignature }
        }
        return Report(files: listed.count, signatureChecked: publicKey != nil, signaturePresent: sigEntry != nil)
    }

    static func data(of entry: Entry, in archive: Archive) throws -> Data {
        var out = Data()
        do { _ = try archive.extract(entry, skipCRC32: true) { out.append($0) } } catch {
            throw Mismatch.unreadableEntry(entry.path)
        }
        return out
    }

    /// Streams the entry through SHA-256 (the CRC is not checked here: the hash is the check, and
    /// a damaged entry must be named as a mismatch, not as an I/O error).
    static func digest(of entry: Entry, in archive: Archive) throws -> (String, Int64) {
        var hasher = SHA256()
        var size: Int64 = 0
        do {
            _ = try archive.extract(entry, skipCRC32: true) { chunk in
                hasher.update(data: chunk)
                size += Int64(chunk.count)
            }
        } catch {
            throw Mismatch.unreadableEntry(entry.path)
        }
        return (Digest.hex(hasher.finalize()), size)
    }
}
