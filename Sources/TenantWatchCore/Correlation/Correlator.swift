import DequeModule
import TenantWatchModel
import TenantWatchSQL

/// What the correlator hands to detection: statements with their request and session context,
/// and requests with the statements they ran.
///
/// The request and cache cases are `indirect` (boxed) so that the common case, a statement (one
/// reference), is not moved around at the size of an audit request.
public enum CorrelatedEvent: Sendable {
    case statement(AnalyzedStatement)
    /// A request with the statements it ran and their log times (same order), for evidence.
    indirect case request(AuditRequest, statements: [SourcePosition], statementTimes: [Timestamp?])
    /// A cache command, with the request it served when that could be told.
    indirect case cache(CacheCommand, request: RequestContext?, tie: CacheTie)
    /// `live` only (`Correlator.previewsHeldStatements`): a tagged statement as it arrives, before
    /// its request. Findings that need no request (a missing predicate) are on screen at once;
    /// the same statement comes again as `.statement` with its request, to enrich them.
    case preview(AnalyzedStatement)
    /// A search (slow log or audit line), with the request it served when its X-Opaque-Id (or
    /// its audit line) names one.
    indirect case search(SearchQuery, request: RequestContext?)
}

/// How a cache command was tied to its request — said in the evidence, since only one is exact.
public enum CacheTie: String, Sendable, Codable {
    /// The connection's `CLIENT SETNAME` carried the request's id (sqlcommenter style).
    case clientName = "client_name"
    /// Exactly one request was in flight (had statements, no audit line yet) at that moment.
    case time
    case none
}

/// Ties each statement to the request that issued it (sqlcommenter `traceparent` or
/// `request_id`) and to its backend's session tenant.
///
/// Sources arrive out of order: an application writes its audit line when it answers, after
/// the request's statements. A tagged statement is therefore held until its request appears or
/// `window` of log time has passed; a request is remembered for `window` so statements that
/// come after it still find it. Memory is bounded by the window and by hard caps, with counts
/// of what was retired.
public final class Correlator {
    public struct Limits: Sendable {
        /// How long (log time) a statement waits for its request, and a request for its statements.
        public var window: Int64 = 10_000_000
        public var maxPendingStatements = 200_000
        public var maxRecentRequests = 200_000
        public init(windowSeconds: Double = 10) { window = Int64(windowSeconds * 1_000_000) }
    }

    public struct Statistics: Sendable, Equatable {
        public var joined = 0
        public var unmatchedStatements = 0
        public var retiredRequests = 0
        public var droppedForCapacity = 0
    }

    public let model: TenancyModel
    public let limits: Limits
    public private(set) var sessions = BackendSessions()
    public private(set) var statistics = Statistics()
    public private(set) var tenants: TenantRegistry

    private enum Held: Sendable {
        case statement(AnalyzedStatement)
        indirect case cache(CacheCommand, CacheTie)
        indirect case search(SearchQuery)
    }

    private var pending: [RequestKey: [Held]] = [:]
    /// Log time of the latest statement of each request still waiting for its audit line.
    private var inFlight: [RequestKey: Int64] = [:]
    /// In-flight requests only serve cache commands (tie by time). A scan that reads no cache
    /// source turns this off and keeps a table insert and delete off every tagged statement.
    public var tracksInFlight = true
    /// Hand each held statement out at once as `.preview` too (`live`: a missing predicate must
    /// not wait up to a correlation window for an audit line before it is on screen).
    public var previewsHeldStatements = false
    private var lastInFlightPrune: Int64 = 0
    private var pendingOrder: Deque<(key: RequestKey, time: Int64)> = []
    private var pendingCount = 0
    private var recent: [RequestKey: RequestContext] = [:]
    private var recentOrder: Deque<(key: RequestKey, time: Int64)> = []
    private var statementsOfRequest: [RequestKey: [(position: SourcePosition, time: Timestamp?)]] = [:]
    /// The newest log time seen (microseconds; `.min` before any).
    public private(set) var watermark: Int64 = .min

