import TenantWatchCore

/// How a raw log line travels from `ship` to the ingest workers: on `tw.log.<kind>.<host>`, the
/// line's bytes as the payload (no envelope, so Vector's or Fluent Bit's `nats` outputs can feed
/// the same subjects), where it came from in headers.
public enum ShippedLine {
    /// The stream every shipped line is stored in.
    public static let stream = "TW_LOG"
    public static let subjectPrefix = "tw.log"
    public static let sourceHeader = "Tw-Source"
    public static let lineHeader = "Tw-Line"
    /// Present ("1") when the line was longer than the follower's maximum and only its head travels.
    public static let truncatedHeader = "Tw-Truncated"

    public static func streamSettings(replicas: Int, duplicateWindow: Double) -> StreamSettings {
        StreamSettings(name: stream, subjects: ["\(subjectPrefix).>"], replicas: replicas, duplicateWindow: duplicateWindow)
    }

    /// `tw.log.postgres.db-1_eu_example`: a subject token may not hold `.`, `*`, `>` or white
    /// space, so those become `_` in the host name.
    public static func subject(kind: SourceKind, host: String) -> String {
        "\(subjectPrefix).\(kind.rawValue).\(subjectToken(host))"
    }

    public static func subjectToken(_ text: String) -> String {
        let cleaned = String(text.map { c -> Character in
            (c == "." || c == "*" || c == ">" || c.isWhitespace || c.asciiValue.map { $0 < 0x21 } == true) ? "_" : c
        })
        return cleaned.isEmpty ? "_" : cleaned
    }

    /// The de-duplication id of a line: host, the followed pattern, line number and a hash of
    /// the bytes.
    ///
    /// A resend after a crash produces the same id (the checkpoint restores the line numbering),
    /// so the stream stores it once. The pattern, not the file's path: a shipper that restarts
    /// after its file was rotated finishes it under its new name (`pg.log.1`), and those lines
    /// must keep the ids they were first sent with. The content hash keeps a copytruncate'd or
    /// re-created file, whose numbering restarts at 1, from being taken for the old lines (an id
    /// seen within the window is dropped): only a line identical to the one that had the same
    /// number minutes earlier would be, which log lines with timestamps never are.
    public static func messageID(host: String, pattern: String, line: Int, bytes: UnsafeBufferPointer<UInt8>) -> String {
        let hash = FileHead.fnv1a(bytes)
        return "\(host)|\(pattern)|\(line)|\(String(hash, radix: 16))"
    }

    /// `path` is the file the line was read from (the `Tw-Source` header), `pattern` what the
    /// shipper follows (part of the id).
    public static func message(kind: SourceKind, host: String, pattern: String, path: String, line: Int,
                               bytes: UnsafeBufferPointer<UInt8>, truncated: Bool) -> OutgoingMessage {
        var headers = [sourceHeader: path, lineHeader: String(line)]
        if truncated { headers[truncatedHeader] = "1" }
        return OutgoingMessage(subject: subject(kind: kind, host: host), payload: Array(bytes),
                               id: messageID(host: host, pattern: pattern, line: line, bytes: bytes), headers: headers)
    }

    /// The parts of a delivered line; nil when its subject is not `tw.log.<kind>.<host>` with a
    /// known kind. A line published by another shipper without our headers gets line number 0.
    public static func parse(_ message: DeliveredMessage) -> (kind: SourceKind, host: String, source: String, line: Int)? {
        let parts = message.subject.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "tw", parts[1] == "log", let kind = SourceKind(rawValue: String(parts[2])) else {
            return nil
        }
        let host = String(parts[3])
        return (kind, host, message.headers[sourceHeader] ?? host, Int(message.headers[lineHeader] ?? "") ?? 0)
    }
}
