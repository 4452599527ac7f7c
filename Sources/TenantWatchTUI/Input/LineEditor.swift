/// A one-line editor for the search and note prompts: insert, Backspace/Delete, ←/→,
/// Home/End, Ctrl-A/E/U/W. Display width is the renderer's business.
public struct LineEditor: Equatable, Sendable {
    public enum Outcome: Equatable { case editing, submit(String), cancel }

    public private(set) var scalars: [Unicode.Scalar]
    public private(set) var cursor: Int

    public init(_ text: String = "") {
        scalars = Array(text.unicodeScalars)
        cursor = scalars.count
    }

    public var text: String { String(String.UnicodeScalarView(scalars)) }

    public mutating func handle(_ key: Key) -> Outcome {
        switch key {
        case .char(let c):
            for s in c.unicodeScalars where s.value >= 0x20 && s.value != 0x7F {
                scalars.insert(s, at: cursor)
                cursor += 1
            }
        case .backspace:
            if cursor > 0 { scalars.remove(at: cursor - 1); cursor -= 1 }
        case .delete:
            if cursor < scalars.count { scalars.remove(at: cursor) }
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(scalars.count, cursor + 1)
        case .home, .ctrl("a"): cursor = 0
        case .end, .ctrl("e"): cursor = scalars.count
        case .ctrl("u"): scalars.removeFirst(cursor); cursor = 0
        case .ctrl("w"):
            var i = cursor
            while i > 0 && scalars[i - 1] == " " { i -= 1 }
            while i > 0 && scalars[i - 1] != " " { i -= 1 }
            scalars.removeSubrange(i..<cursor)
            cursor = i
        case .enter: return .submit(text)
        case .escape, .ctrl("c"), .ctrl("g"): return .cancel
        default: break
        }
        return .editing
    }
}
