import TenantWatchModel

/// Archived sources read as one event stream in log-time order: what `replay` paces with a
/// `ReplayClock` (and what `scan` does inside `ScanPipeline`).
///
/// Every file of every source (globs expanded in name order, plain or `.gz`) gets a cursor, and
/// the earliest pending event goes next, so logrotate's reverse numbering (`.2.gz` older than
/// `.1`) needs no special case. Cursors use small buffers (64 KiB): a week of hourly archives is
/// a few hundred open files, not a few hundred MiB. A corrupt `.gz` ends only its own file and
/// lands in `warnings`.
public final class MergedEventReader {
    public typealias MakeParser = (_ spec: SourceSpec, _ kind: SourceKind, _ file: String) throws -> LogParser

    /// Files skipped (kind unknown, format unsupported) or cut short (corrupt archive).
    public private(set) var warnings: [String] = []
    public let files: [String]
    private var cursors: [SourceCursor]
    private var merge: TimeOrderedMerge
    private var reported = Set<ObjectIdentifier>()

    /// Opens every file now; a path that matches nothing or cannot be opened throws, as in `scan`.
    public init(sources: [SourceSpec], chunkSize: Int = 64 << 10, makeParser: MakeParser) throws {
        var cursors: [SourceCursor] = []
        var files: [String] = []
        var warnings: [String] = []
        var opened: Set<String> = []
        for spec in sources {
            let matched = PathExpansion.expand(spec.path)
            if matched.isEmpty { throw SourceError.noMatch(pattern: spec.path) }
            for file in matched {
                // One line is one sighting however often it is named.
                if file != "-", !opened.insert(ScanPipeline.absolute(file)).inserted {
                    warnings.append("\(file): named more than once; read once")
                    continue
                }
                let source = try ByteSources.open(path: file)
                let detected: SourceKind? = file == "-" ? .postgres
                    : (try? ByteSources.sample(path: file)).flatMap { SourceKindDetector.detect(sample: $0) }
                guard let kind = spec.kind ?? detected else {
                    warnings.append("\(file): cannot tell what kind of log this is; name it with --postgres, --audit, --redis or --search")
                    continue
                }
                do {
                    cursors.append(SourceCursor(file: file, source: source, parser: try makeParser(spec, kind, file),
                                                chunkSize: chunkSize))
                    files.append(file)
                } catch let error as UnsupportedSource {
                    warnings.append("\(file): \(error.message)")
                }
            }
        }
        self.cursors = cursors
        self.merge = TimeOrderedMerge(orders: cursors.map(\.mergeOrder))
        self.files = files
        self.warnings = warnings
    }

    /// Where each file was read to, for the store once every file was read to its end: a second
    /// replay of the same archives into the store then adds nothing.
    public var checkpoints: [SourceCheckpoint] {
        cursors.compactMap { SourceCheckpoint.capture(path: ScanPipeline.absolute($0.file), offset: $0.bytesRead, lineNumber: $0.lines) }
    }

    /// Physical lines read so far, over all files.
    public var lines: Int { cursors.reduce(0) { $0 + $1.lines } }

    /// The next event without consuming it; nil when every source is exhausted.
    public func peek() throws -> Event? {
        guard let source = try prepare() else { return nil }
        return merge.first(of: source)
    }

    public func next() throws -> Event? {
        guard let source = try prepare() else { return nil }
        return merge.take(source)
    }

    /// The same merge `scan` uses, so a replay at any speed sees the events in the same order.
    private func prepare() throws -> Int? {
        try merge.prepare { [cursors] index in
            let cursor = cursors[index]
            if let event = try cursor.next() { return event }
            if let failure = cursor.failure, reported.insert(ObjectIdentifier(cursor)).inserted { warnings.append(failure) }
            return nil
        }
    }
}
