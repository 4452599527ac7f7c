import Foundation
import TenantWatchFleet

/// A real 3-node nats-server cluster with JetStream for these tests, run by
/// `Tests/EndToEnd/lib/nats-cluster.sh` (127.0.0.1, free ports, temp store dirs). Started once
/// per test process; the script stops it when our end of its standard input closes, which
/// happens when this process exits however it exits.
final class NATSCluster: @unchecked Sendable {
    let urls: String
    private let process: Process
    private let commands: FileHandle
    private let replies: FileHandle
    private let lock = NSLock()

    static let shared: Result<NATSCluster, Error> = Result { try NATSCluster() }

    static func get() throws -> NATSCluster { try shared.get() }

    private init() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../EndToEnd/lib/nats-cluster.sh").standardized.path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        commands = input.fileHandleForWriting
        replies = output.fileHandleForReading
        guard let first = NATSCluster.readLine(replies), first.hasPrefix("nats://") else {
            throw TransportError("the test NATS cluster did not start (is nats-server installed? scripts/deps.sh test)")
        }
        urls = first
    }

    /// Node 1..3's own URL.
    func url(node: Int) -> String { String(urls.split(separator: ",")[node - 1]) }

    /// SIGKILL one node; its store stays for `restart`.
    func kill(node: Int) throws { try command("kill \(node)") }
    func restart(node: Int) throws { try command("restart \(node)") }

    private func command(_ text: String) throws {
        lock.lock()
        defer { lock.unlock() }
        commands.write(Data((text + "\n").utf8))
        guard let reply = NATSCluster.readLine(replies), reply.hasPrefix("ok") else {
            throw TransportError("nats-cluster.sh did not answer '\(text)'")
        }
    }

    private static func readLine(_ handle: FileHandle) -> String? {
        var bytes: [UInt8] = []
        while true {
            guard let byte = try? handle.read(upToCount: 1), let b = byte.first else {
                return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
            }
            if b == 0x0A { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(b)
        }
    }
}

extension NATSCluster {
    /// A connection with a generous API timeout: the suite runs beside 500 other tests on two
    /// cores, and a cluster API call can wait seconds for its turn.
    func connect(_ name: String) throws -> JetStreamTransport {
        try JetStreamTransport(urls: urls, name: name, requestTimeout: 30)
    }

    /// Creates `stream` once per test process (every test of a suite would otherwise propose the
    /// same stream again), retrying a timeout twice.
    func ensureOnce(_ stream: StreamSettings, with transport: JetStreamTransport) throws {
        ensuredLock.lock()
        defer { ensuredLock.unlock() }
        if ensured.contains(stream.name) { return }
        var attempt = 0
        while true {
            do {
                try transport.ensureStream(stream)
                ensured.insert(stream.name)
                return
            } catch {
                attempt += 1
                if attempt >= 3 { throw error }
            }
        }
    }
}

nonisolated(unsafe) private var ensured: Set<String> = []
private let ensuredLock = NSLock()

/// A name no other test (or earlier run against the same cluster) uses.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)\(UInt32.random(in: 0...UInt32.max))"
}

/// What a fresh consumer of `subject` gets, acked: fetched until `expecting` messages came (or
/// 60 s passed), then one more short fetch so that extras show up too. Waiting for the count
/// rather than for a quiet fetch keeps a loaded machine from cutting the read short.
func drain(_ transport: JetStreamTransport, stream: String, subject: String, expecting: Int,
           durable: String = uniqueName("drain")) throws -> [DeliveredMessage] {
    let consumer = try transport.consumer(ConsumerSettings(stream: stream, durable: durable, filterSubject: subject))
    var all: [DeliveredMessage] = []
    let deadline = Date().addingTimeInterval(60)
    while all.count < expecting && Date() < deadline {
        let batch = try consumer.fetch(max: 500, timeout: 1)
        for m in batch { try consumer.ack(m) }
        all += batch
    }
    while true {
        let extra = try consumer.fetch(max: 500, timeout: 0.5)
        if extra.isEmpty { break }
        for m in extra { try consumer.ack(m) }
        all += extra
    }
    return all
}
