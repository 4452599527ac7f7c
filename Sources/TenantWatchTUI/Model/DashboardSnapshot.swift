import TenantWatchCore

/// Everything one frame shows: an immutable value the core hands the TUI.
///
/// How the `live`/`replay` commands fill it (ingestion thread → a lock → the TUI's provider):
/// - `stream`: for each event, `StreamRow(sequence: n, event: event, findings: raisedForIt)`
///   appended to a bounded ring (e.g. a `Deque` capped at 100k, oldest dropped; sequences ascend).
/// - `incidents`: `IncidentSummary.from(findings: pipeline.findings(), states: storeStates)`,
///   rebuilt when findings change, not per frame.
/// - `details`: `ClosureDetailProvider { id in IncidentDetail(findings: findingsOf[id], request: requestOf[id],
///   state: ..., notes: ...) }`; it is called only for the incident on screen (cached for a second).
/// - `counters`: `Counters(pipeline.statistics, eventsPerSecond: ..., findings: n, incidents: m)`.
/// - `sources`: one `SourceStatus` per file (state `following`, `rotated`, `waiting`, `error: ...`;
///   lag = file size − offset read).
/// - `replay`: `ReplayStatus(clock: lastEventTime, speed: speed, paused: paused)` in replay, else nil.
///
/// The `live`/`replay` commands build one (cheaply: the arrays are copy-on-write, shared with the
/// pipeline's own buffers) whenever `Dashboard.run` asks for it, ~10 times a second and on input.
/// The TUI never computes findings: leak flags on stream rows and incident fields come from the
/// pipeline. Per-incident detail is loaded lazily through `details`, only for the incident
/// the user opens.
public struct DashboardSnapshot: Sendable {
    public var sources: [SourceStatus]
    public var counters: Counters
    /// `nil` in live mode.
    public var replay: ReplayStatus?
    /// The most recent stream rows, oldest first (a bounded ring on the pipeline's side).
    public var stream: [StreamRow]
    /// Incidents in display order (newest activity first is the usual choice).
    public var incidents: [IncidentSummary]
    public var details: IncidentDetailProvider?
    /// The host's latest word for the status line (where an export was written, an error).
    public var notice: String?
    /// Where reading started (`end of the files: new lines only`, `the start of the files`,
    /// `events since 2026-12-06T01:30:00Z`): shown on screen, so an empty list is not taken for
    /// a clean log.
    public var origin: String?
    /// "Now" for "last seen 12 s ago": the wall clock in `live`, the replay clock in `replay`;
    /// nil shows absolute times only.
    public var now: Timestamp?
    /// The incident a finding (by `FindingAggregator.dedupKey`) went to: Enter on a stream row.
    public var incidentOfFinding: (@Sendable (String) -> String?)?

    public init(sources: [SourceStatus] = [], counters: Counters = Counters(), replay: ReplayStatus? = nil,
                stream: [StreamRow] = [], incidents: [IncidentSummary] = [],
                details: IncidentDetailProvider? = nil) {
        self.sources = sources
        self.counters = counters
        self.replay = replay
        self.stream = stream
        self.incidents = incidents
        self.details = details
    }

    public static let empty = DashboardSnapshot()

    public func detail(for id: String) -> IncidentDetail? { details?.detail(for: id) }
}

/// Loads the detail of one incident on demand (from memory or the SQLite store).
public protocol IncidentDetailProvider: Sendable {
    func detail(for incidentID: String) -> IncidentDetail?
}

/// A provider from a closure.
public struct ClosureDetailProvider: IncidentDetailProvider {
    let load: @Sendable (String) -> IncidentDetail?
    public init(_ load: @escaping @Sendable (String) -> IncidentDetail?) { self.load = load }
    public func detail(for incidentID: String) -> IncidentDetail? { load(incidentID) }
}

/// One source as the header shows it: `postgresql.log following lag 0B`.
public struct SourceStatus: Sendable, Equatable {
    public enum Kind: String, Sendable { case postgres, audit, redis, unknown }
    public enum Health: Sendable { case ok, warn, error }
    public var name: String
    public var kind: Kind
    /// Free text: `following`, `rotated`, `waiting`, `eof`, `error: permission denied`.
    public var state: String
    public var health: Health
    /// Bytes written to the file but not read yet.
    public var lagBytes: Int64

    public init(name: String, kind: Kind, state: String, health: Health = .ok, lagBytes: Int64 = 0) {
        self.name = name
        self.kind = kind
        self.state = state
        self.health = health
        self.lagBytes = lagBytes
    }

    public init(name: String, kind: SourceKind, state: String, health: Health = .ok, lagBytes: Int64 = 0) {
        self.init(name: name, kind: Kind(rawValue: kind.rawValue) ?? .unknown, state: state, health: health, lagBytes: lagBytes)
    }
}

public struct Counters: Sendable, Equatable {
    public var lines: Int
    public var events: Int
    public var unparsed: Int
    public var eventsPerSecond: Double
    public var findings: Int
    public var incidents: Int
    /// What left the correlation window unmatched (statements without their request, untied
    /// cache commands, contradicted guesses, early releases): shown so a missing tie is never silent.
    public var unmatched: Int

    public init(lines: Int = 0, events: Int = 0, unparsed: Int = 0, eventsPerSecond: Double = 0,
                findings: Int = 0, incidents: Int = 0, unmatched: Int = 0) {
        self.lines = lines
        self.events = events
        self.unparsed = unparsed
        self.eventsPerSecond = eventsPerSecond
        self.findings = findings
        self.incidents = incidents
        self.unmatched = unmatched
    }

    /// From the pipeline's statistics; the rate is the caller's (events over the last second).
    public init(_ statistics: IngestStatistics, eventsPerSecond: Double, findings: Int, incidents: Int) {
        self.init(lines: statistics.lines, events: statistics.events, unparsed: statistics.unparsed,
                  eventsPerSecond: eventsPerSecond, findings: findings, incidents: incidents,
                  unmatched: statistics.unmatchedStatements + statistics.untiedCacheCommands
                      + statistics.contradictedTies + statistics.droppedForCapacity)
    }
}

public struct ReplayStatus: Sendable, Equatable {
    /// The log time replay has reached.
    public var clock: Timestamp?
    /// Multiplier of log time; `.infinity` is `--speed max`.
    public var speed: Double
    public var paused: Bool
    /// Every archive was read to its end: nothing more will come (not a pause).
    public var finished: Bool
    public init(clock: Timestamp?, speed: Double, paused: Bool, finished: Bool = false) {
        self.clock = clock
        self.speed = speed
        self.paused = paused
        self.finished = finished
    }

    /// The speeds `+`/`-` step through.
    public static let steps: [Double] = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, .infinity]

    public static func faster(than s: Double) -> Double { steps.first { $0 > s } ?? .infinity }
    public static func slower(than s: Double) -> Double { steps.last { $0 < s } ?? steps[0] }

    public static func label(_ s: Double) -> String {
        if s.isInfinite { return "max" }
        if s == s.rounded() { return "×\(Int(s))" }
        return "×\(s)"
    }
}
