import ArgumentParser
import Foundation
import TenantWatchCore

/// The process entry: maps every way a command can end onto the contract's exit statuses
/// (0 clean, 1 findings/tampered, 2 usage or config error).
@main
struct EntryPoint {
    static func main() {
        do {
            var command = try TenantWatch.parseAsRoot()
            try command.run()
            StandardOutput.flush()
        } catch let error as ConfigError {
            StandardOutput.flush()
            FileHandle.standardError.write(Data("tenantwatch: \(error)\n".utf8))
            exit(2)
        } catch let error as StoreError {
            // An unknown incident is a "no" answer (1); a store that cannot be used is like a bad
            // config file (2).
            StandardOutput.flush()
            FileHandle.standardError.write(Data("tenantwatch: \(error)\n".utf8))
            if case .noSuchIncident = error { exit(1) }
            exit(2)
        } catch let error as ExportFailure {
            StandardOutput.flush()
            FileHandle.standardError.write(Data("tenantwatch: \(error.message)\n".utf8))
            exit(1)
        } catch let error as UsageError {
            StandardOutput.flush()
            FileHandle.standardError.write(Data("tenantwatch: \(error.message)\n".utf8))
            exit(2)
        } catch {
            StandardOutput.flush()
            let code = TenantWatch.exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((TenantWatch.fullMessage(for: error) + "\n").utf8))
                exit(2)
            }
            // Exit 1 means "findings" (or "tampered") to a CI gate: a run that failed for any
            // other reason (a source that cannot be read, an I/O error) is fatal, exit 2, with
            // its message on stderr. Only ArgumentParser's own outcomes (help, `ExitCode`) pass.
            if error is ExitCode || code == .success {
                TenantWatch.exit(withError: error)
            }
            FileHandle.standardError.write(Data(("tenantwatch: " + TenantWatch.message(for: error) + "\n").utf8))
            exit(2)
        }
    }
}

/// A mistake in how the command was called that ArgumentParser cannot see (a missing file, say).
struct UsageError: Error {
    var message: String
}

struct TenantWatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenantwatch",
        abstract: "Find cross-tenant data leaks in PostgreSQL, audit and Redis logs.",
        version: TenantWatchVersion.string,
        subcommands: [Scan.self, CheckSQL.self, Live.self, Replay.self, Incidents.self, Export.self, Verify.self, Keygen.self,
                      Ship.self]
    )
}
