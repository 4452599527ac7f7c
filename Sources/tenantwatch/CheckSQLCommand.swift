import ArgumentParser
import Foundation
import TenantWatchCore

/// `tenantwatch check-sql "SQL"`: the analyzer on one statement, for code review and CI gates.
struct CheckSQL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-sql",
        abstract: "Judge one SQL statement: scoped, unscoped, unconfined_child, multi_tenant, rls, not_applicable or unparseable.",
        discussion: """
        Exit status: 0 for scoped, rls and not_applicable; 1 for unscoped, unconfined_child, multi_tenant and \
        unparseable (a statement that cannot be read cannot be shown safe); 2 on usage or config errors, \
        and when no tenancy is configured ([tenancy] schema or tables). \
        Use - as SQL to read the statement from standard input.
        """
    )

    enum OutputFormat: String, ExpressibleByArgument { case json, text }

    @Option(help: ArgumentHelp("Config file (default ./tenantwatch.toml when it exists).", valueName: "F"))
    var config: String?

    @Option(help: ArgumentHelp("json or text.", valueName: "FORMAT"))
    var format: OutputFormat = .text

    @Argument(help: ArgumentHelp("The statement, or - to read it from standard input.", valueName: "SQL"))
    var sql: String

    func run() throws {
        let configuration = try SourceOptions.configuration(at: config)
        // Without tenancy every statement is `not_applicable`: exit 0 would pass a CI gate silently.
        guard configuration.tenancy.isConfigured else { throw UsageError(message: Configuration.Tenancy.notConfiguredMessage) }
        let model = try TenancyModel(configuration: configuration)
        var text = sql
        if sql == "-" {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        let analysis = model.analyzer.analyze(text)
        let tenants = analysis.tenantValues.map(\.description).sorted()
        let tables = analysis.tables.map(\.description)
        switch format {
        case .json:
            var w = JSONWriter()
            w.beginObject()
            w.field("verdict", analysis.verdict.rawValue)
            w.field("tables", tables)
            w.field("tenants", tenants)
            w.field("reason", analysis.reason)
            w.field("unscoped_tables", analysis.unscopedTables.map(\.description))
            w.field("unconfined_child_tables", analysis.unconfinedChildTables.map(\.description))
            // How each child table is tenant-owned: its foreign keys up to a table with a tenant column.
            w.key("chains")
            w.beginObject()
            for table in analysis.tables {
                guard let chain = model.schema.chain(table) else { continue }
                w.field(table.description, chain.steps)
            }
            w.endObject()
            w.field("kind", analysis.kind.rawValue)
            w.field("fingerprint", analysis.fingerprint)
            w.endObject()
            StandardOutput.write(w.output + "\n")
        case .text:
            // Table names and tenant literals come from the statement (often pasted from a log), so
            // each is escaped on its own: escaping the whole line would fold the two spaces that
            // separate its fields (README: `scoped  tables: ...  tenants: ...`).
            let shown = { (list: [String]) in list.map(TextSanitizer.oneLine).joined(separator: ", ") }
            var line = analysis.verdict.rawValue
            if !tables.isEmpty { line += "  tables: \(shown(tables))" }
            if !tenants.isEmpty { line += "  tenants: \(shown(tenants))" }
            StandardOutput.write(line + "\n")
            if !analysis.reason.isEmpty { StandardOutput.write("  \(TextSanitizer.oneLine(analysis.reason))\n") }
            for table in analysis.tables {
                guard let chain = model.schema.chain(table) else { continue }
                StandardOutput.write("  chain \(TextSanitizer.oneLine(table.description)): \(TextSanitizer.oneLine(chain.description))\n")
            }
        }
        StandardOutput.flush()
        switch analysis.verdict {
        case .scoped, .rls, .notApplicable: return
        case .unscoped, .unconfinedChild, .multiTenant, .unparseable: throw ExitCode(1)
        }
    }
}
