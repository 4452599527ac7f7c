/// A configuration problem, reported on one line that names the offending key so the user can
/// fix it without reading code. The command line turns it into exit status 2.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    /// The config file (or `command line`) the problem is in.
    public var file: String
    /// Dotted key, e.g. `tenancy.columns` or `source[2].format`.
    public var key: String
    public var message: String

    public init(file: String, key: String, message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String {
        key.isEmpty ? "\(file): \(message)" : "\(file): \(key): \(message)"
    }
}
