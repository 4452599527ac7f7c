/// libFuzzer's driver, reached from each target's entry point.
///
/// SwiftPM links an executable with `main` defined as `<Target>_main` (it renames the entry
/// point so tests can link the module), so libFuzzer's own `main` is never pulled in. Each
/// target defines `<Target>_main` and hands its test function to the driver here.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

public typealias FuzzTest = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                      _ test: FuzzTest) -> CInt {
    var c = argc
    var v = argv
    return LLVMFuzzerRunDriver(&c, &v, test)
}
