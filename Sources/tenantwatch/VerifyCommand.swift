import ArgumentParser
import Crypto
import Foundation
import TenantWatchCore

/// `tenantwatch verify FILE.zip [--public-key K]`: exit 0 intact, 1 with the first mismatch named
/// (or, with a key, when the bundle is not signed: "NOT SIGNED", which is not "TAMPERED").
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check an evidence bundle against its manifest (and signature).",
        discussion: """
        Recomputes every file's SHA-256 and size from the zip and compares them with manifest.json; a file
        missing from the zip or not in the manifest is a mismatch too. With --public-key, manifest.sig must be
        a valid Ed25519 signature over manifest.json. Nothing in the zip is trusted: every entry must be a plain
        file with a canonical name listed in the manifest (no links, no "..", no absolute or backslash names, no
        duplicates, no directory-mode files), and nothing is inflated past the size the manifest gives it.
        A bundle without manifest.sig is reported "not signed" (exit 0 without --public-key, exit 1 with one).
        Exit 0 intact, 1 tampered or (with a key) not signed, 2 on usage errors.
        """
    )

    @Argument(help: ArgumentHelp("The bundle.", valueName: "FILE.zip"))
    var file: String

    @Option(name: .customLong("public-key"), help: ArgumentHelp("Ed25519 public key (SPKI PEM).", valueName: "K"))
    var publicKey: String?

    func run() throws {
        guard FileManager.default.fileExists(atPath: file) else { throw UsageError(message: "no such file: \(file)") }
        var key: Curve25519.Signing.PublicKey?
        if let publicKey {
            guard let text = try? String(contentsOfFile: publicKey, encoding: .utf8) else {
                throw UsageError(message: "cannot read the public key \(publicKey)")
            }
            do { key = try Ed25519PEM.publicKey(pem: text, name: publicKey) } catch {
                throw UsageError(message: "\(error)")
            }
        }
        do {
            let report = try BundleVerifier.verify(zip: file, publicKey: key)
            var line = "\(file): intact, \(report.files) files match manifest.json"
            if report.signatureChecked { line += ", signature valid" }
            else if report.signaturePresent { line += " (manifest.sig present, not checked: no --public-key)" }
            else { line = "\(file): not signed: \(report.files) files match manifest.json, but no signature vouches for who wrote it" }
            StandardOutput.write(line + "\n")
        } catch BundleVerifier.Mismatch.missingSignature {
            StandardOutput.write("\(file): NOT SIGNED: there is no manifest.sig to check with \(publicKey ?? "the public key"); its files match manifest.json, but nothing shows who wrote it\n")
            StandardOutput.flush()
            throw ExitCode(1)
        } catch let m as BundleVerifier.Mismatch {
            // A tampered zip names its own entries: a name may carry escapes, shown escaped.
            StandardOutput.write("\(file): TAMPERED: \(TextSanitizer.oneLine(m.description))\n")
            StandardOutput.flush()
            throw ExitCode(1)
        }
    }
}
