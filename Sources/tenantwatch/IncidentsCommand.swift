import ArgumentParser
import Foundation
import TenantWatchCore

extension IncidentState: ExpressibleByArgument {}

/// `--store DB` and `--config F`, shared by every `incidents` subcommand and `export`.
struct StoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The incident store: a SQLite file, or a shared PostgreSQL database (postgres://...); default: the config's [store] url, else \(IncidentStore.defaultPath).",
                               valueName: "DB|URL"))
    var store: String?

    @Option(help: ArgumentHelp("Config file (default ./tenantwatch.toml when it exists): its [store] url is the store when --store is not given (export also pseudonymises its [tenancy] tenants).", valueName: "F"))
    var config: String?

    /// The store to use. The config is read only when `--store` is not given, so a broken
    /// `./tenantwatch.toml` never stops a command that names its store.
    func location(configuration: Configuration? = nil) throws -> String {
        if let store { return store }
        let configuration = try configuration ?? SourceOptions.configuration(at: config)
        return StoreLocation.resolve(commandLine: nil, configuration: configuration) ?? IncidentStore.defaultPath
    }

    /// Opens the store; commands that only read it pass `mustExist` so they never create a
    /// SQLite file (a PostgreSQL store is there or the connection fails).
    func open(mustExist: Bool, configuration: Configuration? = nil) throws -> (any IncidentStoring)? {
        let store = try location(configuration: configuration)
        if mustExist && !StoreLocation.isShared(store) && !FileManager.default.fileExists(atPath: store) { return nil }
        return try StoreLocation.open(store)
    }
}

enum ListFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

enum StateFilter: String, ExpressibleByArgument, CaseIterable {
    case open, acknowledged, resolved, all
    var state: IncidentState? { IncidentState(rawValue: rawValue) }
}

/// `tenantwatch incidents`: lists (the default), shows and works stored incidents.
struct Incidents: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List and work the incidents in the store.",
        discussion: "Without a subcommand, lists them. An unknown incident id exits 1 (`no such incident`).",
        subcommands: [ListIncidents.self, ShowIncident.self, AckIncident.self, ResolveIncident.self,
                      ReopenIncident.self, NoteIncident.self],
        defaultSubcommand: ListIncidents.self
    )
}

struct ListIncidents: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List stored incidents.")

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("Output format: table or json.", valueName: "FORMAT"))
    var format: ListFormat = .table

    @Option(help: ArgumentHelp("open, acknowledged, resolved or all.", valueName: "STATE"))
    var state: StateFilter = .all

    func run() throws {
        let incidents = try storeOptions.open(mustExist: true)?.incidents(state: state.state) ?? []
        switch format {
        case .table: StandardOutput.write(IncidentPrinter.table(incidents, width: TerminalWidth.current))
        case .json: StandardOutput.write(IncidentPrinter.jsonArray(incidents))
        }
    }
}

struct ShowIncident: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show",
                                                    abstract: "Show one incident: findings, evidence timeline, notes.")

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("Output format: table (text) or json.", valueName: "FORMAT"))
    var format: ListFormat = .table

    @Argument(help: "The incident id (INC-0001).")
    var id: String

    func run() throws {
        guard let store = try storeOptions.open(mustExist: true) else { throw StoreError.noSuchIncident(IncidentStore.normalize(id)) }
        let detail = try store.incident(id)
        switch format {
        case .table: StandardOutput.write(IncidentPrinter.text(detail))
        case .json: StandardOutput.write(IncidentPrinter.json(detail))
        }
    }
}

/// `--author`, default `$USER`.
struct AuthorOption: ParsableArguments {
    @Option(help: ArgumentHelp("Who does it (default: $USER).", valueName: "NAME"))
    var author: String?

    var name: String {
        if let author, !author.isEmpty { return author }
        if let user = ProcessInfo.processInfo.environment["USER"], !user.isEmpty { return user }
        if let pw = getpwuid(geteuid()), let n = pw.pointee.pw_name { return String(cString: n) }
        return "unknown"
    }
}

private func change(_ id: String, to state: IncidentState, _ storeOptions: StoreOptions, _ author: AuthorOption) throws {
    guard let store = try storeOptions.open(mustExist: true) else { throw StoreError.noSuchIncident(IncidentStore.normalize(id)) }
    let id = IncidentStore.normalize(id)
    try store.setState(id, state, author: author.name)
    StandardOutput.write("\(id): \(state.rawValue)\n")
}

struct AckIncident: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ack", abstract: "Acknowledge an incident.")
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var author: AuthorOption
    @Argument(help: "The incident id.") var id: String
    func run() throws { try change(id, to: .acknowledged, storeOptions, author) }
}

struct ResolveIncident: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resolve", abstract: "Resolve an incident.")
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var author: AuthorOption
    @Argument(help: "The incident id.") var id: String
    func run() throws { try change(id, to: .resolved, storeOptions, author) }
}

struct ReopenIncident: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reopen", abstract: "Set an incident back to open.")
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var author: AuthorOption
    @Argument(help: "The incident id.") var id: String
    func run() throws { try change(id, to: .open, storeOptions, author) }
}

struct NoteIncident: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "note", abstract: "Add a note to an incident.",
        discussion: "A note is internal (never in an evidence bundle) unless --customer-visible is given.")
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var author: AuthorOption
    @Flag(help: "The note may be shown to the customer: it goes into the incident's evidence bundles.")
    var customerVisible = false
    @Argument(help: "The incident id.") var id: String
    @Argument(help: "The note.") var text: String
    func run() throws {
        guard let store = try storeOptions.open(mustExist: true) else { throw StoreError.noSuchIncident(IncidentStore.normalize(id)) }
        let id = IncidentStore.normalize(id)
        let visibility: NoteVisibility = customerVisible ? .customer : .internal
        try store.addNote(id, author: author.name, text: text, visibility: visibility)
        StandardOutput.write("\(id): \(visibility.label) note added\n")
    }
}

/// `scan --store`: records the sightings not yet stored, with the sources' checkpoints, in one
/// transaction; the printed findings then carry the store's incident ids.
enum ScanStoreRecorder {
    static func record(_ pipeline: ScanPipeline, _ findings: [Finding], into store: any IncidentStoring) throws -> [Finding] {
        var batch = pipeline.newFindings()
        TimelineQuoter.quote(&batch)
        try store.commit(findings: batch, checkpoints: pipeline.checkpoints)
        var out = findings
        let stored = try store.incidentIDs(for: out)
        for i in out.indices {
            if let id = stored[i] {
                out[i].incident = id
            } else {
                // Seen before the checkpoint but never stored (an older store): record it now.
                out[i].incident = try store.record(out[i], timeline: TimelineBuilder.entries(for: out[i])).incidentID
            }
        }
        return out
    }
}
