import TenantWatchSQL

/// One statement shape's analysis with what every execution of it prints the same way,
/// computed once per shape instead of once per execution: the table names and the command word.
///
/// A class, so an `AnalyzedStatement` carries its analysis as one reference: statements are
/// copied through the correlator's hold queues and into every detector, and a copied
/// `StatementAnalysis` would retain and release each of its arrays and strings every time.
final class ShapeJudgement: Sendable {
    let analysis: StatementAnalysis
    let tables: [String]
    let unscopedTables: [String]
    let command: String

    init(_ analysis: StatementAnalysis) {
        self.analysis = analysis
        self.tables = analysis.tables.map(\.description)
        self.unscopedTables = analysis.unscopedTables.map(\.description)
        self.command = analysis.kind.command
    }
}
