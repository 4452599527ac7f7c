import Testing
@testable import TenantWatchCore

@Suite struct ConfigurationLoaderTests {
    @Test func readsTheContractExample() throws {
        let text = """
        [tenancy]
        columns = ["tenant_id", "org_id"]
        schema = "schema.sql"
        global_tables = ["plans"]

        [identity]
        claim = "org.id"
        host = "{tenant}.example.com"

        [[source]]
        kind = "postgres"
        path = "logs/postgresql-*.log"
        format = "stderr"
        prefix = "%m [%p] "
        timezone = "Europe/Berlin"
        """
        let c = try ConfigurationLoader.parse(text, baseDirectory: "/etc/tw")
        #expect(c.tenancy.columns == ["tenant_id", "org_id"])
        #expect(c.tenancy.schema == "/etc/tw/schema.sql")
        #expect(c.tenancy.globalTables == ["plans"])
        #expect(c.tenancy.sessionSetting == "app.current_tenant")
        #expect(c.identity.claim == "org.id")
        #expect(c.sources == [SourceSpec(kind: .postgres, path: "/etc/tw/logs/postgresql-*.log", format: .stderr,
                                         prefix: "%m [%p] ", timezone: "Europe/Berlin")])
    }

    @Test func errorsNameTheKey() {
        func key(_ text: String) -> String? {
            do { _ = try ConfigurationLoader.parse(text, baseDirectory: "/"); return nil }
            catch let e as ConfigError { return e.key }
            catch { return "other" }
        }
        #expect(key("[tenancy]\nglobal_table = [\"x\"]") == "tenancy.global_table")
        #expect(key("[tenancy]\ncolumns = \"tenant_id\"") == "tenancy.columns")
        #expect(key("[tenancy]\ncolumns = []") == "tenancy.columns")
        #expect(key("[[source]]\nkind = \"mysql\"\npath = \"x\"") == "source[1].kind")
        #expect(key("[[source]]\nkind = \"postgres\"\npath = \"x\"\nformat = \"xml\"") == "source[1].format")
        #expect(key("[[source]]\nkind = \"postgres\"\npath = \"x\"\ntimezone = \"Mars/Olympus\"") == "source[1].timezone")
        #expect(key("[identity]\nhost = \"example.com\"") == "identity.host")
        #expect(key("[bogus]\nx = 1") == "bogus")
        #expect(key("[tenancy\ncolumns = 1") == "")
    }

    @Test func errorDescriptionIsOneLine() {
        let e = ConfigError(file: "tw.toml", key: "tenancy.columns", message: "must be an array of strings")
        #expect(e.description == "tw.toml: tenancy.columns: must be an array of strings")
        #expect(!e.description.contains("\n"))
    }
}

@Suite struct IdentityAndAuditConfigTests {
    @Test func readsKeyAndAuditExtensions() throws {
        let c = try ConfigurationLoader.parse("""
        [identity]
        jwt_secret = "0123456789abcdef0123456789abcdef"
        jwt_public_key = "keys/jwt.pem"
        jwks = "/etc/keys/jwks.json"
        leeway_seconds = 30

        [audit]
        status = "http.status"
        refresh_token = "auth.refresh_token"
        refresh_token_issued = "auth.new_refresh_token"
        """, baseDirectory: "/etc/tw")
        #expect(c.identity.jwtSecret == "0123456789abcdef0123456789abcdef")
        #expect(c.identity.jwtPublicKey == "/etc/tw/keys/jwt.pem")
        #expect(c.identity.jwks == "/etc/keys/jwks.json")
        #expect(c.identity.leewaySeconds == 30)
        #expect(c.identity.verifiesTokens)
        #expect(c.audit.status == "http.status")
        #expect(c.audit.refreshTokenIssued == "auth.new_refresh_token")
    }

    @Test func defaults() throws {
        let c = try ConfigurationLoader.parse("", baseDirectory: "/")
        #expect(c.audit.status == "status")
        #expect(c.audit.refreshTokenIssued == "")
        #expect(c.identity.leewaySeconds == 0)
        #expect(!c.identity.verifiesTokens)
    }

    @Test func rejectsShortSecretAndBadLeeway() {
        #expect(throws: ConfigError.self) { try ConfigurationLoader.parse("[identity]\njwt_secret = \"short\"", baseDirectory: "/") }
        #expect(throws: ConfigError.self) { try ConfigurationLoader.parse("[identity]\nleeway_seconds = -1", baseDirectory: "/") }
        #expect(throws: ConfigError.self) { try ConfigurationLoader.parse("[identity]\nleeway_seconds = \"5\"", baseDirectory: "/") }
        do {
            _ = try ConfigurationLoader.parse("[identity]\njwt_secret = \"short\"", baseDirectory: "/")
        } catch let e as ConfigError {
            #expect(e.key == "identity.jwt_secret")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
