import ArgumentParser
import Foundation
import TenantWatchCore

extension FindingFormat: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}

/// `tenantwatch scan`: reads the sources to their end and prints findings.
struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the sources to their end and print findings (headless).",
        discussion: """
        Exit status: 0 when no finding is at or above --fail-on, 1 when some are, 2 on usage or \
        config errors. A one-line summary of what was read goes to standard error.
        """
    )

    @OptionGroup var sources: SourceOptions

    @Option(help: ArgumentHelp("Output format: ndjson, json or table.", valueName: "FORMAT"))
    var format: FindingFormat = .ndjson

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Lowest severity that makes the exit status 1.", valueName: "SEVERITY"))
    var failOn: Severity = .high

    @Option(help: ArgumentHelp("Record findings and incidents in this store (a SQLite file, or postgres://... shared); without it, scan writes nothing.",
                               valueName: "DB|URL"))
    var store: String?

    func run() throws {
        let configuration = try sources.loadConfiguration()
        guard !configuration.sources.isEmpty else {
            throw UsageError(message: "no sources: name log files on the command line or add [[source]] to tenantwatch.toml")
        }
        let model = try TenancyModel(configuration: configuration)
        let keys = try JWTKeySet.loadSynchronously(configuration.identity, configFile: configuration.file)
        let factory = ParserFactory(configuration: configuration, keys: keys)
        let pipeline = ScanPipeline(configuration: configuration, model: model, makeParser: factory.make)
        let incidentStore = try store.map { try StoreLocation.open($0) }
        if let incidentStore {
            pipeline.storing = true
            pipeline.recorded = try Dictionary(uniqueKeysWithValues: incidentStore.checkpoints().map { ($0.value.path, $0.value) })
        }
        do {
            try pipeline.run(configuration.sources)
        } catch let error as SourceError {
            throw UsageError(message: error.description)
        }
        var findings = pipeline.findings()
        if let incidentStore { findings = try ScanStoreRecorder.record(pipeline, findings, into: incidentStore) }
        switch format {
        case .ndjson: for chunk in FindingPrinter.ndjsonChunks(findings) { StandardOutput.write(bytes: chunk) }
        case .json: StandardOutput.write(FindingPrinter.jsonArray(findings))
        case .table: StandardOutput.write(FindingPrinter.table(findings, width: TerminalWidth.current))
        }
        StandardOutput.flush()
        if !configuration.tenancy.isConfigured {
            FileHandle.standardError.write(Data("tenantwatch: \(Configuration.Tenancy.notConfiguredMessage)\n".utf8))
        }
        for r in PostgresFormatReports.shared.takeNew() { FileHandle.standardError.write(Data("tenantwatch: \(r)\n".utf8)) }
        for c in PostgresFormatReports.shared.takeCounts() { FileHandle.standardError.write(Data("tenantwatch: \(c)\n".utf8)) }
        for w in pipeline.warnings { FileHandle.standardError.write(Data("tenantwatch: \(w)\n".utf8)) }
        FileHandle.standardError.write(Data((pipeline.statistics.summary + "\n").utf8))
        if findings.contains(where: { $0.severity >= failOn }) { throw ExitCode(1) }
    }
}
