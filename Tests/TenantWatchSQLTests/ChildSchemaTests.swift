import Foundation
import Testing
@testable import TenantWatchSQL
import TenantWatchTestSupport
@testable import TenantWatchCore

@Suite("Schema: tenancy through foreign keys")
struct ChildSchemaTests {
    let s = childSchema

    func chainText(_ t: String) -> String? { s.chain(TableName(name: t))?.description }

    @Test func readsEveryForeignKeyForm() {
        // ALTER TABLE ONLY ... ADD CONSTRAINT, inline REFERENCES t(col), inline REFERENCES t,
        // table-level FOREIGN KEY (multi-column), self-reference.
        let keys = Set(s.foreignKeys.map(\.description))
        #expect(keys.contains("line_items.invoice_id -> invoices.id"))
        #expect(keys.contains("invoice_versions.invoice_id -> invoices.id"))
        #expect(keys.contains("payments.invoice_id -> invoices (primary key)"), "resolved once the dump is read")
        #expect(keys.contains("version_notes(invoice_id, version) -> invoice_versions(invoice_id, version)"))
        #expect(keys.contains("employees.manager_id -> employees.id"))
        #expect(s.foreignKeys(from: TableName(name: "payments")).map(\.description) == ["payments.invoice_id -> invoices.id"])
        #expect(s.primaryKeys[TableName(name: "invoice_versions")] == ["invoice_id", "version"])
        #expect(s.primaryKeys[TableName(name: "payments")] == ["id"])
    }

    @Test func chainsToAnyDepthTakeTheShortestPath() {
        #expect(chainText("invoices") == "invoices.customer_id -> customers.id; customers.tenant_id")
        #expect(chainText("line_items") == "line_items.invoice_id -> invoices.id; invoices.customer_id -> customers.id; customers.tenant_id")
        #expect(s.chain(TableName(name: "version_notes"))?.depth == 3)
        #expect(s.chain(TableName(name: "attachments"))?.root == TableName(name: "purchase_orders"))
        #expect(s.chain(TableName(name: "employees"))?.depth == 1, "the self-reference is not a way to a tenant")
    }

    @Test func cyclesEndAndOnlyReachTenantsThroughAWayOut() {
        #expect(chainText("cyc_b") == "cyc_b.customer_id -> customers.id; customers.tenant_id")
        #expect(s.chain(TableName(name: "cyc_a"))?.depth == 2)
        #expect(s.chain(TableName(name: "loop_x")) == nil)
        #expect(s.isTenantOwned(TableName(name: "loop_x")) == false)
        #expect(s.isTenantOwned(TableName(name: "countries")) == false)
    }

    @Test func rootsAndChildrenAreBothTenantOwned() {
        #expect(s.isTenantOwned(TableName(name: "customers")) == true)
        #expect(s.isRootOwned(TableName(name: "customers")))
        #expect(s.isTenantOwned(TableName(name: "line_items")) == true)
        #expect(!s.isRootOwned(TableName(name: "line_items")))
        #expect(s.chain(TableName(name: "customers")) == nil, "a root has no chain")
    }

    @Test func configuredParentsMakeChildrenToo() {
        #expect(chainText("order_lines") == "order_lines.order_id -> orders.id; orders.tenant_id")
        #expect(s.chain(TableName(name: "order_lines"))?.links.first?.origin == .config)
        // A table the dump does not define at all.
        var t = TenancySchema(pgDump: childDump, tenantColumns: ["tenant_id", "org_id"])
        t.addParents([try! ForeignKey.configured(child: "audit.comments", "message_id -> messages.id").get()])
        #expect(t.chain(TableName(schema: "audit", name: "comments"))?.depth == 2)
        #expect(t.isTenantOwned(TableName(schema: "audit", name: "comments")) == true)
    }

    /// Without a dump, `[tenancy] parents` and `tables` alone: bare key columns of the one table
    /// in FROM still count.
    @Test func configuredParentsWithoutADump() {
        var t = TenancySchema(tables: ["invoices"])
        t.addParents([try! ForeignKey.configured(child: "line_items", "invoice_id -> invoices.id").get()])
        let a = TenantPredicateAnalyzer(schema: t)
        #expect(a.analyze("SELECT * FROM line_items WHERE invoice_id = $1").verdict == .unconfinedChild)
        #expect(a.analyze("UPDATE line_items SET qty = 1 WHERE id = $1").verdict == .unconfinedChild)
        #expect(a.analyze("SELECT * FROM line_items").verdict == .unscoped)
        #expect(a.analyze("SELECT li.* FROM line_items li JOIN invoices i ON i.id = li.invoice_id WHERE i.tenant_id = $1").verdict == .scoped)
        #expect(a.analyze("SELECT * FROM line_items WHERE invoice_id IN (SELECT id FROM invoices WHERE tenant_id = 3)").verdict == .scoped)
    }

