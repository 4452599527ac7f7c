import TenantWatchModel

/// What a format reader hands on: a complete record, or input it could not read.
enum PostgresReaderOutput {
    case record(PostgresLogRecord)
    case unparsed(UnparsedLine)
}

/// Where readers put their output: records in one array (handed to the interpreter by borrow,
/// never copied out of an enum) and unparsed lines beside them, each tagged with the number of
/// records before it so the original order can be restored.
struct PostgresReaderSink {
    var records: [PostgresLogRecord] = []
    var unparsed: [(before: Int, line: UnparsedLine)] = []
    /// The input ended after these: the interpreting half then lets go of what it still holds
    /// (AUDIT executions waiting for a `log_statement` twin).
    var ended = false

    mutating func record(_ r: consuming PostgresLogRecord) { records.append(r) }
    mutating func unparsed(_ u: UnparsedLine) { unparsed.append((records.count, u)) }

    mutating func removeAll() {
        records.removeAll(keepingCapacity: true)
        unparsed.removeAll(keepingCapacity: true)
        ended = false
    }

    /// Everything in input order (tests, small callers).
    var outputs: [PostgresReaderOutput] {
        var out: [PostgresReaderOutput] = []
        var u = 0
        for i in 0...records.count {
            while u < unparsed.count, unparsed[u].before == i { out.append(.unparsed(unparsed[u].line)); u += 1 }
            if i < records.count { out.append(.record(records[i])) }
        }
        return out
    }
}
