import FuzzSupport
import TenantWatchCore

/// The stderr reader under the `log_line_prefix` values tenantwatch meets: the sample logs'
/// (with `%q` and `%a`), none (inferred), PostgreSQL's default, the test fixtures' verbose ones,
/// a padded one, one with the application name first after `%q`, and format detection.
///
/// Selector byte: bits 0-2 the prefix, bit 3 the zone for abbreviated timestamps, bits 4-5 how
/// often the live follower's idle flush runs. A fresh parser per input: nothing carries over.
let prefixes: [String?] = [
    "%m [%p] %q%u@%d/%a sess=%c ",
    nil,
    "%m [%p] ",
    "%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
    "%m [%p] %q%u@%d/%a %r sess=%c l=%l vxid=%v xid=%x sqlstate=%e qid=%Q bt=%b tag=%i t=%t n=%n ",
    "%n [%p] %h %-10u| ",
    "%t [%p] %q%a|%u|%d ",
    nil,
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStderr(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let choice = Int(input.selector & 7)
    let timezone = input.selector & 8 == 0 ? "UTC" : "Europe/Berlin"
    let idleEvery = [0, 1, 3, 16][Int(input.selector >> 4) & 3]
    // The last choice detects the format from the first line, as `format = "auto"` does.
    let format: PostgresLogParser.Format = choice == 7 ? .auto : .stderr
    var parser = PostgresLogParser(format: format, prefix: prefixes[choice], timezone: timezone, file: "fuzz.log")
    LineStream.run(&parser, input.body, idleEvery: idleEvery)
    let s = parser.statistics
    precondition(s.unparsed <= s.lines + 1, "more unparsed records (\(s.unparsed)) than lines (\(s.lines))")
    return 0
}

@_cdecl("FuzzStderr_main")
public func fuzzStderrMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzStderr)
}
