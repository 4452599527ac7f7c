import TenantWatchModel
import TenantWatchSQL

/// The session tenant of every PostgreSQL backend: the last value it set for the session
/// setting, so a statement can be judged against what row-level security will actually use.
///
/// Pooled connections are where this goes wrong: a backend keeps the previous request's
/// tenant when nobody resets it. State is bounded: backends quiet for longer than `idleLimit`
/// (or past `capacity`, oldest first) are retired and counted.
public struct BackendSessions: Sendable {
    struct State: Sendable {
        var session: String?
        var local: String?
        var inTransaction = false
        /// The session value when the transaction began: a ROLLBACK restores it.
        var sessionAtBegin: String?
        var lastSeen: Int64 = 0
        /// The statement that last set the session (or local) value, and when: the evidence of
        /// where a backend's tenant came from.
        var setAt: SourcePosition?
        var setTime: Timestamp?
        var effective: String? { local ?? session }
    }

    public var idleLimit: Int64
    public var capacity: Int
    public private(set) var retired = 0
    private var states: [BackendID: State] = [:]

    public init(idleLimitSeconds: Int64 = 6 * 3600, capacity: Int = 20_000) {
        self.idleLimit = idleLimitSeconds * 1_000_000
        self.capacity = capacity
    }

    public var count: Int { states.count }

    /// The tenant a backend's session carries right now.
    public func tenant(of backend: BackendID) -> String? { states[backend]?.effective }

    /// Applies what one statement did to its backend's setting, with its values resolved.
    public mutating func apply(_ changes: [SessionTenantChange], resolve: (TenantValue) -> String?,
                               backend: BackendID, at time: Timestamp?, position: SourcePosition? = nil) {
        var state = states[backend] ?? State()
        let before = state.effective
        if let t = time?.microseconds { state.lastSeen = max(state.lastSeen, t) }
        for change in changes {
            switch change {
            case .beginTransaction:
                state.inTransaction = true
                state.sessionAtBegin = state.session
            case .commitTransaction:
                state.inTransaction = false
                state.local = nil
            case .rollbackTransaction:
                if state.inTransaction { state.session = state.sessionAtBegin }
                state.inTransaction = false
                state.local = nil
            case .reset:
                state.session = nil
                state.local = nil
            case .set(let value, let local):
                let v = resolve(value)
                if local {
                    // Outside a transaction block a local setting dies with its own statement.
                    if state.inTransaction { state.local = v }
                } else {
                    state.session = v
                    // A plain SET inside a transaction also replaces a SET LOCAL made earlier in it.
                    state.local = nil
                }
            }
        }
        if state.effective != before || changes.contains(where: { if case .set = $0 { return true } else { return false } }) {
            state.setAt = position
            state.setTime = time
        }
        states[backend] = state
        if states.count > capacity { evictOldest() }
    }

    /// Where the backend's current tenant was set (the `SET` line) and when, when known.
    public func origin(of backend: BackendID) -> (position: SourcePosition, time: Timestamp?)? {
        guard let state = states[backend], state.effective != nil, let p = state.setAt else { return nil }
        return (p, state.setTime)
    }

    /// Notes that a backend was active without changing its setting (keeps it from retiring).
    public mutating func touch(_ backend: BackendID, at time: Timestamp?) {
        // Once per statement: one hash of the backend, the state updated where it lies.
        guard let t = time?.microseconds, let i = states.index(forKey: backend) else { return }
        if states.values[i].lastSeen < t { states.values[i].lastSeen = t }
    }

    /// `touch`, returning the tenant the backend's session carries (what `tenant(of:)` says).
    public mutating func touchReadingTenant(_ backend: BackendID, at time: Timestamp?) -> String? {
        guard let i = states.index(forKey: backend) else { return nil }
        if let t = time?.microseconds, states.values[i].lastSeen < t { states.values[i].lastSeen = t }
        return states.values[i].effective
    }

    /// The backend disconnected: its settings are gone with it.
    public mutating func end(_ backend: BackendID) {
        if states.removeValue(forKey: backend) != nil { retired += 1 }
        // Logs without a session id name a backend by pid alone; end that one too.
        if backend.sessionID != nil, states.removeValue(forKey: BackendID(pid: backend.pid)) != nil { retired += 1 }
    }

    /// Retires backends quiet since before `time - idleLimit`.
    public mutating func expire(before time: Timestamp) {
        let cutoff = time.microseconds - idleLimit
        let stale = states.filter { $0.value.lastSeen < cutoff }.map(\.key)
        for key in stale { states.removeValue(forKey: key) }
        retired += stale.count
    }

    private mutating func evictOldest() {
        let excess = states.count - capacity * 9 / 10
        guard excess > 0 else { return }
        let victims = states.sorted { $0.value.lastSeen < $1.value.lastSeen }.prefix(excess).map(\.key)
        for key in victims { states.removeValue(forKey: key) }
        retired += victims.count
    }
}
