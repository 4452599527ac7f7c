import Dispatch
import Foundation
import TenantWatchCore

/// The dashboard's entry point, for the `live` and `replay` commands.
///
///     let reason = try Dashboard.run(options: .init(theme: themeFlag),
///                                    snapshotProvider: { model.snapshot() },
///                                    actions: { action in model.apply(action) })
///
/// - The loop runs on the main thread and owns the terminal. Ingestion runs elsewhere; the
///   provider must only copy out what the pipeline has ready (a lock and a few array copies —
///   they are copy-on-write), never read or parse. It is called ~10 times a second and after input.
/// - `actions` is called on the main thread for what the user asked the host to do: quit,
///   acknowledge/resolve/add a note (store them; the next snapshot shows the new state), export
///   (until the evidence bundle exists the TUI already says so), replay speed and pause.
/// - The terminal is always restored: on `q` (returns `.quit`), SIGINT/SIGTERM (returns
///   `.signal(n)`: exit with 128+n), a thrown error, and a crash. Throws `ThemeError` or `DashboardError` before touching the screen (see `NCursesTerminal`).
public enum Dashboard {
    public struct Options: Sendable {
        /// `--theme NAME|PATH`; nil is `default`.
        public var theme: String?
        public var environment: [String: String]
        public var framesPerSecond: Int
        /// `[dashboard.views]`: filter names `f` accepts.
        public var views: [String: String]
        /// `[dashboard] bell`: ring when a critical incident opens.
        public var bell: Bool
        public init(theme: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                    framesPerSecond: Int = 10, views: [String: String] = [:], bell: Bool = true) {
            self.theme = theme
            self.views = views
            self.bell = bell
            self.environment = environment
            self.framesPerSecond = framesPerSecond
        }
    }

    public enum ExitReason: Equatable, Sendable {
        case quit
        case signal(Int32)
    }

    /// Set from the signal queue, read by the loop.
    final class SignalFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Int32 = 0
        func set(_ v: Int32) { lock.lock(); value = v; lock.unlock() }
        func get() -> Int32 { lock.lock(); defer { lock.unlock() }; return value }
    }

    /// SIGINT/SIGTERM/SIGHUP are ignored (so nothing kills the process with the terminal in raw
    /// mode) and delivered to Dispatch sources on a private queue, which raise the flag the loop
    /// reads. Nonisolated on purpose: a handler closure formed inside the @MainActor `run` would
    /// inherit main-actor isolation and trap when the signal queue calls it.
    nonisolated static func installSignalSources(_ flag: SignalFlag) -> [DispatchSourceSignal] {
        let queue = DispatchQueue(label: "tenantwatch.tui.signals")
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            s.setEventHandler { flag.set(sig) }
            s.resume()
            sources.append(s)
        }
        return sources
    }

    /// Loads the theme (a theme error is thrown before the screen is touched), then runs.
    @MainActor
    public static func run(options: Options = Options(), snapshotProvider: () -> DashboardSnapshot,
                           actions: (Action) -> Void) throws -> ExitReason {
        let (theme, noColor) = try Theme.select(options.theme, environment: options.environment)

        let flag = SignalFlag()
        let sources = installSignalSources(flag)
        defer {
            for s in sources { s.cancel() }
            for sig in [SIGINT, SIGTERM, SIGHUP] { signal(sig, SIG_DFL) }
        }

        let terminal = NCursesTerminal()
        try terminal.start(theme: theme, noColor: noColor)
        defer { terminal.stop() }

        var state = UIState()
        state.views = options.views
        let details = DetailCache()
        var snapshot = snapshotProvider()
        var criticals = CriticalWatch()
        _ = criticals.newCriticals(in: snapshot)
        let frameInterval = 1.0 / Double(max(1, options.framesPerSecond))
        var lastFrame = 0.0
        while true {
            let sig = flag.get()
            if sig != 0 { return .signal(sig) }
            let keys = terminal.readKeys()
            var quit = false
            for key in keys {
                let produced = handle(key: key, state: &state, snapshot: snapshot)
                for action in produced {
                    if action == .quit {
                        quit = true
                    } else if case .copy(let text) = action {
                        terminal.copyToClipboard(text)
                    } else {
                        actions(action)
                    }
                }
                // The next key must see what the action changed (a second `+` goes faster still).
                if !produced.isEmpty && !quit {
                    details.invalidate()
                    snapshot = snapshotProvider()
                }
            }
            if quit { actions(.quit); return .quit }
            let now = Date().timeIntervalSinceReferenceDate
            if !keys.isEmpty || now - lastFrame >= frameInterval * 0.9 {
                snapshot = snapshotProvider()
                let fresh = criticals.newCriticals(in: snapshot)
                if !fresh.isEmpty {
                    if options.bell { terminal.bell() }
                    state.message = "new critical incident: " + fresh.joined(separator: ", ")
                }
                if let inner = snapshot.details { snapshot.details = details.wrapping(inner, now: now) }
                state.size = terminal.size()
                terminal.draw(render(snapshot, state, size: state.size))
                lastFrame = now
            }
        }
    }
}

/// Keeps the open incident's detail for a second, so a detail loaded from the store is not
/// reloaded ten times a second. Main thread only.
final class DetailCache: @unchecked Sendable {
    private var entry: (id: String, detail: IncidentDetail?, at: Double)?
    private var inner: IncidentDetailProvider?
    private var now = 0.0

    func invalidate() { entry = nil }

    func wrapping(_ provider: IncidentDetailProvider, now: Double) -> IncidentDetailProvider {
        inner = provider
        self.now = now
        return Provider(cache: self)
    }

    func load(_ id: String) -> IncidentDetail? {
        if let e = entry, e.id == id, now - e.at < 1 { return e.detail }
        let d = inner?.detail(for: id)
        entry = (id, d, now)
        return d
    }

    struct Provider: IncidentDetailProvider, @unchecked Sendable {
        let cache: DetailCache
        func detail(for incidentID: String) -> IncidentDetail? { cache.load(incidentID) }
    }
}
