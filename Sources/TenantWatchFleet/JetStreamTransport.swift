#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import CNATS

/// `Transport` on NATS JetStream through the C client (libnats). One connection per instance;
/// not thread-safe (each `ship` or `worker` loop owns its own).
///
/// Publishing queues every message asynchronously and then waits for all acknowledgements: one
/// round trip per batch instead of per line, which is what makes a shipper keep up. When any
/// was refused or timed out the whole batch is reported failed; the caller re-publishes it and
/// the stream's de-duplication (Nats-Msg-Id) drops the copies that had been stored.
public final class JetStreamTransport: Transport {
    private let client: UnsafeMutablePointer<tw_nats_client>
    public let urls: String

    /// - Parameters:
    ///   - urls: comma-separated `nats://host:port` of cluster nodes; the client learns the rest
    ///     of the cluster from them and fails over when the one it uses goes down.
    ///   - name: shows in the server's connection list (`ship host-a`, `worker correlate`).
    ///   - requestTimeout: how long a JetStream API call (stream/consumer creation) may take.
    public init(urls: String, name: String, requestTimeout: Double = 10, maxPending: Int = 20_000) throws {
        var opened: UnsafeMutablePointer<tw_nats_client>?
        let status = tw_nats_open(&opened, urls, name, Int64(requestTimeout * 1000), Int64(maxPending))
        guard status == NATS_OK, let opened else {
            throw TransportError("cannot connect to NATS at \(urls): \(JetStreamTransport.text(status))")
        }
        client = opened
        self.urls = urls
    }

    deinit { tw_nats_close(client) }

    public func ensureStream(_ stream: StreamSettings) throws {
        var err = jsErrCode(0)
        let status = CStrings.with(stream.subjects) { subjects in
            stream.name.withCString { name in
                tw_nats_ensure_stream(client, name, subjects, Int32(stream.subjects.count), Int32(stream.replicas),
                                      Int64(stream.duplicateWindow * 1000), &err)
            }
        }
        try check(status, err, "cannot create stream \(stream.name)")
    }

    @discardableResult
    public func publish(_ messages: [OutgoingMessage], timeout: Double) throws -> PublishReceipt {
        for message in messages {
            let keys = Array(message.headers.keys)
            let values = keys.map { message.headers[$0]! }
            let status = CStrings.with(keys) { k in
                CStrings.with(values) { v in
                    message.subject.withCString { subject in
                        message.payload.withUnsafeBytes { bytes in
                            withOptionalCString(message.id) { id in
                                tw_nats_publish_async(client, subject, bytes.baseAddress, Int32(bytes.count), id,
                                                      k, v, Int32(keys.count))
                            }
                        }
                    }
                }
            }
            if status != NATS_OK {
                // Drain what was queued so the next attempt starts clean.
                var ignored: Int64 = 0
                _ = tw_nats_publish_wait(client, Int64(timeout * 1000), &ignored)
                throw TransportError("publish to \(message.subject) failed: \(JetStreamTransport.text(status))")
            }
        }
        var failures: Int64 = 0
        let status = tw_nats_publish_wait(client, Int64(timeout * 1000), &failures)
        if status != NATS_OK {
            throw TransportError("\(messages.count) messages not all acknowledged within \(timeout) s: \(JetStreamTransport.text(status))")
        }
        if failures > 0 {
            throw TransportError("\(failures) of \(messages.count) messages were not acknowledged")
        }
        return PublishReceipt(published: messages.count)
    }

    /// One message, waiting for its acknowledgement; `duplicate` is true when the stream already
    /// held a message with this id (so it was not stored again).
    public func publishOne(_ message: OutgoingMessage, timeout: Double) throws -> (sequence: UInt64, duplicate: Bool) {
        var sequence: UInt64 = 0
        var duplicate = false
        var err = jsErrCode(0)
        let keys = Array(message.headers.keys)
        let values = keys.map { message.headers[$0]! }
        let status = CStrings.with(keys) { k in
            CStrings.with(values) { v in
                message.subject.withCString { subject in
                    message.payload.withUnsafeBytes { bytes in
                        withOptionalCString(message.id) { id in
                            tw_nats_publish_sync(client, subject, bytes.baseAddress, Int32(bytes.count), id, k, v,
                                                 Int32(keys.count), Int64(timeout * 1000), &sequence, &duplicate, &err)
                        }
                    }
                }
            }
        }
        try check(status, err, "publish to \(message.subject) failed")
        return (sequence, duplicate)
    }

    public func consumer(_ settings: ConsumerSettings) throws -> any TransportConsumer {
        var sub: OpaquePointer?
        var err = jsErrCode(0)
        let status = settings.stream.withCString { stream in
            settings.durable.withCString { durable in
                withOptionalCString(settings.filterSubject) { filter in
                    tw_nats_pull_subscribe(client, &sub, stream, filter, durable, Int64(settings.ackWait * 1000),
                                           Int64(settings.maxAckPending), 0, &err)
                }
            }
        }
        try check(status, err, "cannot open consumer \(settings.durable) on \(settings.stream)")
        guard let sub else { throw TransportError("cannot open consumer \(settings.durable): no subscription") }
        return JetStreamConsumer(subscription: sub, owner: self)
    }

