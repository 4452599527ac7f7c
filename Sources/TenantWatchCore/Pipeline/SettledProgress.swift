/// What each of `live`'s commits says is settled, and how much of the sighting ledger it may
/// forget, so that a restart after `kill -9` at any moment counts every sighting once.
///
/// A restart skips a sighting on lines the stopped run had read when it is older than the saved
/// settled time (stored by then) or named in the ledger (stored since). So the ledger must hold
/// every stored sighting from the *saved* settled time on, at every commit. The settled estimate
/// is not monotonic, though: it jumps a correlation window forward when the sources go quiet
/// (everything held is released) and falls back when lines flow again, and a source whose parser
/// comes back from a quiet spell brings its parser margin back. Forgetting the ledger up to each
/// commit's own settled time therefore lost the keys of sightings stored between a later, lower
/// settled time and the earlier, higher one; a kill after that lower commit counted them again
/// (the crash test's `req-0000545`: 2 sightings against `scan`'s 1).
///
/// Here the ledger forgets only up to `fallBack` before the settled time, and the settled time a
/// commit saves (and stores findings before) is never below what the ledger already forgot: the
/// ledger covers every stored sighting from the saved settled time on, by construction. A fall
/// back further than `fallBack` (not seen in practice) keeps the higher settled time: a sighting
/// found late might then be missed, but none is ever counted twice.
public struct SettledProgress: Sendable, Equatable {
    /// How far the settled estimate may fall back between commits (and be honoured as such).
    public let fallBack: Int64
    /// The ledger has forgotten the sightings before this log time; `.min`: none yet.
    public private(set) var forgotten: Int64 = .min

    public init(fallBack: Int64) {
        self.fallBack = max(fallBack, 0)
    }

    /// One commit's settled estimate (`.min`: nothing settled) in; out, the settled time to save
    /// and to store findings before, and the time before which the ledger may forget (nil: nothing).
    public mutating func commit(settled estimate: Int64) -> (settled: Int64, forgetBefore: Int64?) {
        let settled = max(estimate, forgotten)
        guard settled != .min else { return (.min, nil) }
        let forget = settled < .min + fallBack ? .min : settled - fallBack
        forgotten = max(forgotten, forget)
        return (settled, forgotten == .min ? nil : forgotten)
    }
}
