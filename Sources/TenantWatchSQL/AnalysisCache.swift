/// A bounded map from statement text (or shape) to its analysis (or to anything derived from it).
///
/// Two generations: lookups hit the young one, then the old one (and promote); when the young
/// generation is full the old one is dropped whole. Hot statements survive, the size never
/// exceeds `capacity`, and eviction is O(1) amortised with no per-entry bookkeeping.
///
/// `@inlinable` so that `TenancyModel` (TenantWatchCore) gets it specialised for its keys rather
/// than calling the generic dictionary code across the module boundary (BENCHMARKS.md, "Module split").
package struct AnalysisCache<Key: Hashable, Value> {
    package let capacity: Int
    @usableFromInline var young: [Key: Value] = [:]
    @usableFromInline var old: [Key: Value] = [:]

    @inlinable package init(capacity: Int) {
        self.capacity = max(2, capacity)
    }

    @inlinable package var count: Int { young.count + old.count }

    @inlinable package mutating func get(_ key: Key) -> Value? {
        if let v = young[key] { return v }
        if let v = old.removeValue(forKey: key) {
            insert(key, v)
            return v
        }
        return nil
    }

    @inlinable package mutating func insert(_ key: Key, _ value: Value) {
        if young.count >= capacity / 2 {
            old = young
            young = [:]
            young.reserveCapacity(capacity / 2)
        }
        young[key] = value
    }

    @inlinable package mutating func removeAll() {
        young = [:]
        old = [:]
    }
}
