import Foundation
import Testing
import TenantWatchFleet

/// The transport against a real 3-node JetStream cluster, streams with 3 replicas.
@Suite(.serialized)
struct JetStreamTransportTests {
    let cluster: NATSCluster
    let transport: JetStreamTransport
    /// One R3 stream for the suite; each test publishes under its own subjects.
    let stream = "TWTEST"
    let subjectRoot = "twtest.\(uniqueName("t"))"

    init() throws {
        cluster = try NATSCluster.get()
        transport = try cluster.connect("tenantwatch tests")
        try cluster.ensureOnce(StreamSettings(name: stream, subjects: ["twtest.>"], replicas: 3, duplicateWindow: 60),
                               with: transport)
    }

    private func messages(_ range: ClosedRange<Int>, subject: String) -> [OutgoingMessage] {
        range.map { OutgoingMessage(subject: subject, payload: Array("line \($0)".utf8), id: "\(subject)#\($0)",
                                    headers: ["Tw-Line": String($0)]) }
    }

    @Test func publishedBatchIsDeliveredInOrderWithHeaders() throws {
        let subject = "\(subjectRoot).a"
        try transport.publish(messages(1...250, subject: subject), timeout: 10)
        let got = try drain(transport, stream: stream, subject: subject, expecting: 250)
        #expect(got.map { String(decoding: $0.payload, as: UTF8.self) } == (1...250).map { "line \($0)" })
        #expect(got.map { $0.headers["Tw-Line"] } == (1...250).map { String($0) })
        #expect(got.map(\.sequence) == got.map(\.sequence).sorted())
        #expect(got.allSatisfy { $0.deliveryCount == 1 && $0.subject == subject })
    }

    @Test func republishingTheSameIdsStoresNothingTwice() throws {
        let subject = "\(subjectRoot).dup"
        try transport.publish(messages(1...100, subject: subject), timeout: 10)
        // A shipper that crashed before saving its position sends an overlapping batch again.
        try transport.publish(messages(51...150, subject: subject), timeout: 10)
        let again = try transport.publishOne(messages(7...7, subject: subject)[0], timeout: 5)
        #expect(again.duplicate)
        let fresh = try transport.publishOne(messages(151...151, subject: subject)[0], timeout: 5)
        #expect(!fresh.duplicate)
        let got = try drain(transport, stream: stream, subject: subject, expecting: 151)
        #expect(got.map { String(decoding: $0.payload, as: UTF8.self) } == (1...151).map { "line \($0)" })
    }

    @Test func durableConsumerResumesAfterTheLastAckInAnotherProcess() throws {
        let subject = "\(subjectRoot).resume"
        try transport.publish(messages(1...20, subject: subject), timeout: 10)
        let durable = uniqueName("w")
        let settings = ConsumerSettings(stream: stream, durable: durable, filterSubject: subject, ackWait: 1)
        // The first worker acks 1...10, holds 11...20 unacknowledged and dies.
        do {
            let worker = try cluster.connect("worker 1")
            let consumer = try worker.consumer(settings)
            var got: [DeliveredMessage] = []
            while got.count < 20 { got += try consumer.fetch(max: 20 - got.count, timeout: 2) }
            for m in got.prefix(10) { try consumer.ack(m) }
        }
        // Its replacement gets exactly 11...20, marked as redelivered, once the ack wait ran out.
        let replacement = try cluster.connect("worker 2")
        let consumer = try replacement.consumer(settings)
        var got: [DeliveredMessage] = []
        let deadline = Date().addingTimeInterval(15)
        while got.count < 10 && Date() < deadline { got += try consumer.fetch(max: 10, timeout: 1) }
        for m in got { try consumer.ack(m) }
        #expect(got.map { String(decoding: $0.payload, as: UTF8.self) } == (11...20).map { "line \($0)" })
        #expect(got.allSatisfy { $0.deliveryCount == 2 })
        #expect(try consumer.fetch(max: 10, timeout: 1.5).isEmpty)
    }

    @Test func nakedMessageComesBackAndAckedOneDoesNot() throws {
        let subject = "\(subjectRoot).nak"
        try transport.publish(messages(1...2, subject: subject), timeout: 10)
        let consumer = try transport.consumer(ConsumerSettings(stream: stream, durable: uniqueName("n"), filterSubject: subject, ackWait: 30))
        var first: [DeliveredMessage] = []
        while first.count < 2 { first += try consumer.fetch(max: 2, timeout: 2) }
        try consumer.ack(first[0])
        try consumer.nak(first[1], delay: 0)
        let again = try consumer.fetch(max: 2, timeout: 3)
        #expect(again.map { String(decoding: $0.payload, as: UTF8.self) } == ["line 2"])
        #expect(again.first?.deliveryCount == 2)
        for m in again { try consumer.ack(m) }
    }

    @Test func unknownStreamIsAClearError() throws {
        let error = #expect(throws: TransportError.self) {
            _ = try transport.consumer(ConsumerSettings(stream: "NO_SUCH_STREAM_\(uniqueName("x"))", durable: "x"))
        }
        #expect(error?.message.contains("NO_SUCH_STREAM") == true)
    }

    @Test func unreachableServerIsAClearError() throws {
        let error = #expect(throws: TransportError.self) {
            _ = try JetStreamTransport(urls: "nats://127.0.0.1:1", name: "nobody")
        }
        #expect(error?.message.contains("cannot connect to NATS at nats://127.0.0.1:1") == true)
    }
}
