// Microbenchmarks of the ingest path (release build: `swift build -c release --product TenantWatchBench`).
//
//   TenantWatchBench parse FILE [--prefix P] [--format stderr|csvlog|jsonlog|auto] [--runs N]
//       LineReader + PostgresLogParser over FILE: lines/s, MB/s and events/s (best of N, default 3).
//   TenantWatchBench lines FILE [--runs N]
//       LineReader alone (the floor under every parser).
//   TenantWatchBench analyzer-chains [--tables N] [--depth D] [--runs R] [--variants V]
//       The analyzer on a schema of N tables with foreign-key chains (see AnalyzerChainBench.swift).
//   TenantWatchBench tui-frame [--incidents N] [--events N] [--frames N]
//       Dashboard frame time (see TUIFrameBench.swift).
//   TenantWatchBench            (as `make bench` runs it, from bench-data/)
//       `parse` on every bench-*.log in the current directory with the bench prefix, then tui-frame.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TenantWatchCore

let benchPrefix = "%m [%p] %q%u@%d/%a sess=%c "

struct Options {
    var command = ""
    var file = ""
    var prefix: String? = benchPrefix
    var format = PostgresLogParser.Format.stderr
    var runs = 3
}

func eprint(_ s: String) {
    var s = s
    s.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

func fail(_ message: String) -> Never {
    eprint("TenantWatchBench: \(message)\n")
    eprint("usage: TenantWatchBench parse FILE [--prefix P] [--format stderr|csvlog|jsonlog|auto] [--runs N]\n")
    eprint("       TenantWatchBench lines FILE [--runs N]\n")
    exit(2)
}

func parseArguments(_ args: [String]) -> Options {
    var o = Options()
    var i = 0
    var positional: [String] = []
    while i < args.count {
        let a = args[i]
        func value() -> String {
            i += 1
            guard i < args.count else { fail("\(a) needs a value") }
            return args[i]
        }
        switch a {
        case "--prefix": let p = value(); o.prefix = p.isEmpty ? nil : p
        case "--format":
            guard let f = PostgresLogParser.Format(rawValue: value()) else { fail("unknown format") }
            o.format = f
        case "--runs":
            guard let n = Int(value()), n > 0 else { fail("--runs needs a positive number") }
            o.runs = n
        case "-h", "--help": fail("help")
        default:
            if a.hasPrefix("--") { fail("unknown option \(a)") }
            positional.append(a)
        }
        i += 1
    }
    guard positional.count == 2, ["parse", "lines"].contains(positional[0]) else { fail("expected a command and a file") }
    o.command = positional[0]
    o.file = positional[1]
    return o
}

/// Result of one pass over a file.
struct Pass {
    var seconds: Double
    /// CPU time of the pass: steadier than wall time on a shared machine.
    var cpuSeconds: Double = 0
    var lines: Int
    var bytes: Int64
    var events: Int
    var statements: Int
    /// Records pgBadger 12 counts as queries on the same file (`PgBadgerQueryCount`).
    var pgBadgerQueries = 0
}

func openFile(_ path: String) -> Int32 {
    let fd = open(path, O_RDONLY)
    if fd < 0 { fail("\(path): \(String(cString: strerror(errno)))") }
    return fd
}

func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func seconds(_ d: Duration) -> Double {
    let c = d.components
    return Double(c.seconds) + Double(c.attoseconds) * 1e-18
}

func readLines(_ o: Options) throws -> Pass {
    let fd = openFile(o.file)
    defer { close(fd) }
    var reader = LineReader(fileDescriptor: fd)
    defer { reader.close() }
    var checksum = 0
    let clock = ContinuousClock()
    let t0 = clock.now
    let c0 = cpuNow()
    while let line = try reader.nextLine() { checksum &+= line.bytes.count }
    let elapsed = seconds(clock.now - t0)
    let cpu = cpuNow() - c0
    if checksum < 0 { print(checksum) }
    return Pass(seconds: elapsed, cpuSeconds: cpu, lines: reader.lineNumber, bytes: reader.bytesRead, events: 0, statements: 0)
}

func parse(_ o: Options) throws -> Pass {
    let fd = openFile(o.file)
    defer { close(fd) }
    var reader = LineReader(fileDescriptor: fd)
    defer { reader.close() }
    var parser = PostgresLogParser(format: o.format, prefix: o.prefix, timezone: "UTC", file: o.file)
    var events: [Event] = []
    events.reserveCapacity(64)
    var count = 0
    var statements = 0
    @inline(__always) func consume(_ events: inout [Event]) {
        count += events.count
        for e in events { if case .statement = e { statements += 1 } }
        events.removeAll(keepingCapacity: true)
    }
    let clock = ContinuousClock()
    let t0 = clock.now
    let c0 = cpuNow()
    while let line = try reader.nextLine() {
        parser.feed(line: line.bytes, lineNumber: line.number, into: &events)
        if !events.isEmpty { consume(&events) }
    }
    parser.finish(into: &events)
    consume(&events)
    let elapsed = seconds(clock.now - t0)
    let cpu = cpuNow() - c0
    if parser.statistics.unparsed > 0 {
        eprint("TenantWatchBench: \(parser.statistics.unparsed) unparsed lines (first at \(parser.statistics.firstUnparsed!))\n")
    }
    return Pass(seconds: elapsed, cpuSeconds: cpu, lines: reader.lineNumber, bytes: reader.bytesRead, events: count,
                statements: statements, pgBadgerQueries: parser.statistics.pgBadgerQueries)
}

func rate(_ n: Double) -> String {
    if n >= 1e6 { return String(Int((n / 1e4).rounded())).withDecimal(2) + "M" }
    if n >= 1e3 { return String(Int((n / 1e1).rounded())).withDecimal(2) + "k" }
    return String(Int(n.rounded()))
}

extension String {
    /// "12345" with 2 → "123.45".
    func withDecimal(_ places: Int) -> String {
        let padded = count <= places ? String(repeating: "0", count: places - count + 1) + self : self
        return padded.dropLast(places) + "." + padded.suffix(places)
    }
}

func run(_ o: Options) throws {
    var best: Pass? = nil
    var bestCPU = Double.infinity
    for _ in 0..<o.runs {
        let p = o.command == "lines" ? try readLines(o) : try parse(o)
        if best == nil || p.seconds < best!.seconds { best = p }
        bestCPU = min(bestCPU, p.cpuSeconds)
    }
    let p = best!
    let name = o.file.split(separator: "/").last.map(String.init) ?? o.file
    var out = "\(o.command) \(name): \(p.lines) lines in \(String(Int((p.seconds * 1e6).rounded())).withDecimal(6)) s"
    out += " (best of \(o.runs)): \(rate(Double(p.lines) / p.seconds)) lines/s"
    out += ", \(rate(Double(p.bytes) / p.seconds / 1_048_576)) MiB/s"
    if o.command == "parse" {
        out += ", \(rate(Double(p.events) / p.seconds)) events/s (\(p.events) events, \(p.statements) statements, \(p.pgBadgerQueries) pgBadger queries)"
        out += ", \(String(Int((p.seconds / Double(max(p.lines, 1)) * 1e8).rounded())).withDecimal(2)) µs/line"
    }
    out += "; CPU time \(String(Int((bestCPU * 1e3).rounded())).withDecimal(3)) s: \(rate(Double(p.lines) / bestCPU)) lines/s"
    print(out)
}

var args = Array(CommandLine.arguments.dropFirst())
if args.first == "tui-frame" { exit(tuiFrame()) }
if args.first == "analyzer-chains" { exit(analyzerChains(Array(args.dropFirst()))) }
do {
    if args.isEmpty {
        // `make bench`: every generated bench log in the current directory.
        var logs: [String] = []
        if let dir = opendir(".") {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name.hasPrefix("bench-"), name.hasSuffix(".log") { logs.append(name) }
            }
            closedir(dir)
        }
        if logs.isEmpty { fail("no bench-*.log in the current directory; name a file") }
        for log in logs.sorted() {
            try run(parseArguments(["lines", log]))
            try run(parseArguments(["parse", log]))
        }
        let frame = tuiFrame()
        if frame != 0 { exit(frame) }
    } else {
        try run(parseArguments(args))
    }
} catch {
    eprint("TenantWatchBench: \(error)\n")
    exit(1)
}
