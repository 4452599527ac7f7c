import TenantWatchModel

/// `unscoped_cache_key`: a cache key that holds data but names no tenant, so two tenants whose
/// ids collide (`project:1041` in both) share one entry and one sees the other's payload.
///
/// Once per key pattern (`CacheKeyShape`): the first sighting returns the finding from
/// `inspect`; later sightings only update the detector's copy (`count`, `lastSeen`, the example
/// keys in the message, up to `evidenceLimit` evidence lines). The pipeline reads the finished
/// findings from `findings` (or `findings(knownTenants:)`) at the end of the run.
///
/// Counted: keys of commands that read or write data (`CacheAccess.read` / `.write`). Not counted:
/// deletes, metadata (TTL, EXPIRE, EXISTS, TYPE), scripts' own lines (their commands appear again
/// as `lua` lines), connection and server commands, `KEYS`/`SCAN` patterns, channels.
/// A key is left alone when it, or its pattern, matches a `[cache] allowed` glob, or when its
/// pattern has a tenant segment.
///
/// Finding fields: `cache_key` the first key seen (readable, lossless), `fingerprint` the key
/// pattern, `time`/`lastSeen` first and last sighting, `count` every counted sighting,
/// `application` the first sighting's `CLIENT SETNAME` (unless it names a request instead), severity medium.
public struct UnscopedCacheKeyDetector: Sendable {
    public let allowed: [KeyGlob]
    /// Distinct example keys named in the message.
    public var exampleLimit = 5
    /// Evidence lines kept per finding; `count` still counts every sighting.
    public var evidenceLimit = 5
    /// Distinct unscoped patterns tracked; past it, new patterns are counted in `droppedPatterns`.
    public var patternLimit = 100_000
    public private(set) var droppedPatterns = 0

    struct Tracked: Sendable {
        var finding: Finding
        var pattern: String
        var examples: [String]
        /// The log time of each evidence line, for the timeline.
        var times: [SourcePosition: Timestamp] = [:]
    }

    private var order: [String] = []
    private var byPattern: [String: Tracked] = [:]

    public init(allowed: [String]) {
        self.allowed = allowed.map(KeyGlob.init)
    }

    public init(cache: Configuration.Cache) {
        self.init(allowed: cache.allowed)
    }

    /// True when the raw key or its pattern matches an allowed glob.
    public func isAllowed(key: [UInt8], pattern: String) -> Bool {
        allowed.contains { $0.matches(bytes: key) || $0.matches(pattern) }
    }

    /// The findings of patterns seen for the first time in this command.
    public mutating func inspect(_ command: CacheCommand, knownTenants: Set<String>) -> [Finding] {
        guard command.access == .read || command.access == .write else { return [] }
        var new: [Finding] = []
        for index in command.keyIndices {
            let raw = command.arguments[index]
            let key = CacheKeyText.display(raw)
            if allowed.contains(where: { $0.matches(bytes: raw) }) { continue }
            let shape = CacheKeyShape.pattern(of: key, knownTenants: knownTenants)
            if !shape.tenantSegments.isEmpty { continue }
            if allowed.contains(where: { $0.matches(shape.pattern) }) { continue }
            if var tracked = byPattern[shape.pattern] {
                tracked.finding.count += 1
                if let last = tracked.finding.lastSeen, command.time < last {} else { tracked.finding.lastSeen = command.time }
                if let first = tracked.finding.time, command.time < first { tracked.finding.time = command.time }
                if tracked.finding.evidence.count < evidenceLimit, !tracked.finding.evidence.contains(command.position) {
                    tracked.finding.evidence.append(command.position)
                    tracked.times[command.position] = command.time
                }
                if tracked.examples.count < exampleLimit, !tracked.examples.contains(key) {
                    tracked.examples.append(key)
                    tracked.finding.message = Self.message(pattern: shape.pattern, examples: tracked.examples)
                }
                byPattern[shape.pattern] = tracked
                continue
            }
            guard byPattern.count < patternLimit else { droppedPatterns += 1; continue }
            let finding = Finding(kind: .unscopedCacheKey, severity: .medium, time: command.time,
                                  message: Self.message(pattern: shape.pattern, examples: [key]),
                                  application: command.clientName.flatMap { CacheClientName.tags($0).isEmpty ? $0 : nil }, fingerprint: shape.pattern,
                                  cacheKey: key, evidence: [command.position])
            byPattern[shape.pattern] = Tracked(finding: finding, pattern: shape.pattern, examples: [key],
                                               times: [command.position: command.time])
            order.append(shape.pattern)
            new.append(finding)
        }
        return new
    }

    /// One finding per counted key of the command (count 1, its own evidence line), for a
    /// followed source that never ends: the store folds them as `findings` would. The message
    /// names the pattern's first examples, as `inspect` tracks them.
    public mutating func inspectEach(_ command: CacheCommand, knownTenants: Set<String>) -> [Finding] {
        let first = inspect(command, knownTenants: knownTenants)
        guard command.access == .read || command.access == .write else { return [] }
        var out: [Finding] = []
        for index in command.keyIndices {
            let raw = command.arguments[index]
            let key = CacheKeyText.display(raw)
            if allowed.contains(where: { $0.matches(bytes: raw) }) { continue }
            let shape = CacheKeyShape.pattern(of: key, knownTenants: knownTenants)
            guard shape.tenantSegments.isEmpty, !allowed.contains(where: { $0.matches(shape.pattern) }),
                  let tracked = byPattern[shape.pattern] else { continue }
            var f = first.first { $0.fingerprint == shape.pattern } ?? tracked.finding
            f.count = 1
            f.time = command.time
            f.lastSeen = command.time
            f.cacheKey = key
            f.application = tracked.finding.application
            f.evidence = [command.position]
            out.append(f)
        }
        return out
    }

    /// Every finding as it now stands (counts, last seen, examples), in order of first sighting.
    public var findings: [Finding] { order.compactMap { byPattern[$0]?.finding } }

    /// `findings`, without the patterns whose keys turn out to carry a tenant learned after they
    /// were first seen (a tenant named later in an audit log or token).
    public func findings(knownTenants: Set<String>) -> [Finding] {
        order.compactMap { pattern in
            guard let t = byPattern[pattern] else { return nil }
            for key in t.examples where !CacheKeyShape.pattern(of: key, knownTenants: knownTenants).tenantSegments.isEmpty {
                return nil
            }
            return t.finding
        }
    }

    /// The log time of each evidence line of the finding for `pattern` (its fingerprint).
    public func evidenceTimes(pattern: String?) -> [SourcePosition: Timestamp] {
        pattern.flatMap { byPattern[$0]?.times } ?? [:]
    }

    /// The key pattern of every finding, in order of first sighting.
    public var patterns: [String] { order }

    static func message(pattern: String, examples: [String]) -> String {
        "cache key pattern \(pattern) holds data but carries no tenant segment: tenants whose ids collide "
            + "share one entry (keys: \(examples.joined(separator: ", ")))"
    }
}