    public func messageCount(stream: String) throws -> UInt64 {
        var count: UInt64 = 0
        var err = jsErrCode(0)
        let status = tw_nats_stream_count(client, stream, &count, &err)
        try check(status, err, "cannot read stream \(stream)")
        return count
    }

    public var maximumMessageSize: Int { Int(natsConnection_GetMaxPayload(client.pointee.nc)) }

    private func check(_ status: natsStatus, _ err: jsErrCode, _ what: String) throws {
        guard status != NATS_OK else { return }
        let code = err.rawValue != 0 ? " (JetStream error \(err.rawValue))" : ""
        throw TransportError("\(what): \(JetStreamTransport.text(status))\(code)")
    }

    static func text(_ status: natsStatus) -> String {
        var last = status
        if let detail = nats_GetLastError(&last), detail.pointee != 0 {
            return String(cString: detail)
        }
        return String(cString: natsStatus_GetText(status))
    }
}

/// A JetStream pull subscription on a durable consumer.
final class JetStreamConsumer: TransportConsumer {
    private let subscription: OpaquePointer
    /// Keeps the connection open while the subscription lives.
    private let owner: JetStreamTransport

    init(subscription: OpaquePointer, owner: JetStreamTransport) {
        self.subscription = subscription
        self.owner = owner
    }

    deinit { natsSubscription_Destroy(subscription) }

    func fetch(max: Int, timeout: Double) throws -> [DeliveredMessage] {
        var list = natsMsgList()
        let status = tw_nats_fetch(subscription, &list, Int32(max), Int64(timeout * 1000))
        if status == NATS_TIMEOUT { return [] }
        guard status == NATS_OK else {
            throw TransportError("fetch failed: \(JetStreamTransport.text(status))")
        }
        var delivered: [DeliveredMessage] = []
        delivered.reserveCapacity(Int(list.Count))
        for i in 0..<Int(list.Count) {
            guard let msg = list.Msgs[i] else { continue }
            // The message now belongs to its handle: the list must not destroy it.
            list.Msgs[i] = nil
            delivered.append(JetStreamConsumer.delivered(msg))
        }
        natsMsgList_Destroy(&list)
        return delivered
    }

    func ack(_ message: DeliveredMessage) throws {
        guard let handle = message.handle as? NATSMessageHandle else { throw TransportError("not a NATS message") }
        var err = jsErrCode(0)
        let status = tw_nats_ack(handle.msg, &err)
        guard status == NATS_OK else {
            throw TransportError("ack of stream sequence \(message.sequence) failed: \(JetStreamTransport.text(status))")
        }
    }

    func nak(_ message: DeliveredMessage, delay: Double) throws {
        guard let handle = message.handle as? NATSMessageHandle else { throw TransportError("not a NATS message") }
        let status = tw_nats_nak(handle.msg, Int64(delay * 1000))
        guard status == NATS_OK else {
            throw TransportError("nak of stream sequence \(message.sequence) failed: \(JetStreamTransport.text(status))")
        }
    }

    private static func delivered(_ msg: OpaquePointer) -> DeliveredMessage {
        let subject = String(cString: natsMsg_GetSubject(msg))
        let length = Int(natsMsg_GetDataLength(msg))
        var payload: [UInt8] = []
        if length > 0, let data = natsMsg_GetData(msg) {
            payload = data.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
        }
        var headers: [String: String] = [:]
        var keys: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var count: Int32 = 0
        if natsMsgHeader_Keys(msg, &keys, &count) == NATS_OK, let keys {
            for i in 0..<Int(count) {
                guard let key = keys[i] else { continue }
                var value: UnsafePointer<CChar>?
                if natsMsgHeader_Get(msg, key, &value) == NATS_OK, let value {
                    headers[String(cString: key)] = String(cString: value)
                }
            }
            free(keys)
        }
        var sequence: UInt64 = 0
        var deliveries: UInt64 = 0
        _ = tw_nats_message_position(msg, &sequence, &deliveries)
        return DeliveredMessage(subject: subject, payload: payload, headers: headers, sequence: sequence,
                                deliveryCount: deliveries, handle: NATSMessageHandle(msg))
    }
}

/// Owns a natsMsg until the delivered message is gone (after its ack or nak).
final class NATSMessageHandle {
    let msg: OpaquePointer
    init(_ msg: OpaquePointer) { self.msg = msg }
    deinit { natsMsg_Destroy(msg) }
}

/// C string arrays for the shim's `const char **` parameters, valid during `body`.
enum CStrings {
    static func with<R>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        let copies = strings.map { UnsafePointer(strdup($0)) }
        defer { for c in copies { free(UnsafeMutablePointer(mutating: c)) } }
        var array: [UnsafePointer<CChar>?] = copies
        return array.withUnsafeMutableBufferPointer { body($0.baseAddress) }
    }
}

func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}
