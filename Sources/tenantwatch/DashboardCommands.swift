import ArgumentParser
import Foundation
import TenantWatchCore
import TenantWatchTUI

/// What `live` and `replay` share: sources, the store, the theme, and running the dashboard.
struct DashboardOptions: ParsableArguments {
    @OptionGroup var sources: SourceOptions

    @Option(help: ArgumentHelp("The incident store (default \(IncidentStore.defaultPath)).", valueName: "DB"))
    var store: String?

    @Option(help: ArgumentHelp("Theme: default, light, high-contrast, colorblind, mono, or a TOML file.", valueName: "NAME|PATH"))
    var theme: String?

    /// Loads everything that can fail before the terminal is touched, so errors print plainly.
    func prepare(mode: DashboardFeed.Mode) throws -> DashboardFeed {
        var configuration = try sources.loadConfiguration()
        guard !configuration.sources.isEmpty else {
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
        let incidentStore: IncidentStore
        do {
            incidentStore = try IncidentStore(path: store ?? IncidentStore.defaultPath)
        } catch {
            throw UsageError(message: "\(error)")
        }
        let author = ProcessInfo.processInfo.environment["USER"] ?? "tenantwatch"
        return DashboardFeed(configuration: configuration, model: model, factory: factory, store: incidentStore,
                             mode: mode, author: author)
    }

    func run(_ feed: DashboardFeed) throws {
        feed.start()
        let theme = self.theme
        let reason: Dashboard.ExitReason
        do {
            reason = try MainActor.assumeIsolated {
                try Dashboard.run(options: Dashboard.Options(theme: theme),
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
        discussion: "Resumes from the store's checkpoints: after a restart no line is read twice or skipped."
    )

    @OptionGroup var options: DashboardOptions

    func run() throws {
        try options.run(try options.prepare(mode: .live))
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

    @Option(help: ArgumentHelp("Skip events before this time (RFC 3339 or YYYY-MM-DD HH:MM:SS, UTC).", valueName: "T"))
    var from: String?

    @Option(help: ArgumentHelp("Skip events after this time.", valueName: "T"))
    var to: String?

    func run() throws {
        guard let pace = ReplaySpeed(argument: speed) else {
            throw UsageError(message: "--speed: expected a number or max, got \(speed)")
        }
        let window: ReplayWindow
        do {
            window = try ReplayWindow(from: from, to: to)
        } catch let error as ConfigError {
            throw UsageError(message: error.description)
        }
        try options.run(try options.prepare(mode: .replay(ReplayClock(speed: pace, window: window))))
    }
}
