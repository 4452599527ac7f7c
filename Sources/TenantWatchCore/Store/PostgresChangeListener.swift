import Foundation

/// Hears what other processes write to the shared store: a connection of its own that LISTENs
/// on `PostgresIncidentStore.channel`, on a thread that waits on its socket (a quarter second at
/// most, to notice `stop`). Each write announces the incidents it touched on commit, so an ack in
/// one dashboard reaches another in well under a second without polling the tables.
///
/// The store's own writes are announced too; they are skipped by the sender's backend pid. When
/// the connection drops, it reconnects each second and then reports "everything" (what was said
/// meanwhile was not heard).
///
/// `@unchecked Sendable`: `pending` and `stopped` are read and written only under `lock`; the
/// connection is opened, read and closed by the listening thread alone; the rest is immutable.
final class PostgresChangeListener: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = StoreChanges()
    private var stopped = false
    private let url: PostgresURL
    private let ownPID: Int32

    private let listening = DispatchSemaphore(value: 0)

    /// Returns once LISTEN is in effect (or after 2 s, if the server does not answer): what the
    /// caller reads next cannot miss a change made after it.
    init(url: PostgresURL, ownPID: Int32) {
        self.url = url
        self.ownPID = ownPID
        let thread = Thread { [self] in run() }
        thread.name = "tenantwatch.store.listen"
        thread.start()
        _ = listening.wait(timeout: .now() + 2)
    }

    /// What was heard since the last call.
    func take() -> StoreChanges {
        lock.lock()
        defer { lock.unlock() }
        let out = pending
        pending = StoreChanges()
        return out
    }

    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func run() {
        var connection: PostgresConnection?
        var first = true
        while !isStopped {
            if connection == nil {
                connection = try? PostgresConnection(url)
                if let c = connection, (try? c.execute("LISTEN \(PostgresIncidentStore.channel)")) != nil {
                    if !first { add(StoreChanges(everything: true)) }
                    if first { listening.signal() }
                    first = false
                } else {
                    connection = nil
                    Thread.sleep(forTimeInterval: 1)
                    continue
                }
            }
            let (received, ok) = connection!.notifications(waiting: 0.25)
            var heard = StoreChanges()
            for n in received where n.pid != ownPID {
                if n.payload == "*" {
                    heard.everything = true
                } else if let ids = try? JSONDecoder().decode([String].self, from: Data(n.payload.utf8)) {
                    heard.ids.formUnion(ids)
                }
            }
            if !heard.isEmpty { add(heard) }
            if !ok { connection = nil }
        }
    }

    private func add(_ c: StoreChanges) {
        lock.lock()
        pending.ids.formUnion(c.ids)
        pending.everything = pending.everything || c.everything
        lock.unlock()
    }
}
