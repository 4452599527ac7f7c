import Crypto
import Foundation

/// Ed25519 keys as PEM, the way OpenSSL writes and reads them: PKCS#8 for the private key,
/// SubjectPublicKeyInfo for the public key. For Ed25519 both DER encodings are a fixed prefix
/// (RFC 8410) followed by the raw 32-byte key, so only the framing is done here; the key
/// operations are swift-crypto's `Curve25519.Signing`.
public enum Ed25519PEM {
    static let privatePrefix: [UInt8] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
                                         0x04, 0x22, 0x04, 0x20]
    static let publicPrefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]

    public enum KeyError: Error, CustomStringConvertible, Equatable {
        case notPEM(String)
        case notEd25519(String)
        public var description: String {
            switch self {
            case .notPEM(let what): return "\(what) is not a PEM file"
            case .notEd25519(let what): return "\(what) is not an Ed25519 key (PKCS#8 private or SPKI public, as `openssl genpkey -algorithm ed25519` writes)"
            }
        }
    }

    public static func privatePEM(_ key: Curve25519.Signing.PrivateKey) -> String {
        pem(label: "PRIVATE KEY", der: privatePrefix + Array(key.rawRepresentation))
    }

    public static func publicPEM(_ key: Curve25519.Signing.PublicKey) -> String {
        pem(label: "PUBLIC KEY", der: publicPrefix + Array(key.rawRepresentation))
    }

    public static func privateKey(pem text: String, name: String = "the key") throws -> Curve25519.Signing.PrivateKey {
        let der = try decode(text, label: "PRIVATE KEY", name: name)
        guard der.count == privatePrefix.count + 32, Array(der.prefix(privatePrefix.count)) == privatePrefix,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32)) else {
            throw KeyError.notEd25519(name)
        }
        return key
    }

    public static func publicKey(pem text: String, name: String = "the key") throws -> Curve25519.Signing.PublicKey {
        let der = try decode(text, label: "PUBLIC KEY", name: name)
        guard der.count == publicPrefix.count + 32, Array(der.prefix(publicPrefix.count)) == publicPrefix,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: der.suffix(32)) else {
            throw KeyError.notEd25519(name)
        }
        return key
    }

    static func pem(label: String, der: [UInt8]) -> String {
        let b64 = Data(der).base64EncodedString()
        var lines: [String] = []
        var rest = Substring(b64)
        while !rest.isEmpty { lines.append(String(rest.prefix(64))); rest = rest.dropFirst(64) }
        return "-----BEGIN \(label)-----\n" + lines.joined(separator: "\n") + "\n-----END \(label)-----\n"
    }

    static func decode(_ text: String, label: String, name: String) throws -> [UInt8] {
        let begin = "-----BEGIN \(label)-----", end = "-----END \(label)-----"
        guard let b = text.range(of: begin), let e = text.range(of: end, range: b.upperBound..<text.endIndex) else {
            if text.contains("-----BEGIN ") { throw KeyError.notEd25519(name) }
            throw KeyError.notPEM(name)
        }
        let body = text[b.upperBound..<e.lowerBound].filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: String(body)) else { throw KeyError.notPEM(name) }
        return Array(data)
    }
}
