import Testing
@testable import TenantWatchCore

/// The rule `live`'s commits follow (see `SettledProgress`): at every commit, each stored
/// sighting is either older than the saved settled time or still in the ledger.
@Suite struct SettledProgressTests {
    @Test func nothingSettledForgetsNothing() {
        var p = SettledProgress(fallBack: 5_000_000)
        let marks = p.commit(settled: .min)
        #expect(marks.settled == .min && marks.forgetBefore == nil)
        #expect(p.forgotten == .min)
    }

    @Test func theLedgerKeepsAFallBackBehindTheSettledTime() {
        var p = SettledProgress(fallBack: 5_000_000)
        let marks = p.commit(settled: 100_000_000)
        #expect(marks.settled == 100_000_000)
        #expect(marks.forgetBefore == 95_000_000)
        // Near the bottom of the range: no overflow, nothing forgotten.
        var low = SettledProgress(fallBack: 5_000_000)
        #expect(low.commit(settled: .min + 10).forgetBefore == nil)
    }

    /// The crash test's sequence: quiet (everything released: settled jumps a window ahead),
    /// then lines flow again (settled falls back a window). The second commit's settled time is
    /// honoured, and what the first stored between the two is still in the ledger.
    @Test func aFallBackWithinTheMarginIsSavedAndCoveredByTheLedger() {
        var p = SettledProgress(fallBack: 5_000_000)
        let a = p.commit(settled: 100_000_001)
        let b = p.commit(settled: 98_000_000)
        #expect(b.settled == 98_000_000)
        #expect((a.forgetBefore ?? .min) <= b.settled)
        #expect((b.forgetBefore ?? .min) <= b.settled)
        // The ledger never moves backwards.
        #expect(b.forgetBefore == a.forgetBefore)
    }

    @Test func aFallBackBeyondTheMarginKeepsWhatTheLedgerAlreadyForgot() {
        var p = SettledProgress(fallBack: 5_000_000)
        let a = p.commit(settled: 100_000_000)
        let b = p.commit(settled: 10_000_000)
        #expect(b.settled == a.forgetBefore)
        #expect(p.commit(settled: .min).settled == a.forgetBefore)
    }

    @Test func anyOrderOfEstimatesKeepsTheInvariant() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var p = SettledProgress(fallBack: 2_000_000)
            var forgotten: Int64 = .min
            var estimate: Int64 = 50_000_000
            for _ in 0..<50 {
                estimate += Int64.random(in: -4_000_000...3_000_000, using: &generator)
                let marks = p.commit(settled: estimate)
                let forget = marks.forgetBefore ?? .min
                #expect(forget >= forgotten)
                #expect(forget <= marks.settled)
                #expect(marks.settled >= estimate)
                forgotten = forget
            }
        }
    }
}
