import Foundation

/// A statement shape's bytes as a cache key, hashed once, eight bytes at a time.
///
/// Every execution's shape is looked up: keying by a `String` meant building one per statement
/// and running SipHash over all its bytes on every lookup. Equality still compares the bytes,
/// so a hash collision can never hand one shape another's analysis.
package struct ShapeKey: Hashable, Sendable {
    package let bytes: [UInt8]
    @usableFromInline let digest: UInt64

    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.digest = bytes.withUnsafeBytes(ShapeKey.digest)
    }

    /// The shape as text, for the analyzer (on a cache miss) and for `StatementShape`.
    package var text: String { String(decoding: bytes, as: UTF8.self) }

    @inlinable package static func == (a: ShapeKey, b: ShapeKey) -> Bool {
        guard a.digest == b.digest, a.bytes.count == b.bytes.count else { return false }
        return a.bytes.withUnsafeBytes { x in
            b.bytes.withUnsafeBytes { y in x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 }
        }
    }

    @inlinable package func hash(into hasher: inout Hasher) { hasher.combine(digest) }

    /// A multiply-rotate mix over 64-bit words (the tail zero-padded, the length folded in):
    /// not a defence against chosen collisions, which equality makes harmless anyway.
    package static func digest(_ raw: UnsafeRawBufferPointer) -> UInt64 {
        let m: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h = UInt64(raw.count) &* m
        var i = 0
        while i + 8 <= raw.count {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* m
            h ^= h >> 29
            i += 8
        }
        if i < raw.count {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < raw.count { w |= UInt64(raw[i]) << shift; shift += 8; i += 1 }
            h = (h ^ w) &* m
            h ^= h >> 29
        }
        return h
    }
}

/// What the shape lexer found in one statement, before any `String` is made of the shape.
package struct LexedStatement {
    package var key: ShapeKey
    package var literals: [String]
    package var firstPlaceholder: Int
    package var comments: [String]

    package var shape: StatementShape {
        StatementShape(text: key.text, literals: literals, firstPlaceholder: firstPlaceholder, comments: comments)
    }

    package func parameters(binding bound: [String?]) -> [String?] {
        StatementShape.parameters(binding: bound, literals: literals, firstPlaceholder: firstPlaceholder)
    }
}

/// A statement's exact text as a cache key, hashed with `ShapeKey`'s digest: SipHash over a
/// String costs more than lexing a short statement does.
package struct TextKey: Hashable, Sendable {
    package let text: String
    @usableFromInline let digest: UInt64

    package init(_ text: String) {
        var t = text
        self.digest = t.withUTF8 { ShapeKey.digest(UnsafeRawBufferPointer($0)) }
        self.text = t
    }

    @inlinable package static func == (a: TextKey, b: TextKey) -> Bool { a.digest == b.digest && a.text == b.text }

    @inlinable package func hash(into hasher: inout Hasher) { hasher.combine(digest) }
}
