import Foundation
import TenantWatchCore

/// What `ship` persists between runs: for each followed pattern, where reading stood when the
/// last batch was acknowledged. Saved only after the acknowledgement, so a crash never skips a
/// line; the lines between the saved position and the crash are published again and the stream
/// drops them as duplicates (their ids are the same).
public struct ShipState: Codable, Equatable, Sendable {
    public var host: String
    public var followers: [FollowerCheckpoint]

    public init(host: String, followers: [FollowerCheckpoint]) {
        self.host = host
        self.followers = followers
    }

    public func checkpoint(for pattern: String) -> FollowerCheckpoint? {
        followers.first { $0.pattern == pattern }
    }

    /// nil when there is no state file yet; throws when one exists but cannot be read (better to
    /// stop than to re-ship a whole log or skip one).
    public static func load(path: String) throws -> ShipState? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try JSONDecoder().decode(ShipState.self, from: data)
        } catch {
            throw TransportError("cannot read ship state \(path): \(error)")
        }
    }

    /// Written to a temporary file, fsync'ed and renamed over the old one: a crash leaves either.
    public func save(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(self)
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw TransportError("cannot write ship state \(temporary): \(String(cString: strerror(errno)))") }
        var ok = data.withUnsafeBytes { raw -> Bool in
            var written = 0
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n <= 0 { return false }
                written += n
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        let saveErrno = errno
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            throw TransportError("cannot write ship state \(path): \(String(cString: strerror(ok ? errno : saveErrno)))")
        }
    }
}
