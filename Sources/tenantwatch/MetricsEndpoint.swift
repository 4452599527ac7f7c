import Foundation
import Prometheus
import TenantWatchCore

/// `--metrics 127.0.0.1:PORT`: the Prometheus text exposition at `GET /metrics`, rendered by
/// swift-prometheus (`PrometheusCollectorRegistry`), served by a small loopback-only HTTP/1.0
/// responder on a thread of its own (one request per connection, bounded reads, a timeout).
///
///     tenantwatch_findings_total{kind,severity}        findings by this run (stored, or on detection: `EarlyAlerts`)
///     tenantwatch_open_incidents                       incidents in state open (store-wide)
///     tenantwatch_events_total / _unparsed_lines_total what the pipeline read
///     tenantwatch_events_per_second                    over the last half second or so
///     tenantwatch_source_lines_per_second{source}      per source, likewise
///     tenantwatch_source_lag_bytes{source}             written but not read yet
final class MetricsEndpoint: FeedObserver, @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    private let lock = NSLock()
    private var findingCounters: [String: Counter] = [:]
    private var sourceRates: [String: Gauge] = [:]
    private var sourceLags: [String: Gauge] = [:]
    private var lastLines: [String: (lines: Int, at: Double)] = [:]
    private var lastEvents: (events: Int, at: Double)?
    private let openIncidents: Gauge
    private let events: Gauge
    private let unparsed: Gauge
    private let eventRate: Gauge
    private let socket: Int32
    let port: Int

    /// Binds `HOST:PORT` (loopback only: the numbers say what tenants leak to whom). Throws a
    /// usage message for another address, a bad port or a port in use.
    init(address: String) throws {
        let parts = address.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = UInt16(parts[1]) else {
            throw UsageError(message: "--metrics: expected 127.0.0.1:PORT, got \(address)")
        }
        let host = parts[0].isEmpty ? "127.0.0.1" : String(parts[0])
        guard host == "127.0.0.1" || host == "localhost" else {
            throw UsageError(message: "--metrics: binds loopback only (127.0.0.1:PORT), not \(host)")
        }
        let fd = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw UsageError(message: "--metrics: cannot open a socket") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        sin.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw UsageError(message: "--metrics: cannot listen on 127.0.0.1:\(port): \(reason)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        socket = fd
        openIncidents = registry.makeGauge(name: "tenantwatch_open_incidents", help: "Incidents in state open")
        events = registry.makeGauge(name: "tenantwatch_events_total", help: "Events read by this run")
        unparsed = registry.makeGauge(name: "tenantwatch_unparsed_lines_total", help: "Lines that did not parse, by this run")
        eventRate = registry.makeGauge(name: "tenantwatch_events_per_second", help: "Events read per second, recently")
    }

    /// Serves until the process ends.
    func start() {
        let thread = Thread { [self] in serve() }
        thread.name = "tenantwatch.metrics"
        thread.start()
    }

    /// Sets the open-incident gauge before the first commit (the store may hold some already).
    func setOpenIncidents(_ n: Int) { openIncidents.set(Int64(n)) }

    func committed(_ findings: [(Finding, RecordResult)], incidents: [StoredIncident], openIncidents open: Int) {
        lock.lock()
        defer { lock.unlock() }
        for (f, result) in findings where result.isNewFinding { count(f) }
        openIncidents.set(Int64(open))
    }

    /// A finding that needs no correlation is counted on detection; the feed reports it as not
    /// new when it is stored, so it is counted once.
    func detected(_ findings: [Finding]) {
        lock.lock()
        defer { lock.unlock() }
        for f in findings { count(f) }
    }

    private func count(_ f: Finding) {
        let key = f.kind.rawValue + "/" + f.severity.rawValue
        let counter = findingCounters[key] ?? registry.makeCounter(
            name: "tenantwatch_findings_total", labels: [("kind", f.kind.rawValue), ("severity", f.severity.rawValue)],
            help: "Findings found by this run, by kind and severity")
        findingCounters[key] = counter
        counter.increment()
    }

    func sourcesRead(_ sources: [(name: String, lines: Int, lagBytes: Int64)], statistics: IngestStatistics) {
        let now = MetricsEndpoint.monotonic()
        lock.lock()
        defer { lock.unlock() }
        events.set(Int64(statistics.events))
        unparsed.set(Int64(statistics.unparsed))
        if let last = lastEvents, now > last.at {
            eventRate.set(Double(statistics.events - last.events) / (now - last.at))
        }
        lastEvents = (statistics.events, now)
        for s in sources {
            let rate = sourceRates[s.name] ?? registry.makeGauge(
                name: "tenantwatch_source_lines_per_second", labels: [("source", s.name)], help: "Lines read per second, recently")
            let lag = sourceLags[s.name] ?? registry.makeGauge(
                name: "tenantwatch_source_lag_bytes", labels: [("source", s.name)], help: "Bytes written to the source but not read yet")
            sourceRates[s.name] = rate
            sourceLags[s.name] = lag
            if let last = lastLines[s.name], now > last.at { rate.set(Double(s.lines - last.lines) / (now - last.at)) }
            lastLines[s.name] = (s.lines, now)
            lag.set(s.lagBytes)
        }
    }

    private func serve() {
        while true {
            let client = accept(socket, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            respond(client)
            close(client)
        }
    }

    /// Reads the request head (8 KiB and 2 s at most) and answers it.
    private func respond(_ client: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var head: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        while head.count < 8192 {
            let n = read(client, &chunk, chunk.count)
            if n <= 0 { break }
            head += chunk[0..<n]
            // The head ends at an empty line (CRLF CRLF, or LF LF from a lax client).
            if head.suffix(4).elementsEqual([13, 10, 13, 10]) || head.suffix(2).elementsEqual([10, 10]) { break }
        }
        let requestLine = String(decoding: head.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        let words = requestLine.split(separator: " ")
        let status: String
        var body: [UInt8]
        var type = "text/plain; charset=utf-8"
        if words.count >= 2, words[0] == "GET", words[1] == "/metrics" || words[1].hasPrefix("/metrics?") {
            status = "200 OK"
            lock.lock()
            body = registry.emitToBuffer()
            lock.unlock()
            type = "text/plain; version=0.0.4; charset=utf-8"
        } else if words.count >= 2, words[0] == "GET" {
            status = "404 Not Found"
            body = Array("not found: the metrics are at /metrics\n".utf8)
        } else {
            status = "405 Method Not Allowed"
            body = Array("GET /metrics\n".utf8)
        }
        let header = "HTTP/1.0 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        var out = Array(header.utf8)
        out += body
        var offset = 0
        while offset < out.count {
            let n = out[offset...].withUnsafeBytes { write(client, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            offset += n
        }
    }

    static func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
