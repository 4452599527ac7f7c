import Foundation
import TenantWatchCore
import TenantWatchTUI

/// The engine behind `live` and `replay`: reads the sources on a thread of its own, runs them
/// through the same pipeline as `scan`, records findings and checkpoints in the store, and hands
/// the dashboard a snapshot whenever it asks.
///
/// Ingestion never waits for the terminal: the dashboard only copies what is ready, under a lock
/// held for a few array copies. Every ncurses call stays on the main thread (`Dashboard.run`).
final class DashboardFeed: @unchecked Sendable {
    /// Where `live` starts reading files that exist when it starts.
    enum LiveStart: Equatable {
        /// Their end (new lines only), or the store's checkpoints when it has them.
        case end
        /// Their first byte (`--from-start`); what the store holds already is not stored twice.
        case beginning
        /// Their first byte, events before this log time skipped (`--since 30m`).
        case since(Timestamp)
    }

    enum Mode {
        /// Follow the sources as they grow, from `LiveStart` (or from the store's checkpoints).
        case live(LiveStart)
        /// Read archives in time order, paced by log time.
        case replay(ReplayClock)
    }

    private let configuration: Configuration
    private let pipeline: ScanPipeline
    private let factory: ParserFactory
    private let store: (any IncidentStoring)?
    private let author: String
    private var mode: Mode

    private let lock = NSLock()
    /// The stream, in log-time order (rows of several sources interleave as their times say;
    /// an event without a time goes last). Past the capacity the oldest tenth is dropped.
    private var ring: [StreamRow] = []
    private let ringCapacity = 20_000
    /// Where reading started, for the screen (`DashboardSnapshot.origin`).
    private var origin: String?
    /// Findings stored since the incidents were last refreshed, by incident: their evidence
    /// fields are added to the summaries' search text without reading the store again.
    private var newEvidence: [String: [Finding]] = [:]
    /// Events before this log time are skipped (`live --since`).
    private var skipBefore: Timestamp?
    private var sequence: UInt64 = 0
    private var findingsOfEvent: [Finding] = []
    private var sources: [SourceStatus] = []
    private var counters = Counters()
    private var incidents: [IncidentSummary] = []
    private var replayStatus: ReplayStatus?
    private var memoryFindings: [Finding] = []
    /// Store mode: findings not yet stored, shown as `NEW-n` rows (see `provisional`).
    private var provisionalIncidents: [IncidentSummary] = []
    /// Recent requests by request id / trace id, so an incident's detail can show the caller's
    /// token claims, Host and route. Bounded: the oldest half is dropped past the cap.
    private var requests: [String: AuditRequest] = [:]
    private var requestOrder: [String] = []
    private let requestCap = 20_000
    private var storedFindings = 0
    private var incidentTotal = 0
    private var summaryByID: [String: IncidentSummary] = [:]
    private var unsavedFindings: [(Finding, [TimelineEntry])] = []
    private var unsavedSightings: [(key: String, time: Int64)] = []
    /// Findings the headless outputs were told of on detection, ahead of the store (issue 17).
    private var earlyAlerts = EarlyAlerts()
    /// The latest word for the status line, shown for a few seconds.
    private var notice: (text: String, at: Double)?
    private var stopped = false
    private var finishedReading = false
    private(set) var failure: String?
    /// `live --no-tui`, `--on-incident`, `--metrics`: told of what is stored and read, on the
    /// reading thread, right after each commit (twice a second at most).
    var observer: FeedObserver?
    /// `[dashboard.views]` from the config, for the dashboard's `f`.
    var views: [String: String] = [:]
    /// `[dashboard] bell` from the config.
    var bell = true

