import ArgumentParser
import Foundation
import TenantWatchCore
import TenantWatchTUI

/// What `live` and `replay` share: sources, the store, the theme, and running the dashboard.
struct DashboardOptions: ParsableArguments {
    @OptionGroup var sources: SourceOptions

    @Option(help: ArgumentHelp("The incident store (default \(IncidentStore.defaultPath)), or a shared PostgreSQL one (postgres://...; with no sources: the fleet's dashboard).", valueName: "DB|URL"))
    var store: String?

    @Option(help: ArgumentHelp("Theme: default, light, high-contrast, colorblind, mono, or a TOML file.", valueName: "NAME|PATH"))
    var theme: String?

    /// Loads everything that can fail before the terminal is touched, so errors print plainly.
    func prepare(mode: DashboardFeed.Mode) throws -> DashboardFeed {
        var configuration = try sources.loadConfiguration()
        // `[store] url` (a SQLite path in it is relative to the config file, like the sources).
        let store = StoreLocation.resolve(commandLine: self.store, configuration: configuration)
        // Attached to a shared store, the dashboard needs no local sources: it shows the fleet's incidents.
        guard !configuration.sources.isEmpty || store.map(StoreLocation.isShared) == true else {
            throw UsageError(message: "no sources: name log files on the command line or add [[source]] to tenantwatch.toml")
        }
        // Followed paths are absolute, so checkpoints name the same file whatever the directory.
        let cwd = FileManager.default.currentDirectoryPath
        configuration.sources = configuration.sources.map { spec in
            var s = spec
            if s.path != "-", !s.path.hasPrefix("/") { s.path = URL(fileURLWithPath: cwd).appendingPathComponent(s.path).path }
            return s
        }
        let model = try TenancyModel(configuration: configuration)
        let keys = try JWTKeySet.loadSynchronously(configuration.identity, configFile: configuration.file)
        let factory = ParserFactory(configuration: configuration, keys: keys)
        let incidentStore: any IncidentStoring
        do {
            incidentStore = try StoreLocation.open(store ?? IncidentStore.defaultPath)
        } catch {
            throw UsageError(message: "\(error)")
        }
        let author = ProcessInfo.processInfo.environment["USER"] ?? "tenantwatch"
        let settings: DashboardSettings
        do {
            settings = try DashboardSettings.load(configFile: configuration.file)
        } catch {
            throw UsageError(message: "\(error)")
        }
        let feed = DashboardFeed(configuration: configuration, model: model, factory: factory, store: incidentStore,
                                 mode: mode, author: author)
        feed.views = settings.views
        feed.bell = settings.bell
        return feed
    }

    func run(_ feed: DashboardFeed) throws {
        feed.start()
        let theme = self.theme
        let reason: Dashboard.ExitReason
        do {
            reason = try MainActor.assumeIsolated {
                try Dashboard.run(options: Dashboard.Options(theme: theme, views: feed.views, bell: feed.bell),
                                  snapshotProvider: { feed.snapshot() },
                                  actions: { feed.apply($0) })
            }
        } catch let error as DashboardError {
            // No terminal, an unknown TERM: a usage problem, said before the screen is touched.
            feed.stopAndWait()
            throw UsageError(message: "\(error)")
        } catch let error as ThemeError {
            feed.stopAndWait()
            throw UsageError(message: "\(error)")
        }
        feed.stopAndWait()
        // The screen is gone: say what format detection assumed (stderr was the terminal).
        for r in PostgresFormatReports.shared.takeNew() { FileHandle.standardError.write(Data("tenantwatch: \(r)\n".utf8)) }
        if case .signal(let n) = reason { throw ExitCode(128 + n) }
    }
}

