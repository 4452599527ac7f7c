import DequeModule
import TenantWatchModel

/// Remembers, for each cache key, the request (and so the tenant) that last wrote it, so a read
/// served to another tenant can be shown as the chain that proves the poisoned cache:
/// A's request → SET key → B's request → GET key.
///
/// Bounded by time and count: a write older than `maxAge` of log time is forgotten (cache
/// entries live for minutes or hours, not days: a ledger kept by count alone grew all through a
/// 24-hour soak), and past `capacity` keys the oldest writes go too.
public struct CacheWriterLedger: Sendable {
    public struct Write: Sendable, Equatable {
        public var tenant: String
        public var request: RequestContext
        public var command: SourcePosition
        public var tie: CacheTie
        /// Log time of the write, in microseconds.
        public var time: Int64
    }

    /// A read of a key another tenant's request wrote.
    public struct PoisonedRead: Sendable, Equatable {
        public var key: String
        public var writer: Write
        public var reader: RequestContext
        public var read: SourcePosition
        public var readTie: CacheTie
        /// Log time of the read, in microseconds.
        public var readTime: Int64 = 0

        /// Both ends tied by the connection's client name: exact evidence. Anything else was tied
        /// by time and is a guess (see `CrossTenantResponseDetector`).
        public var isExact: Bool { writer.tie == .clientName && readTie == .clientName }

        /// Evidence in story order: A's request, the write, the read (B's request comes with its finding).
        public var evidence: [SourcePosition] { [writer.request.position, writer.command, read] }

        public var summary: String {
            let how = isExact ? "tied by client name" : "tied by time (approximate: another request in flight at that moment cannot be ruled out)"
            return "cache key \(key) written while serving \(writer.tenant) (request \(writer.request.requestID ?? writer.request.traceID ?? "?")) was read while serving \(reader.callerTenant ?? "?"), \(how)"
        }
    }

    public var capacity: Int
    /// Microseconds of log time a write is remembered (default one hour).
    public var maxAge: Int64
    /// `cache.allowed`: keys shared by design (`plans:*`), which every tenant may read.
    public let allowed: [KeyGlob]
    private var writes: [[UInt8]: Write] = [:]
    /// Keys in the order they were first written, with that time; a key written again since is
    /// moved to the back when it reaches the front.
    private var order: Deque<(key: [UInt8], time: Int64)> = []
    /// Poisoned reads waiting for their reading request's response finding, by request key.
    private var reads: [String: [PoisonedRead]] = [:]
    /// Recent tied reads of each key, so a write that reaches the ledger after a read it preceded
    /// still makes the chain: commands reach the ledger when their request's audit line arrives,
    /// and under concurrency the writer's request may answer after the reader's. Bounded per key
    /// and in all, and by `readMemory` of log time.
    private var recentReads: [[UInt8]: [(read: PoisonedRead, time: Int64)]] = [:]
    private var recentReadOrder: Deque<(key: [UInt8], time: Int64)> = []
    public var readMemory: Int64 = 60_000_000
    /// Readers whose chain was found only when its write arrived (see `takeLateReaders`).
    private var lateReaders: [RequestContext] = []
    /// Writes read from the log whose request is not known yet (their command waits in the
    /// correlator for its audit line), by key: their log times. A read after such a write may
    /// have returned it, so no chain is drawn from an older write until it is known who wrote.
    private var pendingWrites: [[UInt8]: [Int64]] = [:]

    public init(allowed: [String] = [], capacity: Int = 200_000, maxAgeSeconds: Int64 = 3600) {
        self.allowed = allowed.map(KeyGlob.init)
        self.capacity = capacity
        self.maxAge = maxAgeSeconds * 1_000_000
    }

    /// Keys whose write is remembered.
    public var count: Int { writes.count }

    /// A write as it is read from the log, before correlation knows its request: see
    /// `pendingWrites`. `observe` settles it.
    public mutating func notePending(_ command: CacheCommand) {
        guard command.access == .write else { return }
        for key in command.keys where pendingWrites[key, default: []].count < 64 {
            pendingWrites[key, default: []].append(command.time.microseconds)
        }
    }

    private mutating func settlePending(_ command: CacheCommand) {
        guard !pendingWrites.isEmpty else { return }
        let t = command.time.microseconds
        for key in command.keys {
            guard var times = pendingWrites[key], let i = times.firstIndex(of: t) else { continue }
            times.remove(at: i)
            pendingWrites[key] = times.isEmpty ? nil : times
        }
    }

