import Foundation
import TenantWatchModel

/// What `format = "auto"` and prefix detection assumed for one PostgreSQL source, in words.
///
/// A wrong guess must be visible at once, not discovered as a run that found nothing: the
/// commands print these on stderr ("postgresql.log: stderr format, log_line_prefix
/// '%t:%r:%u@%d:[%p]:' (AWS RDS/Aurora), first read at line 1"), and when no known prefix
/// reads the file, the nearest candidate and the first line that failed.
public struct PostgresFormatReport: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var format: PostgresLogParser.Format
    /// Whether the format was detected (auto) rather than configured.
    public var formatDetected: Bool
    /// syslog: Heroku's logplex lines (`app[postgres.N]: [DATABASE] [n-k] ...`).
    public var logplex = false
    /// stderr: the prefix lines were read with, and the first line it read.
    public var prefix: String?
    public var prefixDetected: Bool
    public var prefixLine: Int?
    /// stderr, nothing read: the nearest prefix and the first line that failed.
    public var closest: String?
    public var closestPartsRead = 0
    public var closestParts = 0
    public var failedLine: Int?
    public var failedText: String?

    public var description: String {
        var s = "\(file): "
        s += formatDetected ? "assumed format \(format.rawValue)" : "format \(format.rawValue)"
        if logplex { s += " (Heroku logplex)" }
        if let prefix {
            s += prefixDetected ? ", assumed log_line_prefix '\(prefix)'" : ", log_line_prefix '\(prefix)'"
            if let platform = LogLinePrefix.platform(of: prefix) { s += " (\(platform))" }
            if let prefixLine { s += ", first read at line \(prefixLine)" }
        } else if let closest, let failedLine {
            s += ": no known log_line_prefix reads it; closest '\(closest)'"
            if let platform = LogLinePrefix.platform(of: closest) { s += " (\(platform))" }
            s += " read \(closestPartsRead) of its \(closestParts) parts; first line that failed: \(failedLine)"
            if let failedText { s += " \"\(TextSanitizer.oneLine(failedText))\"" }
            s += "; set `prefix` for this source to the server's log_line_prefix"
        }
        return s
    }
}

/// The reports of every PostgreSQL source of the run, for the command to print. Parsers run on
/// reading threads (and may be copied), so they hand their report here once it is known.
public final class PostgresFormatReports: @unchecked Sendable {
    public static let shared = PostgresFormatReports()
    private let lock = NSLock()
    private var reports: [PostgresFormatReport] = []
    private var printed = 0

    public func add(_ r: PostgresFormatReport) {
        lock.lock(); defer { lock.unlock() }
        // One report a file and outcome: a parser copy must not say it twice.
        if !reports.contains(r) { reports.append(r) }
    }

    public var all: [PostgresFormatReport] {
        lock.lock(); defer { lock.unlock() }
        return reports
    }

    /// Reports not yet taken by an earlier call (live mode prints them as they come).
    public func takeNew() -> [PostgresFormatReport] {
        lock.lock(); defer { lock.unlock() }
        let new = Array(reports[printed...])
        printed = reports.count
        return new
    }

    private var counts: [PostgresStatementCount] = []

    /// A source's counts at its end (`PostgresStatementCount`); a parser copy says it once.
    public func addCount(_ c: PostgresStatementCount) {
        lock.lock(); defer { lock.unlock() }
        if !counts.contains(c) { counts.append(c) }
    }

    /// The counts of the sources that ended, in the order they ended.
    public func takeCounts() -> [PostgresStatementCount] {
        lock.lock(); defer { lock.unlock() }
        let all = counts
        counts.removeAll()
        return all
    }
}