/// `tenantwatch live`: the dashboard, following the sources as they grow.
struct Live: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The dashboard, following the sources as they grow (tail -F).",
        discussion: """
            Files that exist are read from their end (new lines only), or from the store's checkpoints: \
            after a restart no line is read twice or skipped. --from-start reads them whole, --since only \
            their recent part; what an earlier live run settled is not stored twice (checkpoints left by \
            scan --store carry no settled time: its findings are counted again). --no-tui prints NDJSON instead \
            of drawing; --on-incident and --metrics work with or without the dashboard.
            """
    )

    @OptionGroup var options: DashboardOptions

    @Flag(name: .customLong("from-start"), help: "Read files that exist from their first line, not only new lines.")
    var fromStart = false

    @Option(parsing: .unconditional,
            help: ArgumentHelp("Read files that exist from the start, showing events from this long ago on (30m, 2h, 1d) or from this time (UTC).",
                               valueName: "AGO|T"))
    var since: String?

    @Flag(name: .customLong("no-tui"), help: "No dashboard: print each new finding and incident as NDJSON on standard output while following.")
    var noTUI = false

    @Option(name: .customLong("on-incident"),
            help: ArgumentHelp("Run this shell command for each incident that reaches --severity, with the incident's JSON on standard input.",
                               valueName: "CMD"))
    var onIncident: String?

    @Option(help: ArgumentHelp("The lowest severity --on-incident runs for (info, low, medium, high, critical).", valueName: "LEVEL"))
    var severity: String = "high"

    @Option(help: ArgumentHelp("Serve Prometheus metrics at http://127.0.0.1:PORT/metrics (port 0 picks one and says which).",
                               valueName: "127.0.0.1:PORT"))
    var metrics: String?

    func run() throws {
        if fromStart && since != nil { throw UsageError(message: "--from-start and --since: give one (--since also reads from the start)") }
        var start = DashboardFeed.LiveStart.end
        if fromStart { start = .beginning }
        if let since {
            guard let t = RelativeTime.parse(since, now: RelativeTime.now()) else {
                throw UsageError(message: "--since: expected 30m, 2h, 1d or a time (2026-11-22T12:52:10Z), got \(since)")
            }
            start = .since(t)
        }
        guard let threshold = Severity(rawValue: severity) else {
            throw UsageError(message: "--severity: expected info, low, medium, high or critical, got \(severity)")
        }
        let feed = try options.prepare(mode: .live(start))
        var observers: [FeedObserver] = []
        var hook: IncidentHook?
        if noTUI { observers.append(NDJSONOutput()) }
        if let onIncident {
            hook = IncidentHook(command: onIncident, threshold: threshold)
            observers.append(hook!)
        }
        if let metrics {
            let endpoint = try MetricsEndpoint(address: metrics)
            endpoint.setOpenIncidents(feed.openIncidentCount)
            endpoint.start()
            FileHandle.standardError.write(Data("tenantwatch: metrics at http://127.0.0.1:\(endpoint.port)/metrics\n".utf8))
            observers.append(endpoint)
        }
        if !observers.isEmpty { feed.observer = observers.count == 1 ? observers[0] : ObserverList(observers) }
        defer { hook?.drain() }
        if noTUI {
            try Headless.run(feed)
        } else {
            try options.run(feed)
        }
    }
}

/// `live --no-tui`: follows until SIGINT/SIGTERM/SIGHUP, then stores what was read and exits
/// (status 0 on a signal: stopping is how a follower ends).
enum Headless {
    static func run(_ feed: DashboardFeed) throws {
        let stop = DispatchSemaphore(value: 0)
        let queue = DispatchQueue(label: "tenantwatch.headless.signals")
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            s.setEventHandler { stop.signal() }
            s.resume()
            sources.append(s)
        }
        feed.start()
        stop.wait()
        feed.stopAndWait()
        for s in sources { s.cancel() }
        if let failure = feed.failure { throw UsageError(message: failure) }
    }
}

/// `tenantwatch replay`: the dashboard over archived logs, paced by log time.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The dashboard over archived logs (plain or .gz), merged in time order.",
        discussion: "Space pauses, + and - change the speed."
    )

    @OptionGroup var options: DashboardOptions

    @Option(help: ArgumentHelp("Log seconds per second, or max.", valueName: "N|max"))
    var speed: String = "1"

    @Option(parsing: .unconditional,
            help: ArgumentHelp("Skip events before this time (RFC 3339 or YYYY-MM-DD HH:MM:SS, UTC), or this long before now (-2h, 30m).",
                               valueName: "T|-AGO"))
    var from: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Skip events after this time, or this long before now.", valueName: "T|-AGO"))
    var to: String?

    func run() throws {
        guard let pace = ReplaySpeed(argument: speed) else {
            throw UsageError(message: "--speed: expected a number or max, got \(speed)")
        }
        var window: ReplayWindow
        do {
            // A duration (-2h, 30m) is that long before now; the rest are times.
            window = try ReplayWindow(from: from.flatMap { RelativeTime.duration($0) == nil ? $0 : nil },
                                      to: to.flatMap { RelativeTime.duration($0) == nil ? $0 : nil })
            let now = RelativeTime.now()
            if let f = from, RelativeTime.duration(f) != nil { window.from = RelativeTime.parse(f, now: now) }
            if let t = to, RelativeTime.duration(t) != nil { window.to = RelativeTime.parse(t, now: now) }
            if let f = window.from, let t = window.to, t < f {
                throw UsageError(message: "--to \(t.rfc3339) is before --from \(f.rfc3339)")
            }
        } catch let error as ConfigError {
            throw UsageError(message: error.description)
        }
        try options.run(try options.prepare(mode: .replay(ReplayClock(speed: pace, window: window))))
    }
}
