/// The message bus the fleet runs on, as small as the fleet needs it: streams that keep what is
/// published, publishing with an acknowledgement, and durable consumers that redeliver whatever
/// was not acknowledged. JetStream implements it (`JetStreamTransport`); a Kafka transport would
/// map a stream to a topic, a durable consumer to a consumer group and `ack` to an offset commit.
///
/// Nothing in it is NATS-specific on purpose: `ship` and `worker` speak only this protocol.
public protocol Transport: AnyObject {
    /// Creates the stream when missing; a stream that exists is left with its own settings.
    func ensureStream(_ stream: StreamSettings) throws
    /// Publishes every message and returns once the bus has acknowledged all of them (stored on a
    /// quorum of replicas for JetStream); throws when any was not acknowledged. Re-publishing the
    /// same batch after a failure or a crash is safe: messages carry ids the bus de-duplicates on.
    @discardableResult
    func publish(_ messages: [OutgoingMessage], timeout: Double) throws -> PublishReceipt
    /// A durable consumer: created when missing, joined when present. Another process opening
    /// the same name continues after the last acknowledged message.
    func consumer(_ settings: ConsumerSettings) throws -> any TransportConsumer
    /// How many messages the stream holds now.
    func messageCount(stream: String) throws -> UInt64
    /// The largest payload the bus accepts (NATS: the server's `max_payload`, 1 MiB by default).
    var maximumMessageSize: Int { get }
}

/// Messages handed out by a durable consumer stay pending until acknowledged; the unacknowledged
/// ones go to a consumer of the same name again after `ConsumerSettings.ackWait`.
public protocol TransportConsumer: AnyObject {
    /// Up to `max` messages, waiting at most `timeout` seconds for the first; [] when none came.
    func fetch(max: Int, timeout: Double) throws -> [DeliveredMessage]
    /// Done with it: it is not delivered again.
    func ack(_ message: DeliveredMessage) throws
    /// Not done: deliver it again (to any consumer of the name) after `delay` seconds.
    func nak(_ message: DeliveredMessage, delay: Double) throws
}

public struct StreamSettings: Sendable, Equatable {
    public var name: String
    /// Subjects (topics) it stores, wildcards allowed (`tw.log.>`).
    public var subjects: [String]
    /// Copies kept (JetStream: 1, 3 or 5; 3 survives one node down).
    public var replicas: Int
    /// How long a message id is remembered to drop a re-published duplicate.
    public var duplicateWindow: Double

    public init(name: String, subjects: [String], replicas: Int = 3, duplicateWindow: Double = 600) {
        self.name = name
        self.subjects = subjects
        self.replicas = replicas
        self.duplicateWindow = duplicateWindow
    }
}

public struct ConsumerSettings: Sendable, Equatable {
    public var stream: String
    /// The durable name; processes using the same one share (and resume) its position.
    public var durable: String
    /// Only messages on this subject (wildcards allowed); nil: all of the stream's.
    public var filterSubject: String?
    /// A message handed out and neither acked nor nak'ed within this many seconds is redelivered
    /// (the holder is presumed dead).
    public var ackWait: Double
    /// At most this many messages handed out and unacknowledged at once.
    public var maxAckPending: Int

    public init(stream: String, durable: String, filterSubject: String? = nil, ackWait: Double = 30,
                maxAckPending: Int = 10_000) {
        self.stream = stream
        self.durable = durable
        self.filterSubject = filterSubject
        self.ackWait = ackWait
        self.maxAckPending = maxAckPending
    }
}

public struct OutgoingMessage: Sendable, Equatable {
    public var subject: String
    public var payload: [UInt8]
    /// The de-duplication key: the same id published twice within the stream's window is stored
    /// once. Must be a function of the content's origin (not of the attempt).
    public var id: String?
    public var headers: [String: String]

    public init(subject: String, payload: [UInt8], id: String? = nil, headers: [String: String] = [:]) {
        self.subject = subject
        self.payload = payload
        self.id = id
        self.headers = headers
    }
}

public struct PublishReceipt: Sendable, Equatable {
    public var published: Int
    public init(published: Int) { self.published = published }
}

/// A message a consumer handed out. `handle` is the transport's own (the NATS message, a Kafka
/// offset) and is what `ack`/`nak` act on.
public struct DeliveredMessage {
    public var subject: String
    public var payload: [UInt8]
    public var headers: [String: String]
    /// Position in the stream (JetStream stream sequence, Kafka offset).
    public var sequence: UInt64
    /// 1 on the first delivery; more when it was redelivered.
    public var deliveryCount: UInt64
    public let handle: AnyObject

    public init(subject: String, payload: [UInt8], headers: [String: String], sequence: UInt64,
                deliveryCount: UInt64, handle: AnyObject) {
        self.subject = subject
        self.payload = payload
        self.headers = headers
        self.sequence = sequence
        self.deliveryCount = deliveryCount
        self.handle = handle
    }
}

public struct TransportError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
