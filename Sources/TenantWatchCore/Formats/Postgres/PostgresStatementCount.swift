/// What one PostgreSQL source held, counted two ways, said by `scan` on stderr at its end:
/// `postgresql.log: 61 statements executed; pgBadger counts 109 queries (...)`.
///
/// A user who checks tenantwatch against pgBadger on the same file would otherwise see two
/// numbers that disagree and no reason why: pgBadger counts log entries, including each
/// `duration:` line that closes an execution `log_statement` already reported
/// (`PgBadgerQueryCount`), tenantwatch counts executions. Both are given, with the reason when
/// they differ, so neither looks like lost input.
public struct PostgresStatementCount: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// Executions read (what detection judges): one per execution, however many lines it took.
    public var statements: Int
    /// What pgBadger 12 shows as its number of queries for the same file.
    public var pgBadgerQueries: Int

    public init(file: String, statements: Int, pgBadgerQueries: Int) {
        self.file = file
        self.statements = statements
        self.pgBadgerQueries = pgBadgerQueries
    }

    public var description: String {
        var s = "\(file): \(statements) statement\(statements == 1 ? "" : "s") executed"
        if pgBadgerQueries == statements { return s + " (pgBadger counts the same number of queries)" }
        s += "; pgBadger counts \(pgBadgerQueries) quer\(pgBadgerQueries == 1 ? "y" : "ies")"
        s += pgBadgerQueries > statements
            ? " (it also counts each `duration:` line that closes an execution already logged)"
            : " (it does not count executions read from ERROR/STATEMENT or pgaudit lines alone)"
        return s
    }
}
