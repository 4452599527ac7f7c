/// A compiled `log_line_prefix`: the literal text and `%` escapes PostgreSQL expands in front of
/// every stderr line (`src/backend/utils/error/elog.c`, `log_line_prefix()`).
///
/// Compiling once turns the setting into a list of pieces the matcher walks per line, instead of
/// re-reading the format string (or building a regex) for each of millions of lines.
public struct LogLinePrefix: Sendable, Equatable, CustomStringConvertible {
    enum Escape: UInt8, Sendable {
        case timestampMillis = 109  // %m
        case timestamp = 116        // %t
        case epoch = 110            // %n
        case pid = 112              // %p
        case user = 117             // %u
        case database = 100         // %d
        case application = 97       // %a
        case host = 104             // %h
        case hostPort = 114         // %r
        case lineNumber = 108       // %l
        case session = 99           // %c
        case sessionStart = 115     // %s
        case virtualXID = 118       // %v
        case xid = 120              // %x
        case sqlstate = 101         // %e
        case commandTag = 105       // %i
        case backendType = 98       // %b
        case queryID = 81           // %Q
        case leaderPID = 80         // %P

        /// Fields whose text is free (chosen by users or clients) and therefore ambiguous.
        var isFreeText: Bool {
            switch self {
            case .user, .database, .application, .host, .hostPort, .commandTag, .backendType: return true
            default: return false
            }
        }

        /// Longest value PostgreSQL can write for a free-text field: names are cut at
        /// NAMEDATALEN-1 = 63 bytes; host names at 255.
        var maxLength: Int {
            switch self {
            case .user, .database, .application: return 63
            case .host: return 255
            case .hostPort: return 262
            default: return 64
            }
        }
    }

    enum Piece: Sendable, Equatable {
        case literal([UInt8])
        /// `padding` is the field width of `%-10u` / `%10u` (0 when none).
        case escape(Escape, padding: Int)
        /// `%q`: non-session processes stop the prefix here.
        case sessionOnlyFromHere
    }

    public let text: String
    let pieces: [Piece]

    public init(_ text: String) {
        self.text = text
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        let b = Array(text.utf8)
        var i = 0
        func flush() { if !literal.isEmpty { pieces.append(.literal(literal)); literal = [] } }
        while i < b.count {
            let c = b[i]
            guard c == Bytes.percent, i + 1 < b.count else { literal.append(c); i += 1; continue }
            i += 1
            var pad = 0
            var sign = 1
            if b[i] == Bytes.dash { sign = -1; i += 1 }
            // Capped: the prefix can come from a log line (a reload's announcement), not only config.
            while i < b.count, Bytes.isDigit(b[i]) { pad = min(pad * 10 + Int(b[i] - 48), 10_000); i += 1 }
            guard i < b.count else { break }
            let e = b[i]
            i += 1
            if e == Bytes.percent { literal.append(Bytes.percent); continue }
            if e == 113 /* q */ { flush(); pieces.append(.sessionOnlyFromHere); continue }
            if let esc = Escape(rawValue: e) {
                flush()
                pieces.append(.escape(esc, padding: pad * sign))
            }
            // Unknown escapes expand to nothing in PostgreSQL.
        }
        flush()
        self.pieces = pieces
    }

    public var description: String { text }

    /// Prefixes seen in the wild, tried when the configuration names none. Longer ones come
    /// before the shorter ones they extend: a free-text field (`%d`) could swallow the rest of
    /// the longer form, and on a tie the earlier prefix wins.
    public static let commonDefaults: [String] = [
        // PostgreSQL's own default (10+), and Debian/Ubuntu's packaged one.
        "%m [%p] ",
        "%m [%p] %q%u@%d ",
        // pgBadger's documented recommendations, long and short.
        "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
        "%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
        "%t [%p]: [%l-1] user=%u,db=%d ",
        "%m [%p]: [%l-1] user=%u,db=%d ",
        // Google Cloud SQL (the prefix inside `textPayload`): with the client host, as a real
        // PostgreSQL 17 instance logs it (Fixtures/platforms/cloudsql_server_capture.log), and
        // without, as its documentation shows it.
        "%m [%p]: [%l-1] db=%d,user=%u,host=%h ",
        "%m [%p]: [%l-1] db=%d,user=%u ",
        "%t [%p]: [%l-1] ",
        "%m [%p]: [%l-1] ",
        "%t [%p]: ",
        "%m [%p] %q%u@%d/%a ",
        "%m [%p] %q[%u@%d] ",
        "%m [%p] %q%u@%d/%a %r sess=%c l=%l vxid=%v xid=%x sqlstate=%e qid=%Q bt=%b tag=%i t=%t n=%n ",
        // AWS RDS / Aurora (fixed by the platform; no space before the severity).
        "%t:%r:%u@%d:[%p]:",
        "%m:%r:%u@%d:[%p]:",
        // Azure Database for PostgreSQL (single and flexible server).
        "%t-%c-",
        // Heroku Postgres (after the logplex header and `[n-1]` sequence are taken off).
        "sql_error_code = %e ",
        "%m ",
        "%t ",
        "[%p] ",
        "",
    ]

    /// The platform a common prefix is the default of, for what auto-detection says.
    public static func platform(of prefix: String) -> String? {
        switch prefix {
        case "%m [%p] ": return "PostgreSQL default"
        case "%m [%p] %q%u@%d ": return "Debian/Ubuntu default"
        case "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ", "%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
             "%t [%p]: [%l-1] user=%u,db=%d ", "%m [%p]: [%l-1] user=%u,db=%d ": return "pgBadger"
        case "%m [%p]: [%l-1] db=%d,user=%u ", "%m [%p]: [%l-1] db=%d,user=%u,host=%h ": return "Google Cloud SQL"
        case "%t:%r:%u@%d:[%p]:", "%m:%r:%u@%d:[%p]:": return "AWS RDS/Aurora"
        case "%t-%c-": return "Azure Database for PostgreSQL"
        case "sql_error_code = %e ": return "Heroku Postgres"
        default: return nil
        }
    }
}