    /// Incidents in state open, as last read from the store.
    var openIncidentCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return summaryByID.values.reduce(0) { $0 + ($1.state == .open ? 1 : 0) }
    }
    private var eventsAtLastTick = 0
    private var lastTick = DashboardFeed.monotonic()

    init(configuration: Configuration, model: TenancyModel, factory: ParserFactory, store: (any IncidentStoring)?,
         mode: Mode, author: String) {
        self.configuration = configuration
        self.factory = factory
        self.store = store
        self.mode = mode
        self.author = author
        self.pipeline = ScanPipeline(configuration: configuration, model: model,
                                     makeParser: { spec, kind, file in try factory.make(spec: spec, kind: kind, file: file) })
        pipeline.storing = store != nil
        pipeline.onFinding = { [unowned self] finding in self.findingsOfEvent.append(finding) }
        switch mode {
        case .replay(let clock):
            replayStatus = ReplayStatus(clock: nil, speed: clock.speed.factor, paused: false)
            origin = clock.window.from.map { "events since \($0.rfc3339)" } ?? "the start of the archives"
        case .live(.end): origin = "the end of the files: new lines only (--from-start reads them whole)"
        case .live(.beginning): origin = "the start of the files"
        case .live(.since(let t)):
            origin = "events since \(t.rfc3339)"
            skipBefore = t
        }
        // Attached (no local sources, a shared store): no file is read, so say which store is shown.
        if configuration.sources.isEmpty, let store, StoreLocation.isShared(store.location) {
            origin = StoreLocation.attachedOrigin(store.location)
        }
        // A shared store: listen for other writers' changes before the first read, so none is missed.
        _ = store?.takeChanges()
        refreshIncidents()
    }

    // MARK: the reading thread

    private let finished = DispatchSemaphore(value: 0)
    /// Lines read from one source per turn: small enough to keep the snapshot fresh.
    static let pollLines = 10_000

    func start() {
        let thread = Thread { [self] in
            do {
                switch mode {
                case .live(let start): try follow(start)
                case .replay: try replay()
                }
            } catch {
                lock.lock()
                failure = "\(error)"
                lock.unlock()
            }
            finished.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }

    /// Stops reading and waits (a few seconds at most) for the last findings and checkpoints
    /// to reach the store, so `q`, SIGINT and SIGTERM lose nothing that was read.
    func stopAndWait() {
        stop()
        _ = finished.wait(timeout: .now() + 5)
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func follow(_ from: LiveStart) throws {
        let resumed = LiveResume(sources: configuration.sources, stored: (try? store?.checkpoints()) ?? [:],
                                 fromStart: from != .end)
        let cursors: [LiveSourceCursor] = zip(configuration.sources, resumed.starts).map { spec, start in
            LiveSourceCursor(spec: spec, factory: factory, start: start)
        }
        // Every sighting goes to the store's ledger, so a restart can tell what it has.
        pipeline.settledBefore = resumed.settledBefore ?? .min
        if let settled = resumed.settledBefore {
            // Resuming a window behind a stop that may have been a `kill -9`: what is read again
            // before `settled` only rebuilds context; after it, the ledger says what is stored.
            pipeline.settledBefore = settled
            pipeline.storedSightings = (try? store?.sightingKeys()) ?? []
            pipeline.readThrough = resumed.readThrough
        }
        // Attached with no sources there is nothing to resume: the header keeps naming the store.
        if resumed.resumedFromCheckpoints, !configuration.sources.isEmpty {
            lock.lock()
            origin = "where the last run stopped (the store's checkpoints)"
            lock.unlock()
        }
        pipeline.reportsCacheKeysAsSeen = true
        // A missing predicate is on screen as soon as its statement is read, enriched with
        // caller and request when the audit line comes.
        pipeline.previewsHeldStatements = true
        var merger = TimeOrderedMerge(orders: cursors.map { MergeOrder.typical(for: kindOf($0.follower.pattern)) })
        var history = CheckpointHistory()
        let window = max(configuration.correlation.windowSeconds, 0.5)
        let context = Int64(window * 2_000_000) + 1_000_000
        // The settled estimate falls back by up to a window and a parser margin when lines flow
        // again after a quiet spell (everything was released; the parsers hold records again):
        // the ledger keeps that, and a further window and a second for lines written late.
        var progress = SettledProgress(fallBack: context + history.parserMargin)
        var lastCommit = DashboardFeed.monotonic()
        var lastEvent = lastCommit
        var released = true
        var backlog = false
        while !isStopped {
            // Wait for news only when everything was read: with a backlog, read on at once, so
            // the lag is back to zero as fast as parsing goes once a writer stops.
            if !backlog { FileFollower.wait(for: cursors.map(\.follower), timeout: 0.25) }
            backlog = false
            var heard = false
            for (i, cursor) in cursors.enumerated() where merger.buffered(i) < DashboardFeed.pollLines {
                let before = cursor.lines
                let events = cursor.poll(maxLines: DashboardFeed.pollLines)
                for c in cursor.takeOpened() { history.opened(c) }
                let behind = cursor.lines - before >= DashboardFeed.pollLines
                if behind { backlog = true }
                if !events.isEmpty { lastEvent = DashboardFeed.monotonic(); released = false; heard = true }
                merger.append(events, source: i, behind: behind)
            }
            merger.drain { process($0) }
            if !merger.isEmpty { backlog = true }
            let now = DashboardFeed.monotonic()
            // Log time stops when the logs stop: after a window of quiet, an audit line that has
            // not come is not coming, and what waited for it is judged without it. Quiet means a
            // poll found nothing new: a turn that read lines and took a window to process them
            // (catching up after a restart on a loaded machine) says nothing about quiet, and
            // releasing then judged statements whose audit line was already written without it.
            if !released, !heard, now - lastEvent >= window {
                merger.drainAll { process($0) }
                pipeline.releaseHeld()
                markLateFindings()
                released = true
            }
            if now - lastCommit >= 0.5 {
                lastCommit = now
                let positions = cursors.flatMap { $0.positions() }
                for p in positions { history.note(p.checkpoint, latest: p.latest) }
                // Settled: older than anything still held (correlation, the merge) — what a
                // restart must not lose. The checkpoints go back a further correlation context.
                var settledNow = pipeline.settledTime ?? .min
                if let t = merger.oldestBufferedTime { settledNow = min(settledNow, t) }
                for cursor in cursors {
                    if let t = cursor.unsettledTime(quietAfter: window, margin: history.parserMargin) { settledNow = min(settledNow, t) }
                }
                // A source may arrive up to a correlation window late (a Redis log written behind
                // the others): while lines flow, findings are stored, and so numbered, only once
                // that much older than everything settled, so incident ids follow log time as in
                // `scan`. Once every source has been quiet for a window, nothing late is coming.
                // (Quiet, and everything held released: what is at the newest time is judged too.)
                if settledNow != .min { settledNow = released ? settledNow + 1 : settledNow - Int64(window * 1_000_000) }
                if let s = pipeline.settledBefore { settledNow = max(settledNow, s) }
                // Saved, stored before and forgotten by the ledger consistently (`SettledProgress`):
                // a kill after any commit leaves every stored sighting settled or in the ledger.
                let marks = progress.commit(settled: settledNow)
                let resume = history.resumePoints(for: positions, before: marks.settled == .min ? .min : marks.settled - context)
                commit(checkpoints: LiveResume.checkpoints(resume: resume, reading: positions.map(\.checkpoint),
                                                           settled: marks.settled, readBefore: resumed.readBefore),
                       forgetSightingsBefore: marks.forgetBefore, findingsBefore: marks.settled)
                let statuses = cursors.map { cursor in
                    SourceStatus(name: DashboardFeed.shortName(cursor.follower.pattern), kind: kindOf(cursor.follower.pattern),
                                 state: cursor.state.description, health: DashboardFeed.health(cursor.state),
                                 lagBytes: cursor.follower.files.reduce(0) { $0 + $1.lagBytes })
                }
                publishSources(statuses)
                observer?.sourcesRead(zip(statuses, cursors).map { ($0.name, $1.lines, $0.lagBytes) },
                                      statistics: pipeline.statistics)
            }
        }
        // Shutting down: what still waits for an audit line (or, in a parser, for its DETAIL
        // line) is judged now and stored with the checkpoint of where reading stands, so a
        // restart neither reads it again nor loses it.
        for (i, cursor) in cursors.enumerated() {
            var held: [Event] = []
            cursor.finish(into: &held)
            merger.append(held, source: i, behind: false)
        }
        merger.drainAll { process($0) }
        pipeline.releaseHeld()
        markLateFindings()
        let reading = cursors.flatMap { $0.follower.files.map(\.checkpoint) }
        let marks = progress.commit(settled: pipeline.settledTime.map { $0 + 1 } ?? .min)
        commit(checkpoints: LiveResume.checkpoints(resume: reading, reading: reading, settled: marks.settled,
                                                   readBefore: resumed.readBefore),
               forgetSightingsBefore: marks.forgetBefore)
    }

    private func replay() throws {
        let reader = try MergedEventReader(sources: configuration.sources) { [factory] spec, kind, file in
            try factory.make(spec: spec, kind: kind, file: file)
        }
        publishSources(configuration.sources.map {
            SourceStatus(name: DashboardFeed.shortName($0.path), kind: $0.kind ?? .postgres, state: "replaying")
        })
        if let store {
            // What an earlier scan or replay stored is not counted again (the store is idempotent).
            pipeline.recorded = Dictionary(((try? store.checkpoints()) ?? [:]).map { ($0.value.path, $0.value) },
                                           uniquingKeysWith: { a, _ in a })
            pipeline.useRecordedCheckpoints(for: reader.files)
        }
        var skipped = 0
        var lastCommit = DashboardFeed.monotonic()
        while !isStopped, let event = try reader.peek() {
            lock.lock()
            guard case .replay(var clock) = mode else { lock.unlock(); return }
            let decision = clock.decide(logTime: event.time, now: DashboardFeed.monotonic())
            mode = .replay(clock)
            replayStatus = ReplayStatus(clock: clock.logTime(at: DashboardFeed.monotonic()) ?? event.time,
                                        speed: clock.speed.factor, paused: clock.isPaused, finished: false)
            lock.unlock()
            switch decision {
            case .release:
                if let e = try reader.next() { process(e) }
            case .skip:
                _ = try reader.next()
                skipped += 1
            case .wait(let seconds):
                Thread.sleep(forTimeInterval: min(seconds, 0.05))
            case .paused:
                Thread.sleep(forTimeInterval: 0.05)
            }
            let now = DashboardFeed.monotonic()
            if now - lastCommit >= 0.5 {
                lastCommit = now
                commit(checkpoints: [], findingsBefore: pipeline.settledTime ?? .min)
            }
        }
        pipeline.finishInput()
        markLateFindings()
        // Read to the end with nothing skipped (`--from`/`--to`): the files are stored whole.
        let complete = !isStopped && skipped == 0
        commit(checkpoints: complete ? reader.checkpoints : [])
        publishSources(configuration.sources.map {
            SourceStatus(name: DashboardFeed.shortName($0.path), kind: $0.kind ?? .postgres, state: "end of archive")
        })
        lock.lock()
        finishedReading = true
        lock.unlock()
    }

    /// One event through the pipeline; the stream row carries the findings it raised.
    private func process(_ event: Event) {
        if let skipBefore, let t = event.time, t < skipBefore { return }
        markLateFindings()
        pipeline.ingest(event)
        // A finding raised now may rest on an earlier event (a statement judged when its
        // request's audit line came, or when the window closed): the row of each event it names
        // carries the flag, not the row of whatever event was being read.
        let position = event.position
        var own: [Finding] = []
        var late: [Finding] = []
        for f in findingsOfEvent {
            if f.evidence.isEmpty || f.evidence.contains(where: { $0.file == position.file && $0.line <= position.line && position.line <= $0.endLine }) {
                own.append(f)
            } else {
                late.append(f)
            }
        }
        findingsOfEvent = late
        lock.lock()
        if case .request(let r) = event, let key = r.requestID ?? r.traceID {
            if requests.updateValue(r, forKey: key) == nil { requestOrder.append(key) }
            if requestOrder.count > requestCap {
                for old in requestOrder.prefix(requestCap / 2) { requests.removeValue(forKey: old) }
                requestOrder.removeFirst(requestCap / 2)
            }
        }
        sequence += 1
        let row = StreamRow(sequence: sequence, event: event, findings: own)
        StreamRow.insert(row, inLogTimeOrder: &ring)
        if ring.count > ringCapacity { ring.removeFirst(ringCapacity / 10) }
        lock.unlock()
    }

    /// Marks the rows of the events that findings raised after their own event rest on (by file
    /// and line, among the most recent rows), then forgets the findings.
    private func markLateFindings() {
        guard !findingsOfEvent.isEmpty else { return }
        lock.lock()
        for f in findingsOfEvent {
            let flags = StreamRow.Flags(findings: [f])
            let key = FindingAggregator.dedupKey(for: f)
            for p in f.evidence {
                let file = DashboardFeed.shortName(p.file)
                var i = ring.count - 1
                let stop = max(0, ring.count - 5_000)
                while i >= stop {
                    if ring[i].line == p.line && ring[i].source == file {
                        ring[i].flags.formUnion(flags)
                        if ring[i].findingKey == nil { ring[i].findingKey = key }
                        break
                    }
                    i -= 1
                }
            }
        }
        lock.unlock()
        findingsOfEvent.removeAll(keepingCapacity: true)
    }

    /// Stores the new sightings with the checkpoints of what was read, in one transaction, and
    /// refreshes what the dashboard shows.
    /// `findingsBefore`: only findings first seen before this log time are stored now (nil: all),
    /// so the store numbers incidents in log-time order.
    private func commit(checkpoints: [SourceCheckpoint], forgetSightingsBefore: Int64? = nil, findingsBefore: Int64? = nil) {
        // A batch the store refused (a full disk) is kept and offered again with the next one:
        // its checkpoints were not saved either, so nothing read is lost or counted twice.
        let batch = unsavedFindings + pipeline.drainNewFindings(settled: findingsBefore)
        let sightings = SightingBatch(added: unsavedSightings + pipeline.drainNewSightings(), forgetBefore: forgetSightingsBefore)
        unsavedFindings = []
        unsavedSightings = []
        var touched: Set<String> = []
        var recorded: [(Finding, RecordResult)] = []
        if let store, !(batch.isEmpty && checkpoints.isEmpty) {
            do {
                // No quoting from the source files here (`scan --store` does it): re-reading a log
                // that grows for days, twice a second, would make following it quadratic. The
                // statements' own text is already in their timeline entries.
                let results = try store.commit(findings: batch, checkpoints: checkpoints, sightings: sightings)
                touched = Set(results.map(\.incidentID))
                recorded = zip(batch.map(\.0), results).map { ($0, $1) }
                lock.lock()
                for (entry, result) in zip(batch, results) { newEvidence[result.incidentID, default: []].append(entry.0) }
                failure = nil
                storedFindings += results.filter(\.isNewFinding).count
                incidentTotal += results.filter(\.isNewIncident).count
                lock.unlock()
            } catch {
                unsavedFindings = batch
                unsavedSightings = sightings.added
                lock.lock()
                failure = "\(error)"
                lock.unlock()
            }
        }
        var findings: [Finding] = []
        var pending: [IncidentSummary] = []
        var pendingFindings: [Finding] = []
        if let store {
            // The store holds them; memory stays flat however long the session runs.
            pipeline.forgetFindings()
            pendingFindings = pipeline.pendingFindings()
            pending = DashboardFeed.provisional(pendingFindings, store: store)
        } else {
            findings = pipeline.findings()
        }
        lock.lock()
        memoryFindings = findings
        provisionalIncidents = pending
        lock.unlock()
        var changed: [StoredIncident] = []
        // A shared store: what other workers and engineers changed meanwhile is read again too.
        let external = store?.takeChanges() ?? StoreChanges()
        if external.everything { refreshIncidents() }
        if store != nil { changed = refreshIncidents(touched.union(external.ids)) } else { refreshIncidents() }
        if let observer, !recorded.isEmpty || !changed.isEmpty {
            lock.lock()
            let open = summaryByID.values.reduce(0) { $0 + ($1.state == .open ? 1 : 0) }
            lock.unlock()
            observer.committed(earlyAlerts.settle(recorded), incidents: changed, openIncidents: open)
        }
        // Announce on detection, store when settled: a finding that needs no correlation goes
        // to the headless outputs now, without an incident id, not a window and more later.
        if let observer, let store {
            let early = earlyAlerts.announceNow(pendingFindings) { key in ((try? store.incidentID(forKey: key)) ?? nil) != nil }
            if !early.isEmpty { observer.detected(early) }
        }
        lock.lock()
        // With a store the header counts what is stored, across restarts.
        let shown = store == nil ? findings.count : storedFindings
        lock.unlock()
        tickCounters(findings: shown)
    }

    /// Findings not yet stored (the store numbers an incident only once nothing older can still
    /// come, up to a correlation window later while lines flow) of leak paths with no incident
    /// yet: listed at once as `NEW-n` rows, numbered when stored. Repeats of a stored incident
    /// are left out (that incident's row is updated when they are stored).
    static func provisional(_ pending: [Finding], store: any IncidentStoring) -> [IncidentSummary] {
        guard !pending.isEmpty else { return [] }
        var grouper = IncidentGrouper()
        var fresh: [Finding] = []
        for var f in pending.prefix(500) where ((try? store.incidentID(for: f)) ?? nil) == nil {
            f.incident = "NEW-" + grouper.assign(f).dropFirst(4)
            fresh.append(f)
        }
        return IncidentSummary.from(findings: fresh)
    }

    /// The store's incidents, all read once (at start); after that only those a commit or an
    /// action touched are read again (`refreshIncidents(_:)`): reading every incident twice a
    /// second made a long session slower the more it had found (the soak's lag grew without bound).
    private func refreshIncidents() {
        var summaries: [IncidentSummary]
        if let store, let stored = try? store.incidents() {
            var byID = Dictionary(stored.map { ($0.id, DashboardFeed.summary($0)) }, uniquingKeysWith: { $1 })
            // Every incident's evidence fields, in one read: `/` and `table=`/`app=` reach all.
            for e in (try? store.evidenceFields()) ?? [] {
                byID[e.incidentID]?.absorbEvidence(tables: e.tables, application: e.application, route: e.route, fields: e.fields)
            }
            lock.lock()
            summaryByID = byID
            storedFindings = stored.reduce(0) { $0 + $1.findingCount }
            incidentTotal = stored.count
            newEvidence = [:]
            summaries = Array(summaryByID.values)
            lock.unlock()
        } else {
            lock.lock()
            let findings = memoryFindings
            lock.unlock()
            summaries = IncidentSummary.from(findings: findings)
        }
        summaries.sort { ($0.lastSeen?.microseconds ?? 0) > ($1.lastSeen?.microseconds ?? 0) }
        lock.lock()
        incidents = provisionalIncidents + summaries
        lock.unlock()
    }

    /// Reads again the incidents with these ids and re-sorts the list; returns what it read.
    @discardableResult
    private func refreshIncidents(_ ids: Set<String>) -> [StoredIncident] {
        guard let store else { return [] }
        // Read outside the lock; the list (shared with actions on the main thread) under it.
        let stored = ids.isEmpty ? [] : ((try? store.incidents(ids: ids)) ?? [])
        lock.lock()
        defer { lock.unlock() }
        for i in stored {
            var summary = DashboardFeed.summary(i)
            if let old = summaryByID[i.id] {
                summary.tables = old.tables
                summary.applications = old.applications
                summary.routes = old.routes
                summary.evidence = old.evidence
            }
            for f in newEvidence.removeValue(forKey: i.id) ?? [] { summary.absorbEvidence(of: f) }
            summaryByID[i.id] = summary
        }
        incidents = provisionalIncidents
            + summaryByID.values.sorted { ($0.lastSeen?.microseconds ?? 0) > ($1.lastSeen?.microseconds ?? 0) }
        return stored
    }


    private func tickCounters(findings: Int) {
        let now = DashboardFeed.monotonic()
        let statistics = pipeline.statistics
        lock.lock()
        let elapsed = max(now - lastTick, 0.001)
        let rate = Double(statistics.events - eventsAtLastTick) / elapsed
        eventsAtLastTick = statistics.events
        lastTick = now
        counters = Counters(statistics, eventsPerSecond: rate, findings: findings,
                            incidents: store == nil ? incidents.count : incidentTotal)
        lock.unlock()
    }

    private func publishSources(_ list: [SourceStatus]) {
        lock.lock()
        sources = list
        lock.unlock()
    }

    // MARK: the dashboard's side

    func snapshot() -> DashboardSnapshot {
        lock.lock()
        defer { lock.unlock() }
        let stream = ring
        var status = replayStatus
        if finishedReading, status != nil { status?.finished = true; status?.paused = false }
        var shownSources = sources
        if let failure { shownSources.append(SourceStatus(name: "error", kind: .unknown, state: failure, health: .error)) }
        var snapshot = DashboardSnapshot(sources: shownSources, counters: counters, replay: status, stream: stream,
                                         incidents: incidents, details: detailProvider())
        snapshot.origin = origin
        // "12 s ago" against the wall clock when following, against the replay clock in a replay.
        snapshot.now = status != nil ? status?.clock : Timestamp(seconds: Date().timeIntervalSince1970)
        snapshot.incidentOfFinding = incidentLocator()
        if let notice, DashboardFeed.monotonic() - notice.at < 10 { snapshot.notice = notice.text }
        return snapshot
    }

    /// Which incident a finding (by its aggregation key) went to: the store knows; without one,
    /// the pipeline's own grouping of what it holds.
    private func incidentLocator() -> @Sendable (String) -> String? {
        if let store = self.store {
            return { key in (try? store.incidentID(forKey: key)) ?? nil }
        }
        let findings = memoryFindings
        return { key in findings.last { FindingAggregator.dedupKey(for: $0) == key }?.incident }
    }

    private func detailProvider() -> IncidentDetailProvider {
        let store = self.store
        let findings = memoryFindings
        let requests = self.requests
        @Sendable func request(of findings: [Finding]) -> AuditRequest? {
            findings.lazy.compactMap { f in (f.requestID ?? f.traceID).flatMap { requests[$0] } }.first
        }
        return ClosureDetailProvider { id in
            if let store, let stored = try? store.incident(id) {
                let state = IncidentSummary.State(rawValue: stored.incident.state.rawValue) ?? .open
                var detail = TenantWatchTUI.IncidentDetail(findings: stored.findings, request: request(of: stored.findings),
                                                           state: state,
                                                           notes: stored.notes.map { DetailNote(author: $0.author, text: $0.text, visibility: $0.visibility) })
                detail.summary = DashboardFeed.summary(stored.incident)
                detail.timeline = stored.timeline.map {
                    TenantWatchTUI.IncidentDetail.TimelineEntry(time: $0.time, source: DashboardFeed.shortName($0.position?.file ?? "-"),
                                                                line: $0.position?.line ?? 0, kind: $0.kind.rawValue,
                                                                summary: $0.summary)
                }
                return detail
            }
            let mine = findings.filter { $0.incident == id }
            return mine.isEmpty ? nil : TenantWatchTUI.IncidentDetail(findings: mine, request: request(of: mine))
        }
    }

    /// What the user asked for: store actions, replay pacing.
    func apply(_ action: Action) {
        switch action {
        case .quit:
            stop()
        case .copy:
            break // the dashboard writes OSC 52 itself
        case .acknowledge(let id):
            try? store?.setState(id, .acknowledged, author: author)
            refreshIncidents([IncidentStore.normalize(id)])
        case .resolve(let id):
            try? store?.setState(id, .resolved, author: author)
            refreshIncidents([IncidentStore.normalize(id)])
        case .reopen(let id):
            try? store?.setState(id, .open, author: author)
            refreshIncidents([IncidentStore.normalize(id)])
        case .addNote(let id, let text, let visibility):
            try? store?.addNote(id, author: author, text: text, visibility: visibility)
        case .export(let id):
            let text = exportBundles(id)
            lock.lock()
            notice = (text, DashboardFeed.monotonic())
            lock.unlock()
        case .setSpeed(let factor):
            lock.lock()
            if case .replay(var clock) = mode {
                clock.setSpeed(factor.isInfinite ? .max : .factor(factor), now: DashboardFeed.monotonic())
                mode = .replay(clock)
                replayStatus?.speed = clock.speed.factor
            }
            lock.unlock()
        case .togglePause:
            lock.lock()
            if case .replay(var clock) = mode {
                clock.togglePause(now: DashboardFeed.monotonic())
                mode = .replay(clock)
                replayStatus?.paused = clock.isPaused
            }
            lock.unlock()
        }
    }

    /// Writes an evidence bundle for each tenant the incident exposed (the customers who are owed
    /// one) into `./tenantwatch-bundles/`, and says where; a failure is said, never thrown.
    private func exportBundles(_ id: String) -> String {
        guard let store else { return "export needs the incident store" }
        guard let stored = try? store.incident(id) else { return "no such incident: \(id)" }
        let tenants = stored.incident.exposedTenants.isEmpty
            ? [stored.incident.callerTenant].compactMap { $0 } : stored.incident.exposedTenants
        guard !tenants.isEmpty else { return "\(id) names no tenant to export for" }
        let directory = FileManager.default.currentDirectoryPath + "/tenantwatch-bundles"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            return "cannot create \(directory): \(error)"
        }
        let a = configuration.audit
        let secretKeys = [a.token, a.refreshToken, a.refreshTokenIssued].compactMap { $0.split(separator: ".").last.map(String.init) }
        var written: [String] = []
        for tenant in tenants {
            // A second export of the same incident is a new bundle (the next link of the tenant's
            // chain) under the next free name; an earlier one is never overwritten.
            let base = "\(directory)/\(id)-\(TextSanitizer.fileName(tenant))"
            var path = base + ".zip", n = 2
            while FileManager.default.fileExists(atPath: path) || (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil {
                path = base + "-\(n).zip"
                n += 1
            }
            var options = BundleWriter.Options(forTenant: tenant, output: path, extraTenants: configuration.tenancy.tenants,
                                               secretKeys: secretKeys, sourceDirectories: [configuration.baseDirectory],
                                               hostPattern: configuration.identity.host,
                                               tenantColumns: configuration.tenancy.columns)
            options.protected = ExportTarget.protections(store: store.location, signingKey: nil, config: configuration.file)
            options.auditAllowList = AuditAllowList(audit: a, claim: configuration.identity.claim,
                                                    hostPattern: configuration.identity.host,
                                                    extraSafeFields: configuration.bundleSafeFields)
            do {
                written.append(try BundleWriter.export(incident: id, store: store, options: options).path)
            } catch {
                return "export of \(id) for \(tenant) failed: \(error)"
            }
        }
        return "\(id): wrote " + written.map { DashboardFeed.shortName($0) }.joined(separator: ", ") + " in tenantwatch-bundles/"
    }

    // MARK: helpers

    static func summary(_ i: StoredIncident) -> IncidentSummary {
        IncidentSummary(id: i.id, severity: i.severity, kinds: i.kinds, caller: i.callerTenant, exposed: i.exposedTenants,
                        firstSeen: i.firstSeen, lastSeen: i.lastSeen, count: i.occurrences,
                        state: IncidentSummary.State(rawValue: i.state.rawValue) ?? .open)
    }

    private func kindOf(_ pattern: String) -> SourceKind {
        configuration.sources.first { $0.path == pattern }?.kind ?? .postgres
    }

    static func shortName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    static func health(_ state: SourceState) -> SourceStatus.Health {
        switch state {
        case .error: return .error
        case .waiting, .rotated: return .warn
        default: return .ok
        }
    }

    static func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// What the headless outputs (`live --no-tui`, `--on-incident`, `--metrics`) are told by the
/// feed, on its reading thread.
protocol FeedObserver: AnyObject, Sendable {
    /// Findings just stored (with the incident each went to) and the incidents they touched.
    func committed(_ findings: [(Finding, RecordResult)], incidents: [StoredIncident], openIncidents: Int)
    /// Findings just detected that need no correlation (`EarlyAlerts`), not yet stored and so
    /// with no incident id; when stored they come to `committed` with `isNewFinding` false.
    func detected(_ findings: [Finding])
    /// Each source's lines read so far and lag, with the pipeline's counts (twice a second).
    func sourcesRead(_ sources: [(name: String, lines: Int, lagBytes: Int64)], statistics: IngestStatistics)
}

extension FeedObserver {
    func detected(_ findings: [Finding]) {}
}

extension ReplaySpeed {
    /// Log seconds per wall second; `.infinity` for `max`.
    var factor: Double {
        switch self {
        case .max: return .infinity
        case .factor(let f): return f
        }
    }
}
