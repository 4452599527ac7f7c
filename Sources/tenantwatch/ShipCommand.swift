import ArgumentParser
import Foundation
import TenantWatchCore
import TenantWatchFleet

/// `tenantwatch ship`: a log shipper for hosts that run none, publishing followed lines to the
/// fleet's NATS JetStream cluster with acknowledgements (see `Shipper`).
struct Ship: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow log files and publish their lines to NATS JetStream (fleet mode).",
        discussion: """
        Lines go to tw.log.<kind>.<host> in the TW_LOG stream (created when missing, --replicas \
        copies), each with its source path and line number; the read position is saved to --state \
        only once a batch is acknowledged, so a restart after a crash resumes with no gap and the \
        stream drops the re-sent lines as duplicates. Runs until SIGINT/SIGTERM; --once stops \
        when everything present has been published. Exit status: 0, or 2 on usage errors and when \
        NATS cannot be reached at start.
        """
    )

    @OptionGroup var sources: SourceOptions

    @Option(help: ArgumentHelp("NATS server URLs, comma-separated (default [nats] urls).", valueName: "URLS"))
    var nats: String?

    @Option(help: ArgumentHelp("Host name in subjects and message ids (default [nats] host, else the machine's).",
                               valueName: "NAME"))
    var host: String?

    @Option(help: ArgumentHelp("Where the read position is kept between runs.", valueName: "FILE"))
    var state: String?

    @Option(help: ArgumentHelp("Copies of the TW_LOG stream when ship creates it (default [nats] replicas, 3).",
                               valueName: "N"))
    var replicas: Int?

    @Option(name: .customLong("batch-lines"), help: ArgumentHelp("Lines per acknowledged batch.", valueName: "N"))
    var batchLines: Int = 2_000

    @Flag(name: .customLong("from-start"), help: "Without saved state, publish the files' existing content too (default: only new lines).")
    var fromStart = false

    @Flag(help: "Stop once every line present has been published and acknowledged.")
    var once = false

    func run() throws {
        let configuration = try sources.loadConfiguration()
        let fleet = try FleetSettings.load(configPath: configuration.file)
        guard let urls = nats ?? fleet.urls else {
            throw UsageError(message: "ship needs --nats URLS or [nats] urls in the config")
        }
        let hostName = host ?? fleet.host ?? Ship.machineName()
        guard let statePath = state else {
            throw UsageError(message: "ship needs --state FILE (where the read position survives a restart)")
        }
        guard batchLines >= 1 else { throw UsageError(message: "--batch-lines must be at least 1") }
        let replicaCount = replicas ?? fleet.replicas
        guard [1, 3, 5].contains(replicaCount) else { throw UsageError(message: "--replicas must be 1, 3 or 5") }
        var shipped: [Shipper.Source] = []
        for spec in configuration.sources {
            guard spec.path != "-" else { throw UsageError(message: "ship follows files; standard input cannot be resumed after a crash") }
            guard let kind = spec.kind ?? Ship.detectKind(path: spec.path) else {
                throw UsageError(message: "cannot tell what kind of log \(spec.path) is: name it with --postgres, --audit or --redis")
            }
            shipped.append(Shipper.Source(kind: kind, pattern: spec.path))
        }
        guard !shipped.isEmpty else {
            throw UsageError(message: "no sources: name log files with --postgres/--audit/--redis or add [[source]] to tenantwatch.toml")
        }
        // A whole batch must fit in the client's in-flight window, or its last publishes would stall
        // and fail every time.
        let transport = try JetStreamTransport(urls: urls, name: "tenantwatch ship \(hostName)",
                                               maxPending: max(20_000, batchLines))
        let shipper = try Shipper(host: hostName, sources: shipped, transport: transport, statePath: statePath,
                                  stream: ShippedLine.streamSettings(replicas: replicaCount, duplicateWindow: fleet.duplicateWindow),
                                  options: Shipper.Options(batchLines: batchLines, fromStart: fromStart))

        let stop = StopFlag()
        var signalSources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { stop.set() }
            s.resume()
            signalSources.append(s)
        }
        var lastError = ""
        shipper.run(shouldStop: { stop.isSet || (once && shipper.lastStepWasEmpty && shipper.isCaughtUp) },
                    onError: { message in
            if message != lastError {
                FileHandle.standardError.write(Data("tenantwatch ship: \(message); retrying\n".utf8))
                lastError = message
            }
        })
        let p = shipper.progress
        FileHandle.standardError.write(Data("tenantwatch ship: \(p.linesPublished) lines published in \(p.batches) batches (\(p.retries) retried) as \(hostName)\n".utf8))
        withExtendedLifetime(signalSources) {}
    }

    /// gethostname(2) as it is: Foundation's `hostName` may resolve it through DNS, which can hang
    /// on a host whose resolver is down — exactly when a shipper must keep working.
    static func machineName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(cString: buffer)
        return name.isEmpty ? "localhost" : name
    }

    /// The kind of a bare path from its first 64 KiB (the same detector `scan` uses).
    static func detectKind(path: String) -> SourceKind? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let sample = (try? handle.read(upToCount: 64 << 10)) ?? Data()
        return SourceKindDetector.detect(sample: [UInt8](sample))
    }
}

/// Set by a signal handler, read by the ship/worker loops.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