    public init(model: TenancyModel, limits: Limits = Limits(), knownTenants: [String] = []) {
        self.model = model
        self.limits = limits
        self.tenants = TenantRegistry(configured: knownTenants)
    }

    /// Feeds one event; `emit` receives whatever is now ready, in order.
    ///
    /// The event is taken (`consuming`), not borrowed: nothing here keeps it, so its statement
    /// goes on into the analysis with no second owner of its storage left behind.
    public func ingest(_ event: consuming Event, emit: (CorrelatedEvent) -> Void) {
        if let t = event.time?.microseconds, t > watermark {
            watermark = t
            expire(emit: emit)
        }
        switch consume event {
        case .statement(let execution):
            statement(execution, emit: emit)
        case .request(let request):
            self.request(request, emit: emit)
        case .backendEnded(let backend, _, _):
            sessions.end(backend)
        case .cacheCommand(let command):
            cache(command, emit: emit)
        case .searchQuery(let query):
            search(query, emit: emit)
        default:
            break
        }
    }

    /// End of input: everything still held is released without a request.
    public func finish(emit: (CorrelatedEvent) -> Void) {
        while let (key, _) = pendingOrder.popFirst() {
            release(key: key, emit: emit)
        }
    }

    /// The log time of the oldest item still waiting for its request; nil when none waits.
    /// Everything older has been emitted: `live` saves checkpoints that go back no further.
    public var oldestHeldTime: Int64? {
        var oldest: Int64?
        for entry in pendingOrder where pending[entry.key] != nil {
            if oldest == nil || entry.time < oldest! { oldest = entry.time }
        }
        return oldest
    }

    // MARK: statements

    private func statement(_ execution: consuming StatementExecution, emit: (CorrelatedEvent) -> Void) {
        // One lookup of the backend per statement: marked active and its tenant read together
        // (a statement that changes the setting is applied below, with the tenant it ran under).
        let backend = execution.backend
        let time = execution.time
        let before = sessions.touchReadingTenant(backend, at: time)
        var analyzed = model.analyze(execution, sessionTenant: before)
        analyzed.sessionTenant = before
        if before != nil, let origin = sessions.origin(of: backend) {
            analyzed.sessionOrigin = origin.position
            analyzed.sessionOriginTime = origin.time
        }
        // Only the session changes are read: copying the whole analysis out per statement is not free.
        if let changes = analyzed.judgement?.analysis.sessionChanges, !changes.isEmpty {
            let parameters = analyzed.parameters
            sessions.apply(changes, resolve: { value in
                switch value {
                case .literal(let s): return s
                case .parameter(let n): return n >= 1 && n <= parameters.count ? parameters[n - 1] : nil
                case .sessionSetting: return before
                case .caller: return nil
                }
            }, backend: backend, at: time, position: analyzed.execution.position)
        }
        if analyzed.verdict == .scoped { for t in analyzed.accessedTenants { tenants.learn(t) } }

        let keys = requestKeys(traceID: analyzed.tags.traceID, requestID: analyzed.tags.requestID)
        guard !keys.isEmpty else {
            emit(.statement(analyzed))
            return
        }
        for key in keys {
            if let context = recent[key] {
                analyzed.request = context
                statistics.joined += 1
                statementsOfRequest[key, default: []].append((analyzed.execution.position, analyzed.execution.time))
                emit(.statement(analyzed))
                return
            }
        }
        if previewsHeldStatements { emit(.preview(analyzed)) }
        // Hold it under its first key; a request carrying either key will find it.
        let first = keys.first!
        hold(.statement(analyzed), under: first, at: time?.microseconds ?? watermark, emit: emit)
        if tracksInFlight { inFlight[first] = time?.microseconds ?? watermark }
    }