    public mutating func observe(_ command: CacheCommand, request: RequestContext?, tie: CacheTie) {
        if command.access == .write { settlePending(command) }
        switch command.access {
        case .write:
            guard let request, let tenant = request.callerTenant else {
                // A write nobody can vouch for: forget what we knew about these keys.
                for key in command.keys { writes.removeValue(forKey: key) }
                return
            }
            let time = command.time.microseconds
            for (index, key) in command.keys.enumerated() {
                if writes[key] == nil { order.append((key, time)) }
                let write = Write(tenant: tenant, request: request, command: command.position, tie: tie, time: time)
                // Keep the newest write: one that arrives late must not replace a later one.
                if let current = writes[key], current.time > time {} else { writes[key] = write }
                guard let earlier = recentReads[key], !allowed.contains(where: { $0.matches(bytes: key) }) else { continue }
                for (read, readTime) in earlier where readTime >= time && readTime &- time <= maxAge {
                    guard let reader = read.reader.callerTenant, reader != tenant else { continue }
                    // The latest write before the read is the one it returned.
                    if let newer = writes[key], newer.time > time, newer.time <= readTime { continue }
                    var chain = read
                    chain.writer = write
                    chain.key = index < command.displayKeys.count ? command.displayKeys[index] : read.key
                    var added = false
                    for k in CacheWriterLedger.keys(of: read.reader) where !(reads[k]?.contains { $0.read == chain.read } ?? false) {
                        reads[k, default: []].append(chain)
                        added = true
                    }
                    if added { lateReaders.append(read.reader) }
                }
            }
            forget(now: time)
        case .delete:
            for key in command.keys { writes.removeValue(forKey: key) }
        case .read:
            guard let request, let reader = request.callerTenant else { return }
            for (index, key) in command.keys.enumerated() {
                remember(read: PoisonedRead(key: command.displayKeys[index], writer: Write(tenant: "", request: request, command: command.position,
                                                                                          tie: .none, time: 0),
                                            reader: request, read: command.position, readTie: tie, readTime: command.time.microseconds),
                         key: key)
                // A write between the remembered one and this read, whose writer is not known yet:
                // the read may have returned it. The chain waits for it (see the late path above).
                let readTime = command.time.microseconds
                if let pending = pendingWrites[key], pending.contains(where: { $0 <= readTime && $0 >= (writes[key]?.time ?? .min) }) {
                    continue
                }
                guard let write = writes[key], write.tenant != reader, command.time.microseconds &- write.time <= maxAge,
                      !allowed.contains(where: { $0.matches(bytes: key) }) else { continue }
                let read = PoisonedRead(key: command.displayKeys[index], writer: write, reader: request,
                                        read: command.position, readTie: tie, readTime: command.time.microseconds)
                for k in CacheWriterLedger.keys(of: request) { reads[k, default: []].append(read) }
            }
        case .other:
            break
        }
    }

    private mutating func remember(read: PoisonedRead, key: [UInt8]) {
        let time = read.readTime
        if recentReads[key, default: []].count < 16 { recentReads[key, default: []].append((read, time)) }
        recentReadOrder.append((key, time))
        while let first = recentReadOrder.first, first.time < time &- readMemory || recentReadOrder.count > capacity {
            recentReadOrder.removeFirst()
            recentReads[first.key]?.removeAll { $0.time <= first.time }
            if recentReads[first.key]?.isEmpty == true { recentReads.removeValue(forKey: first.key) }
        }
    }

    /// Readers whose poisoned read was found only when the write reached the ledger after it:
    /// their request may have been judged already (the pipeline judges it again for the chain).
    public mutating func takeLateReaders() -> [RequestContext] {
        guard !lateReaders.isEmpty else { return [] }
        defer { lateReaders.removeAll() }
        return lateReaders
    }

    /// Drops writes older than `maxAge` before `now`, and the oldest past `capacity`.
    private mutating func forget(now: Int64) {
        let cutoff = now &- maxAge
        while let first = order.first, first.time < cutoff || order.count > capacity {
            order.removeFirst()
            guard let write = writes[first.key] else { continue }   // deleted since
            if write.time > first.time && write.time >= cutoff && order.count < capacity {
                order.append((first.key, write.time))
            } else {
                writes.removeValue(forKey: first.key)
            }
        }
    }

    /// The poisoned reads made while serving this request (each reported once).
    public mutating func takeReads(for request: AuditRequest) -> [PoisonedRead] {
        // Most runs read no cache source: no read was ever noted, so no key is built per request.
        guard !reads.isEmpty else { return [] }
        var out: [PoisonedRead] = []
        for k in CacheWriterLedger.keys(request.requestID, request.traceID) {
            for r in reads.removeValue(forKey: k) ?? [] where !out.contains(r) { out.append(r) }
        }
        return out
    }

    static func keys(of r: RequestContext) -> [String] { keys(r.requestID, r.traceID) }
    static func keys(_ requestID: String?, _ traceID: String?) -> [String] {
        var out: [String] = []
        if let r = requestID { out.append("r:" + r) }
        if let t = traceID { out.append("t:" + t) }
        return out
    }
}
