import Foundation

/// Randomness a failing test can replay. Each randomised test draws from one of these: the seed
/// comes from `TW_TEST_SEED` when it is set (to replay a run), else it is fresh, and it is
/// printed and goes into every failure message (`seedNote`) so a red run says how to repeat it.
/// SplitMix64: small, fast, and the same sequence on every platform for a given seed.
package struct SeededRandom: RandomNumberGenerator {
    package let seed: UInt64
    private var state: UInt64

    package init(_ test: String = #function) {
        let env = ProcessInfo.processInfo.environment["TW_TEST_SEED"].flatMap { UInt64($0) }
        seed = env ?? UInt64.random(in: 0...UInt64(UInt32.max))
        state = seed
        print("# \(test): seed \(seed) (TW_TEST_SEED=\(seed) replays it)")
    }

    package init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    /// Appended to failure messages.
    package var seedNote: String { "(TW_TEST_SEED=\(seed) replays this run)" }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