    @Test func globalTablesNeverGetAChain() {
        var t = TenancySchema(pgDump: childDump, tenantColumns: ["tenant_id", "org_id"], globalTables: ["messages"])
        t.addParents([])
        #expect(t.chain(TableName(name: "messages")) == nil)
        #expect(t.chain(TableName(name: "attachments")) == nil, "the only way up is through a global table")
    }

    @Test func configuredParentSyntax() throws {
        let one = try ForeignKey.configured(child: "line_items", "invoice_id -> invoices.id").get()
        #expect(one.description == "line_items.invoice_id -> invoices.id")
        let qualified = try ForeignKey.configured(child: "x", " inv_id ->billing.invoices.id ").get()
        #expect(qualified.parent == TableName(schema: "billing", name: "invoices"))
        let multi = try ForeignKey.configured(child: "notes", "a_id, b_id -> parents(a, b)").get()
        #expect(multi.columns == ["a_id", "b_id"] && multi.parentColumns == ["a", "b"])
        for bad in ["invoice_id", "invoice_id -> invoices", "a, b -> p(x)", " -> p.id", "a -> b -> c.d"] {
            if case .success(let fk) = ForeignKey.configured(child: "c", bad) { Issue.record("accepted \(bad): \(fk)") }
        }
    }

    @Test func configReadsParentsAndCaller() throws {
        let c = try ConfigurationLoader.parse("""
            [tenancy]
            columns = ["org_id"]
            caller_table = "users"
            parents = { line_items = "invoice_id -> invoices.id", notes = ["a -> p.id", "b -> q.id"] }
            """, baseDirectory: "/")
        #expect(c.tenancy.parents.map(\.description).sorted() == ["line_items.invoice_id -> invoices.id", "notes.a -> p.id", "notes.b -> q.id"])
        #expect(c.tenancy.callerTable == "users")
        #expect(c.tenancy.callerKey == nil)
    }

    @Test func badParentsAndCallerNameTheKey() {
        let cases: [(String, String)] = [
            ("[tenancy]\nparents = \"x\"", "tenancy.parents"),
            ("[tenancy]\nparents = { li = \"invoice_id\" }", "tenancy.parents.li"),
            ("[tenancy]\nparents = { li = 3 }", "tenancy.parents.li"),
            ("[tenancy]\ncaller_key = \"id\"", "tenancy.caller_table"),
            ("[tenancy]\ncaller_table = \" \"", "tenancy.caller_table"),
        ]
        for (text, key) in cases {
            do {
                _ = try ConfigurationLoader.parse(text, baseDirectory: "/")
                Issue.record("accepted \(text)")
            } catch let e as ConfigError {
                #expect(e.key == key, "\(text): \(e)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func modelAppliesParentsAndCallerFromConfig() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-child-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try childDump.write(to: dir.appendingPathComponent("schema.sql"), atomically: true, encoding: .utf8)
        var config = try ConfigurationLoader.parse("""
            [tenancy]
            columns = ["tenant_id", "org_id"]
            schema = "schema.sql"
            caller_table = "users"
            parents = { order_lines = "order_id -> orders.id" }
            """, baseDirectory: dir.path)
        config.file = dir.appendingPathComponent("tenantwatch.toml").path
        let model = try TenancyModel(configuration: config)
        #expect(model.schema.caller == CallerRow(table: TableName(name: "users"), key: "id", tenantColumn: "org_id"))
        #expect(model.analyzer.analyze("SELECT * FROM order_lines WHERE id = $1").verdict == .unconfinedChild)
        #expect(model.analyzer.analyze("SELECT * FROM users WHERE id = $1").verdict == .scoped)
    }

    /// The caller's tenant is no tenant name: it never resolves to one, so it cannot make a
    /// statement look cross-tenant, and it is listed as unresolved.
    @Test func callerValueNeverResolvesToATenant() {
        let a = TenantPredicateAnalyzer(schema: callerSchema).analyze("SELECT * FROM users WHERE id = $1")
        let r = TenantResolver.resolve(a, parameters: ["42"], sessionTenant: "acme")
        #expect(r.tenants.isEmpty)
        #expect(r.unresolved == [.caller("users.id = $1")])
    }
}
