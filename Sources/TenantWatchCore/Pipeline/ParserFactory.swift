import TenantWatchModel

/// Picks the parser for a source: one place that knows every format.
public struct ParserFactory: Sendable {
    public let configuration: Configuration
    /// Token keys are loaded once per run, not once per file.
    public let keys: JWTKeySet

    public init(configuration: Configuration, keys: JWTKeySet = .none) {
        self.configuration = configuration
        self.keys = keys
    }

    public func make(spec: SourceSpec, kind: SourceKind, file: String) throws -> LogParser {
        switch kind {
        case .postgres:
            return PostgresLogParser(format: PostgresLogParser.Format(spec.format), prefix: spec.prefix,
                                     timezone: spec.timezone, file: file)
        case .audit:
            return AuditLogParser(file: file, configuration: configuration, keys: keys)
        case .redis:
            return RedisMonitorParser(file: file)
        case .search:
            return SearchSlowLogParser(file: file)
        }
    }
}

extension PostgresLogParser: LogParser {
    /// Milliseconds (`%m`, csvlog, jsonlog). The stderr reader holds a backend's record until
    /// its next record or two seconds of log time, completed at most a second later: its events
    /// may come up to three seconds behind newer ones. csvlog and jsonlog come in order.
    public var mergeOrder: MergeOrder {
        switch format {
        case .csvlog, .jsonlog: return MergeOrder(precision: 1000)
        default: return MergeOrder(precision: 1000, lateness: 3_000_000)
        }
    }

    /// PostgreSQL writes a message and its DETAIL in one write, so after a quiet second every
    /// held record is complete. A negative age puts the cut-off past the newest log time seen.
    public mutating func flushIdle(into events: inout [Event]) {
        flush(olderThanSeconds: -3600, into: &events)
        flushOpenCSVRecord(into: &events)
    }
}

extension PostgresLogParser.Format {
    init(_ format: PostgresLogFormat) {
        switch format {
        case .auto: self = .auto
        case .stderr: self = .stderr
        case .csvlog: self = .csvlog
        case .jsonlog: self = .jsonlog
        case .syslog: self = .syslog
        case .cloudsql: self = .cloudsql
        case .cnpg: self = .cnpg
        case .azure: self = .azure
        }
    }
}
