/// A value kept in one shared box, copied only when a box that is shared gets changed
/// (copy-on-write), as the standard library's arrays and strings are.
///
/// For the pipeline's large values — a statement execution, its analysis, a request's context —
/// which are copied whole several times between the parser and the detectors: a copy of a struct
/// of a dozen strings retains each string (and its end releases each), a copy of this retains
/// one box. The types that use it keep their plain properties, forwarded to `value`, so they
/// still read and behave as values.
///
/// `@inlinable` throughout: the users in TenantWatchCore (`AnalyzedStatement`, `RequestContext`)
/// are in another module, and there an opaque generic costs a call, a generic metadata lookup
/// and retains for every field read (4% more instructions on a correlated scan after the split,
/// BENCHMARKS.md "Module split"); inlined, each caller specialises it for its own `Value`.
@usableFromInline package struct CopyOnWrite<Value: Sendable>: @unchecked Sendable {
    // @unchecked: the box is only ever changed through `value`'s `_modify`, which copies it
    // first unless this is its only owner; shared boxes are read-only.
    @usableFromInline final class Box {
        @usableFromInline var value: Value
        @inlinable init(_ value: Value) { self.value = value }
    }

    @usableFromInline var box: Box

    @inlinable package init(_ value: Value) { box = Box(value) }

    /// Read in place (no copy of the whole value to read one field); changed in place when the
    /// box is not shared.
    @inlinable package var value: Value {
        _read { yield box.value }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.value) }
            yield &box.value
        }
    }

    /// True when both hold the very same box (then they are equal without a look inside).
    @inlinable package func sharesBox(with other: CopyOnWrite) -> Bool { box === other.box }
}
