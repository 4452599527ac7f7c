import Foundation
import Dispatch
import JWTKit

/// The keys tokens are verified with (`identity.jwt_secret`, `jwt_public_key`, `jwks`), as
/// jwt-kit algorithms.
///
/// jwt-kit 5 keeps keys in an actor (`JWTKeyCollection`), but the algorithm it hands out for a
/// key (`getKey(for:alg:)`, a public `JWTAlgorithm`) verifies synchronously. So the actor is
/// used once, at load time, to build the algorithms; after that checking a signature is a plain
/// synchronous call on the parser's thread, with no task hop per token.
public struct JWTKeySet: Sendable {
    struct Entry: Sendable {
        /// `nil` for `jwt_secret`/`jwt_public_key`, which carry no key id.
        var keyID: String?
        var algorithm: any JWTAlgorithm
    }

    var entries: [Entry] = []

    /// No key: tokens are read, not verified.
    public static let none = JWTKeySet()

    init() {}

    public var isEmpty: Bool { entries.isEmpty }
    /// The `alg` names tokens may use (`HS256`, `ES256`, ...), in load order.
    public var algorithmNames: [String] { entries.map(\.algorithm.name) }
    /// The `kid`s of keys loaded from `identity.jwks`.
    public var keyIDs: [String] { entries.compactMap(\.keyID) }

    /// Builds the keys the `[identity]` section names. Errors name the config key.
    public static func load(_ identity: Configuration.Identity, configFile: String = "tenantwatch.toml") async throws -> JWTKeySet {
        var set = JWTKeySet()
        if let secret = identity.jwtSecret {
            let key = HMACKey(from: secret)
            // RFC 7518 3.2 (and a jwt-kit assertion): the key is at least as long as the hash,
            // so a 32-byte secret serves HS256 only, 48 bytes adds HS384, 64 bytes HS512.
            let length = secret.utf8.count
            let table: [(Int, DigestAlgorithm)] = [(32, .sha256), (48, .sha384), (64, .sha512)]
            let digests = table.filter { length >= $0.0 }.map(\.1)
            for digest in digests {
                let collection = JWTKeyCollection()
                await collection.add(hmac: key, digestAlgorithm: digest)
                set.entries.append(Entry(keyID: nil, algorithm: try await collection.getKey()))
            }
        }
        if let path = identity.jwtPublicKey {
            guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigError(file: configFile, key: "identity.jwt_public_key", message: "cannot read \(path)")
            }
            set.entries += try await algorithms(forPEM: pem, path: path, configFile: configFile)
        }
        if let path = identity.jwks {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigError(file: configFile, key: "identity.jwks", message: "cannot read \(path)")
            }
            let jwks: JWKS
            do {
                jwks = try JSONDecoder().decode(JWKS.self, from: data)
            } catch {
                throw ConfigError(file: configFile, key: "identity.jwks", message: "\(path) is not a JWKS (\(error))")
            }
            var loaded = 0
            for jwk in jwks.keys {
                // jwt-kit files JWKs by kid; a key without one cannot be chosen by a token.
                guard let kid = jwk.keyIdentifier else { continue }
                let algorithmName = jwk.algorithm?.rawValue ?? defaultAlgorithm(for: jwk)
                guard let algorithmName else { continue }
                let collection = JWTKeyCollection()
                do {
                    try await collection.add(jwk: jwk)
                    set.entries.append(Entry(keyID: kid.string, algorithm: try await collection.getKey(for: kid, alg: algorithmName)))
                    loaded += 1
                } catch {
                    throw ConfigError(file: configFile, key: "identity.jwks", message: "key \"\(kid.string)\" in \(path) is unusable (\(error))")
                }
            }
            guard loaded > 0 else {
                throw ConfigError(file: configFile, key: "identity.jwks", message: "\(path) holds no usable key (each needs a \"kid\")")
            }
        }
        return set
    }

    /// `load` for synchronous callers (the command line at startup): blocks the calling thread
    /// until the keys are built. Call it from a plain thread, not from inside a Swift task.
    public static func loadSynchronously(_ identity: Configuration.Identity, configFile: String = "tenantwatch.toml") throws -> JWTKeySet {
        guard identity.verifiesTokens else { return .none }
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.set(.success(try await load(identity, configFile: configFile))) } catch { box.set(.failure(error)) }
            done.signal()
        }
        done.wait()
        return try box.get()
    }

    private final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var result: Result<JWTKeySet, any Error> = .success(.none)
        func set(_ r: Result<JWTKeySet, any Error>) { lock.lock(); result = r; lock.unlock() }
        func get() throws -> JWTKeySet { lock.lock(); defer { lock.unlock() }; return try result.get() }
    }

    private static func defaultAlgorithm(for jwk: JWK) -> String? {
        switch jwk.keyType {
        case .rsa: return "RS256"
        case .ecdsa:
            switch jwk.curve?.rawValue {
            case "P-384": return "ES384"
            case "P-521": return "ES512"
            default: return "ES256"
            }
        case .octetKeyPair: return "EdDSA"
        default: return nil
        }
    }

    private static func algorithms(forPEM pem: String, path: String, configFile: String) async throws -> [Entry] {
        let collection = JWTKeyCollection()
        if let key = try? ES256PublicKey(pem: pem) {
            await collection.add(ecdsa: key)
            return [Entry(keyID: nil, algorithm: try await collection.getKey())]
        }
        if let key = try? ES384PublicKey(pem: pem) {
            await collection.add(ecdsa: key)
            return [Entry(keyID: nil, algorithm: try await collection.getKey())]
        }
        if let key = try? ES512PublicKey(pem: pem) {
            await collection.add(ecdsa: key)
            return [Entry(keyID: nil, algorithm: try await collection.getKey())]
        }
        let rsa: Insecure.RSA.PublicKey
        do {
            rsa = try Insecure.RSA.PublicKey(pem: pem)
        } catch {
            do {
                rsa = try Insecure.RSA.PublicKey(certificatePEM: pem)
            } catch {
                throw ConfigError(file: configFile, key: "identity.jwt_public_key",
                                  message: "\(path) is not an RSA (2048 bits or more) or EC public key in PEM")
            }
        }
        var out: [Entry] = []
        for digest in [DigestAlgorithm.sha256, .sha384, .sha512] {
            let c = JWTKeyCollection()
            await c.add(rsa: rsa, digestAlgorithm: digest)
            out.append(Entry(keyID: nil, algorithm: try await c.getKey()))
        }
        return out
    }

    /// Checks the signature of `token`. `nil` when a key of the token's `alg` (and `kid`, when it
    /// names one of ours) signed it; otherwise the reason it failed.
    public func checkSignature(of token: JWTToken) -> String? {
        guard let alg = token.algorithm else { return "no alg" }
        if alg.lowercased() == "none" { return "alg none" }
        var candidates = entries.filter { $0.algorithm.name == alg }
        guard !candidates.isEmpty else { return "alg \(alg) not accepted" }
        if let kid = token.keyID, candidates.contains(where: { $0.keyID == kid }) {
            candidates = candidates.filter { $0.keyID == kid }
        } else if token.keyID != nil, candidates.allSatisfy({ $0.keyID != nil }) {
            return "unknown kid"
        }
        for entry in candidates {
            if (try? entry.algorithm.verify(token.signature, signs: token.signingInput)) == true { return nil }
        }
        return "bad signature"
    }
}
