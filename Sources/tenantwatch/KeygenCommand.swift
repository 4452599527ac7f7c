import ArgumentParser
import Crypto
import Foundation
import TenantWatchCore

/// `tenantwatch keygen --out PREFIX`: an Ed25519 key pair for signing bundles.
struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an Ed25519 key pair for signing evidence bundles.",
        discussion: """
        Writes PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub (SPKI PEM), the formats OpenSSL reads:
        openssl pkeyutl -verify -pubin -inkey PREFIX.pub -rawin -in manifest.json -sigfile manifest.sig
        Existing files are not overwritten.
        """
    )

    @Option(help: ArgumentHelp("Path prefix of the two files.", valueName: "PREFIX"))
    var out: String

    func run() throws {
        let keyPath = out + ".key", pubPath = out + ".pub"
        for p in [keyPath, pubPath] where FileManager.default.fileExists(atPath: p) {
            throw UsageError(message: "\(p) exists; not overwriting a key")
        }
        let key = Curve25519.Signing.PrivateKey()
        let fd = open(keyPath, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw UsageError(message: "cannot create \(keyPath): \(String(cString: strerror(errno)))") }
        let pem = Array(Ed25519PEM.privatePEM(key).utf8)
        let written = pem.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == pem.count else {
            unlink(keyPath)
            throw UsageError(message: "cannot write \(keyPath)")
        }
        do {
            try Ed25519PEM.publicPEM(key.publicKey).write(toFile: pubPath, atomically: true, encoding: .utf8)
        } catch {
            unlink(keyPath)
            throw UsageError(message: "cannot write \(pubPath): \(error.localizedDescription)")
        }
        StandardOutput.write("\(keyPath)\n\(pubPath)\n")
    }
}
