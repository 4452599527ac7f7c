/// Splits a fuzz input into the leading selector byte (which configuration to run) and the
/// rest (the log). Chosen by the input itself, so a crash file replays the same configuration.
public struct FuzzInput {
    public let selector: UInt8
    public let body: UnsafeBufferPointer<UInt8>

    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        guard let data, size > 0 else {
            selector = 0
            body = UnsafeBufferPointer(start: nil, count: 0)
            return
        }
        selector = data[0]
        body = UnsafeBufferPointer(start: data + 1, count: size - 1)
    }

    /// The whole input, no selector.
    public static func whole(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeBufferPointer<UInt8> {
        guard let data, size > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: data, count: size)
    }
}
