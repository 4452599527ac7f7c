import FuzzSupport
import TenantWatchCore

/// The Redis MONITOR reader. Selector bit 0 shrinks the `CLIENT SETNAME` map to 2 entries so
/// its start-over path runs too. A fresh parser per input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRedisMonitor(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    var parser = RedisMonitorParser(file: "fuzz.log")
    if input.selector & 1 == 1 { parser.clientNameLimit = 2 }
    let events = LineStream.run(&parser, input.body)
    var commands = 0
    for e in events { if case .cacheCommand = e { commands += 1 } }
    precondition(commands == parser.commands, "\(parser.commands) commands counted, \(commands) emitted")
    return 0
}

@_cdecl("FuzzRedisMonitor_main")
public func fuzzRedisMonitorMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzRedisMonitor)
}
