import Foundation
import TenantWatchCore

/// `live --no-tui`: each newly stored finding and each new incident as one NDJSON line on
/// standard output, written (and flushed) as soon as the commit that stored it returns — half
/// a second after the line was read at most — so `| jq` or a log shipper sees it at once.
///
///     {"type":"finding","finding":{...the finding, as `scan --format ndjson`, with its incident...}}
///     {"type":"incident","incident":{...as `tenantwatch incidents --format json`...}}
///     {"type":"finding","provisional":true,"finding":{...,"incident":null}}
///
/// The last shape is a finding that needs no correlation, written when it is detected, ahead of
/// the store (`EarlyAlerts`): the store numbers incidents in log-time order, a correlation window
/// and a parser margin after the line, which is too late for a pager. It is written once.
final class NDJSONOutput: FeedObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var announced: Set<String> = []

    func committed(_ findings: [(Finding, RecordResult)], incidents: [StoredIncident], openIncidents: Int) {
        var out = ""
        let byID = Dictionary(incidents.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        lock.lock()
        for (finding, result) in findings {
            // A new incident is announced before its first finding, so a reader can join them.
            if result.isNewIncident, announced.insert(result.incidentID).inserted, let i = byID[result.incidentID] {
                var w = JSONWriter()
                w.beginObject()
                w.field("type", "incident")
                w.key("incident")
                IncidentPrinter.write(i, into: &w)
                w.endObject()
                out += w.output + "\n"
            }
            guard result.isNewFinding else { continue }
            var f = finding
            f.incident = result.incidentID
            var w = JSONWriter()
            w.beginObject()
            w.field("type", "finding")
            w.key("finding")
            FindingPrinter.write(f, into: &w)
            w.endObject()
            out += w.output + "\n"
        }
        lock.unlock()
        guard !out.isEmpty else { return }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    /// A finding that needs no correlation, on detection (`EarlyAlerts`): the same line with
    /// `"provisional":true` and `"incident":null`; it is not written again when stored (its
    /// incident's line is, when the store opens one for it: that is when it gets its id).
    func detected(_ findings: [Finding]) {
        var out = ""
        for f in findings {
            var w = JSONWriter()
            w.beginObject()
            w.field("type", "finding")
            w.key("provisional")
            w.bool(true)
            w.key("finding")
            FindingPrinter.write(f, into: &w)
            w.endObject()
            out += w.output + "\n"
        }
        guard !out.isEmpty else { return }
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    func sourcesRead(_ sources: [(name: String, lines: Int, lagBytes: Int64)], statistics: IngestStatistics) {}
}

/// `--on-incident CMD`: runs `/bin/sh -c CMD` once for each incident when it first reaches
/// `--severity` (as it opens, or when a later finding raises it), with the incident's JSON on
/// standard input and `TENANTWATCH_INCIDENT`/`TENANTWATCH_SEVERITY` in the environment.
/// Commands run one at a time on a queue of their own: a slow pager never holds up reading.
final class IncidentHook: FeedObserver, @unchecked Sendable {
    let command: String
    let threshold: Severity
    private let queue = DispatchQueue(label: "tenantwatch.on-incident")
    private let lock = NSLock()
    private var alerted: Set<String> = []
    private let pending = DispatchGroup()

    init(command: String, threshold: Severity) {
        self.command = command
        self.threshold = threshold
    }

    func committed(_ findings: [(Finding, RecordResult)], incidents: [StoredIncident], openIncidents: Int) {
        for incident in incidents where incident.severity >= threshold {
            lock.lock()
            let first = alerted.insert(incident.id).inserted
            lock.unlock()
            guard first else { continue }
            var w = JSONWriter()
            IncidentPrinter.write(incident, into: &w)
            let json = w.output + "\n"
            let command = self.command
            pending.enter()
            queue.async { [pending] in
                IncidentHook.run(command, input: json, incident: incident)
                pending.leave()
            }
        }
    }

    func sourcesRead(_ sources: [(name: String, lines: Int, lagBytes: Int64)], statistics: IngestStatistics) {}

    /// Waits (a few seconds at most) for the commands already started, so an incident found
    /// just before Ctrl-C still pages someone.
    func drain(timeout: Double = 10) { _ = pending.wait(timeout: .now() + timeout) }

    static func run(_ command: String, input: String, incident: StoredIncident) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        environment["TENANTWATCH_INCIDENT"] = incident.id
        environment["TENANTWATCH_SEVERITY"] = incident.severity.rawValue
        process.environment = environment
        let stdin = Pipe()
        process.standardInput = stdin
        do {
            try process.run()
        } catch {
            FileHandle.standardError.write(Data(("tenantwatch: --on-incident: cannot run /bin/sh: \(error)\n").utf8))
            return
        }
        // A command that does not read its input must not make us die of SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        if process.terminationReason != .exit || process.terminationStatus != 0 {
            FileHandle.standardError.write(Data(("tenantwatch: --on-incident for \(incident.id) exited with status \(process.terminationStatus)\n").utf8))
        }
    }
}

/// Several observers as one.
final class ObserverList: FeedObserver, @unchecked Sendable {
    let observers: [FeedObserver]
    init(_ observers: [FeedObserver]) { self.observers = observers }
    func committed(_ findings: [(Finding, RecordResult)], incidents: [StoredIncident], openIncidents: Int) {
        for o in observers { o.committed(findings, incidents: incidents, openIncidents: openIncidents) }
    }
    func detected(_ findings: [Finding]) {
        for o in observers { o.detected(findings) }
    }
    func sourcesRead(_ sources: [(name: String, lines: Int, lagBytes: Int64)], statistics: IngestStatistics) {
        for o in observers { o.sourcesRead(sources, statistics: statistics) }
    }
}