    private func hold(_ item: consuming Held, under key: RequestKey, at time: Int64, emit: (CorrelatedEvent) -> Void) {
        pending[key, default: []].append(item)
        pendingOrder.append((key, time))
        pendingCount += 1
        if pendingCount > limits.maxPendingStatements, let (oldest, _) = pendingOrder.popFirst() {
            statistics.droppedForCapacity += 1
            release(key: oldest, emit: emit)
        }
    }

    // MARK: cache commands

    /// Ties a cache command to its request: exactly by the connection's client name when it
    /// carries a request id or trace, else by time when exactly one request is in flight.
    private func cache(_ command: CacheCommand, emit: (CorrelatedEvent) -> Void) {
        let tags = command.clientName.map(CacheClientName.tags) ?? StatementTags()
        let keys = requestKeys(traceID: tags.traceID, requestID: tags.requestID)
        var tie = CacheTie.clientName
        var key = keys.first
        if key == nil {
            let t = command.time.microseconds
            let candidates = inFlight.filter { abs(t &- $0.value) <= 1_000_000 }
            if candidates.count == 1 { key = candidates.first!.key; tie = .time }
        }
        guard let key else {
            emit(.cache(command, request: nil, tie: .none))
            return
        }
        for k in (keys.isEmpty ? RequestKeys(trace: key) : keys) {
            if let context = recent[k] {
                emit(.cache(command, request: context, tie: tie))
                return
            }
        }
        hold(.cache(command, tie), under: key, at: command.time.microseconds, emit: emit)
    }

    // MARK: searches

    /// Ties a search to its request: an audit-origin search by its own line's ids; a slow-log
    /// line by its X-Opaque-Id, read as a trace (traceparent or bare trace id) or else as a
    /// request id. Held like a tagged statement until the request's audit line comes.
    private func search(_ query: SearchQuery, emit: (CorrelatedEvent) -> Void) {
        var traceID = query.traceID
        var requestID = query.requestID
        if let opaque = query.opaqueID {
            if let trace = TraceContext.traceID(from: opaque) {
                if traceID == nil { traceID = trace }
            } else if requestID == nil {
                requestID = opaque
            }
        }
        if let t = traceID { traceID = TraceContext.traceID(from: t) ?? t }
        let keys = requestKeys(traceID: traceID, requestID: requestID)
        guard !keys.isEmpty else {
            emit(.search(query, request: nil))
            return
        }
        for key in keys {
            if let context = recent[key] {
                emit(.search(query, request: context))
                return
            }
        }
        hold(.search(query), under: keys.first!, at: query.time?.microseconds ?? watermark, emit: emit)
    }

    // MARK: requests

    private func request(_ request: AuditRequest, emit: (CorrelatedEvent) -> Void) {
        if request.caller.verification != .invalid { tenants.learn(request.caller.tenant) }
        let context = RequestContext(request)
        let keys = requestKeys(traceID: request.traceID, requestID: request.requestID)
        var positions: [(position: SourcePosition, time: Timestamp?)] = []
        for key in keys {
            positions += statementsOfRequest.removeValue(forKey: key) ?? []
            if tracksInFlight { inFlight.removeValue(forKey: key) }
            guard var held = pending.removeValue(forKey: key) else { continue }
            pendingCount -= held.count
            // Moved out one by one (from the back of the reversed list) rather than copied
            // while the list still holds each: every statement leaves with its storage unshared.
            held.reverse()
            while let item = held.popLast() {
                switch consume item {
                case .statement(var statement):
                    statement.request = context
                    positions.append((statement.execution.position, statement.execution.time))
                    statistics.joined += 1
                    emit(.statement(statement))
                case .cache(let command, let tie):
                    emit(.cache(command, request: context, tie: tie))
                case .search(let query):
                    emit(.search(query, request: context))
                }
            }
        }
        positions.sort { $0.position.line < $1.position.line }
        emit(.request(request, statements: positions.map(\.position), statementTimes: positions.map(\.time)))
        let time = request.time?.microseconds ?? watermark
        for key in keys {
            recent[key] = context
            recentOrder.append((key, time))
        }
        while recent.count > limits.maxRecentRequests, let (oldest, _) = recentOrder.popFirst() {
            recent.removeValue(forKey: oldest)
            statistics.retiredRequests += 1
        }
    }

