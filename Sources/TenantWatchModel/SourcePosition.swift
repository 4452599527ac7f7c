/// Where an event came from: the exact file and physical line, so every finding can be
/// traced back to the bytes an engineer can open in `less +LINE`.
public struct SourcePosition: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The path as the user named it (or `-` for standard input).
    public var file: String
    /// 1-based physical line number of the record's first line.
    public var line: Int
    /// 1-based physical line number of the record's last line (multi-line records span several).
    public var endLine: Int

    public init(file: String, line: Int, endLine: Int? = nil) {
        self.file = file
        self.line = line
        self.endLine = endLine ?? line
    }

    public var description: String { "\(file):\(line)" }
}
