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

/// A name no other test (or earlier run against the same cluster) uses.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)\(UInt32.random(in: 0...UInt32.max))"
}

/// Everything a fresh consumer of `subject` gets until a fetch comes back empty, acked.
func drain(_ transport: JetStreamTransport, stream: String, subject: String, durable: String = uniqueName("drain")) throws -> [DeliveredMessage] {
    let consumer = try transport.consumer(ConsumerSettings(stream: stream, durable: durable, filterSubject: subject))
    var all: [DeliveredMessage] = []
    while true {
        let batch = try consumer.fetch(max: 500, timeout: 0.5)
        if batch.isEmpty { break }
        for m in batch { try consumer.ack(m) }
        all += batch
    }
    return all
}
