#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads sources to their end and turns them into findings: the headless path behind `scan`
/// and the benchmark. Stages are wired here and nowhere else:
/// source files → parser → events → analysis → detectors → aggregation → incidents.
public final class ScanPipeline {
    public typealias ParserFactory = (_ spec: SourceSpec, _ kind: SourceKind, _ file: String) throws -> LogParser
    public typealias Analyze = (_ execution: StatementExecution) -> AnalyzedStatement

    public private(set) var statistics = IngestStatistics()
    public private(set) var warnings: [String] = []

    private let makeParser: ParserFactory
    private let analyze: Analyze
    private let detectors: [StatementDetector]
    private var aggregator = FindingAggregator()

    public init(makeParser: @escaping ParserFactory, analyze: @escaping Analyze,
                detectors: [StatementDetector] = ScanPipeline.defaultDetectors) {
        self.makeParser = makeParser
        self.analyze = analyze
        self.detectors = detectors
    }

    public static let defaultDetectors: [StatementDetector] = [
        MissingTenantPredicateDetector(),
        CrossTenantQueryDetector(),
    ]

    /// Reads every source; a file that cannot be opened is an error (the user named it).
    public func run(_ sources: [SourceSpec]) throws {
        for spec in sources {
            let files = PathExpansion.expand(spec.path)
            if files.isEmpty { throw SourceError.noMatch(pattern: spec.path) }
            for file in files { try read(file: file, spec: spec) }
        }
    }

    /// Findings in order of first sighting, each with its incident id.
    public func findings() -> [Finding] {
        var grouper = IncidentGrouper()
        let sorted = aggregator.findings.enumerated().sorted { a, b in
            switch (a.element.time, b.element.time) {
            case let (x?, y?) where x != y: return x < y
            default: return a.offset < b.offset
            }
        }
        return sorted.map { pair in
            var f = pair.element
            f.incident = grouper.assign(f)
            return f
        }
    }

    func read(file: String, spec: SourceSpec) throws {
        let fd: Int32 = file == "-" ? 0 : open(file, O_RDONLY)
        if fd < 0 { throw SourceError.cannotOpen(path: file, errno: errno) }
        defer { if fd != 0 { close(fd) } }
        guard let kind = spec.kind ?? detectKind(fd: fd, file: file) else {
            warnings.append("\(file): cannot tell what kind of log this is; name it with --postgres, --audit or --redis")
            return
        }
        var parser: LogParser
        do {
            parser = try makeParser(spec, kind, file)
        } catch let error as UnsupportedSource {
            warnings.append("\(file): \(error.message)")
            return
        }
        statistics.files += 1
        var reader = LineReader(fileDescriptor: fd)
        defer { reader.close() }
        var events: [Event] = []
        events.reserveCapacity(16)
        let lines = try reader.forEachLine { line, number, truncated in
            if truncated {
                events.append(.unparsed(UnparsedLine(position: SourcePosition(file: file, line: number),
                                                     reason: "line longer than \(line.count) bytes, cut")))
            }
            parser.feed(line: line, lineNumber: number, into: &events)
            if !events.isEmpty {
                process(events)
                events.removeAll(keepingCapacity: true)
            }
        }
        parser.finish(into: &events)
        process(events)
        statistics.lines += lines
    }

    private func process(_ events: [Event]) {
        for event in events {
            statistics.count(event)
            guard case .statement(let execution) = event else { continue }
            let statement = analyze(execution)
            for detector in detectors {
                for finding in detector.inspect(statement) { aggregator.add(finding) }
            }
        }
    }

    /// Peeks at the first bytes of a regular file without moving the read position.
    private func detectKind(fd: Int32, file: String) -> SourceKind? {
        if fd == 0 { return .postgres }
        var sample = [UInt8](repeating: 0, count: 65_536)
        let n = sample.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 65_536, 0) }
        guard n > 0 else { return nil }
        return SourceKindDetector.detect(sample: Array(sample.prefix(n)))
    }
}

/// A source kind this build cannot read yet; the pipeline reports it and goes on with the rest.
public struct UnsupportedSource: Error {
    public var message: String
    public init(_ message: String) { self.message = message }
}
