import ArgumentParser
import Crypto
import Foundation
import TenantWatchCore

/// `tenantwatch export INCIDENT --for-tenant T --out FILE.zip [--store DB] [--sign-key K]`.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a customer evidence bundle (zip) for one incident.",
        discussion: """
        The bundle holds incident.json, timeline.ndjson (Timesketch), report.md, report.html, art33.json,
        evidence/ (the quoted log lines) and manifest.json (every file's SHA-256 and size), plus manifest.sig
        (Ed25519) with --sign-key. Every other tenant is named by a stable pseudonym (tenant-1, ...), their row
        data is cut from quoted lines and tokens are masked. A tenant the incident does not concern (neither its
        caller nor an exposed tenant) is refused (exit 2), and so is an existing --out file unless --force is
        given; the open store, the signing key, the config, any PEM key and any SQLite database are never
        overwritten (exit 2). Relative source paths are looked up in the working
        directory, then beside the config file.
        """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The incident id (INC-0001).")
    var incident: String

    @Option(name: .customLong("for-tenant"), help: ArgumentHelp("The customer tenant the bundle is for.", valueName: "T"))
    var forTenant: String

    @Option(help: ArgumentHelp("The bundle to write.", valueName: "FILE.zip"))
    var out: String

    @Flag(help: "Replace an existing --out file (never the store, a key, the config or a SQLite database).")
    var force = false

    @Option(name: .customLong("sign-key"), help: ArgumentHelp("Ed25519 private key (PKCS#8 PEM) to sign manifest.json.", valueName: "K"))
    var signKey: String?

    func run() throws {
        guard !forTenant.isEmpty else { throw UsageError(message: "--for-tenant must name a tenant") }
        let configuration = try SourceOptions.configuration(at: storeOptions.config)
        var key: Curve25519.Signing.PrivateKey?
        if let signKey {
            guard let text = try? String(contentsOfFile: signKey, encoding: .utf8) else {
                throw UsageError(message: "cannot read the signing key \(signKey)")
            }
            do { key = try Ed25519PEM.privateKey(pem: text, name: signKey) } catch {
                throw UsageError(message: "\(error)")
            }
        }
        let outDir = (out as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: outDir.isEmpty ? "." : outDir) else {
            throw UsageError(message: "the directory of \(out) does not exist")
        }
        // `--store`, else the config's `[store] url`, else the default store.
        let storeLocation = try storeOptions.location(configuration: configuration)
        // Refused before the store is opened or anything is written.
        let protected = ExportTarget.protections(store: storeLocation, signingKey: signKey,
                                                 config: configuration.file)
        do { try ExportTarget(path: out, force: force, protected: protected).check() } catch {
            throw UsageError(message: error.description)
        }
        guard let store = try storeOptions.open(mustExist: true, configuration: configuration) else {
            throw StoreError.noSuchIncident(IncidentStore.normalize(incident))
        }
        let a = configuration.audit
        let secretKeys = [a.token, a.refreshToken, a.refreshTokenIssued].compactMap { $0.split(separator: ".").last.map(String.init) }
        var options = BundleWriter.Options(forTenant: forTenant, output: out, signingKey: key,
                                           extraTenants: configuration.tenancy.tenants, secretKeys: secretKeys,
                                           sourceDirectories: [configuration.baseDirectory],
                                           hostPattern: configuration.identity.host,
                                           tenantColumns: configuration.tenancy.columns)
        options.force = force
        options.auditAllowList = AuditAllowList(audit: a, claim: configuration.identity.claim,
                                                hostPattern: configuration.identity.host,
                                                extraSafeFields: configuration.bundleSafeFields)
        options.protected = protected
        do {
            let result = try BundleWriter.export(incident: incident, store: store, options: options)
            FileHandle.standardError.write(Data(("tenantwatch: wrote \(result.path) for \(forTenant): \(result.manifest.files.count) files, "
                + "bundle \(result.manifest.sequence) of this tenant, manifest sha256 \(result.manifestSHA256)"
                + (key != nil ? ", signed" : "") + "\n").utf8))
        } catch let e as BundleError {
            if case .notConcerned = e { throw UsageError(message: e.description) }
            if case .refusedTarget = e { throw UsageError(message: e.description) }
            throw ExportFailure(message: e.description)
        }
    }
}

/// An export that could not be written (disk full, permissions): exit 1, nothing left behind.
struct ExportFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
