import FuzzSupport
import TenantWatchCore

/// The csvlog reader, records spanning lines included. Selector bit 0: the zone for abbreviated
/// timestamps. A fresh parser per input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSVLog(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let timezone = input.selector & 1 == 0 ? "UTC" : "Europe/Berlin"
    var parser = PostgresLogParser(format: .csvlog, timezone: timezone, file: "fuzz.log")
    LineStream.run(&parser, input.body)
    return 0
}

@_cdecl("FuzzCSVLog_main")
public func fuzzCSVLogMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzCSVLog)
}
