import Foundation
import FuzzSupport
import TenantWatchCore

/// `tenantwatch verify` on an arbitrary zip: the central directory read by hand, names checked,
/// entries inflated within their caps. Any input may be refused, none may crash, hang or grow
/// memory past the caps (`-rss_limit_mb` catches that).
///
/// Input: the zip's bytes.
let path = NSTemporaryDirectory() + "tw-fuzz-verify-\(getpid()).zip"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVerify(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput.whole(data, size)
    guard FileManager.default.createFile(atPath: path, contents: Data(buffer: bytes)) else { fatalError("fuzz setup: cannot write \(path)") }
    if let report = try? BundleVerifier.verify(zip: path, publicKey: nil) {
        // Whatever passes had a manifest listing what it holds.
        precondition(report.files >= 0)
    }
    return 0
}

@_cdecl("FuzzVerify_main")
public func fuzzVerifyMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzVerify)
}