    /// A request is known by its trace id and by its request id; the two never collide. Not a
    /// prefixed string: no string is built per statement just to look it up.
    private struct RequestKey: Hashable {
        let id: String
        let isTrace: Bool
        /// The id's bytes folded to one word (`ShapeKey`'s digest) once, when the key is made:
        /// a key is hashed on every insert, lookup and delete, and SipHash over a 32-character
        /// trace id each time was a visible share of a scan. Equality still compares the id.
        let digest: UInt64

        static func trace(_ id: String) -> RequestKey { RequestKey(id, isTrace: true) }
        static func request(_ id: String) -> RequestKey { RequestKey(id, isTrace: false) }

        private init(_ id: String, isTrace: Bool) {
            var id = id
            let folded = id.withUTF8 { ShapeKey.digest(UnsafeRawBufferPointer($0)) }
            self.digest = isTrace ? folded : folded ^ 0x5bd1_e995
            self.id = id
            self.isTrace = isTrace
        }

        static func == (a: RequestKey, b: RequestKey) -> Bool {
            a.digest == b.digest && a.isTrace == b.isTrace && a.id == b.id
        }

        func hash(into hasher: inout Hasher) { hasher.combine(digest) }
    }

    private func requestKeys(traceID: String?, requestID: String?) -> RequestKeys {
        var keys = RequestKeys()
        if let t = traceID, !t.isEmpty { keys.trace = .trace(t) }
        if let r = requestID, !r.isEmpty { keys.request = .request(r) }
        return keys
    }

    /// A request's keys, trace first: at most two, so a pair rather than an array allocated per
    /// tagged statement.
    private struct RequestKeys: Sequence {
        var trace: RequestKey?
        var request: RequestKey?
        var isEmpty: Bool { trace == nil && request == nil }
        var first: RequestKey? { trace ?? request }

        struct Iterator: IteratorProtocol {
            var rest: RequestKeys
            mutating func next() -> RequestKey? {
                if let t = rest.trace { rest.trace = nil; return t }
                if let r = rest.request { rest.request = nil; return r }
                return nil
            }
        }
        func makeIterator() -> Iterator { Iterator(rest: self) }
    }

    // MARK: expiry

    private func expire(emit: (CorrelatedEvent) -> Void) {
        let cutoff = watermark - limits.window
        while let first = pendingOrder.first, first.time < cutoff {
            pendingOrder.removeFirst()
            release(key: first.key, emit: emit)
        }
        // In-flight requests only decide time ties of cache commands; pruning them once per
        // second of log time keeps this off the per-event path.
        if !inFlight.isEmpty, watermark - lastInFlightPrune >= 1_000_000 {
            lastInFlightPrune = watermark
            inFlight = inFlight.filter { $0.value >= cutoff }
        }
        while let first = recentOrder.first, first.time < cutoff {
            recentOrder.removeFirst()
            if recent.removeValue(forKey: first.key) != nil { statistics.retiredRequests += 1 }
            statementsOfRequest.removeValue(forKey: first.key)
        }
        // Backends are retired on a much longer clock; checking once per window step is enough.
        if watermark % 1_000_000 < 1000 { sessions.expire(before: Timestamp(microseconds: watermark)) }
    }

    /// Emits the statements held under `key` without a request (it never came).
    private func release(key: RequestKey, emit: (CorrelatedEvent) -> Void) {
        guard var held = pending.removeValue(forKey: key) else { return }
        pendingCount -= held.count
        if tracksInFlight { inFlight.removeValue(forKey: key) }
        held.reverse()
        while let item = held.popLast() {
            switch consume item {
            case .statement(let s):
                statistics.unmatchedStatements += 1
                emit(.statement(s))
            case .cache(let command, _):
                emit(.cache(command, request: nil, tie: .none))
            case .search(let query):
                emit(.search(query, request: nil))
            }
        }
    }
}
