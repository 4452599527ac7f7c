import Testing
@testable import TenantWatchSQL
import TenantWatchTestSupport

@Suite("SQL tenancy schema")
struct SQLSchemaTests {
    let s = sampleSchema

    @Test func tablesAndColumnsFromDump() {
        #expect(s.skippedStatements.isEmpty)
        #expect(s.info(TableName(name: "orders"))?.columns == ["id", "tenant_id", "customer_id", "status", "total", "created_at"])
        #expect(s.info(TableName(schema: "billing", name: "orders"))?.columns == ["id", "amount"])
        #expect(s.info(TableName(name: "Orders")) != nil)
        #expect(s.info(TableName(name: "orders_id_seq")) == nil)
        #expect(s.info(TableName(name: "order_totals")) == nil, "views are out of scope")
    }

    @Test func tenantOwnership() {
        #expect(s.isTenantOwned(TableName(name: "orders")) == true)
        #expect(s.isTenantOwned(TableName(schema: "public", name: "orders")) == true)
        #expect(s.isTenantOwned(TableName(schema: "billing", name: "orders")) == false)
        #expect(s.isTenantOwned(TableName(schema: "billing", name: "ledger")) == true)
        #expect(s.isTenantOwned(TableName(name: "plans")) == false)
        #expect(s.isTenantOwned(TableName(name: "feature_flags")) == false, "configured global")
        #expect(s.isGlobal(TableName(name: "feature_flags")))
        #expect(s.isTenantOwned(TableName(name: "unknown_table")) == nil)
    }

    @Test func rowLevelSecurity() {
        #expect(s.isRLSProtected(TableName(name: "documents")))
        #expect(s.info(TableName(name: "documents"))?.policyCount == 1)
        #expect(s.info(TableName(name: "notes"))?.rowSecurityEnabled == true)
        #expect(!s.isRLSProtected(TableName(name: "notes")), "enabled without a policy")
        #expect(!s.isRLSProtected(TableName(name: "orders")))
    }

    @Test func partitionOfInheritsColumns() {
        let dump = """
        CREATE TABLE public.events (id bigint, tenant_id integer, at timestamptz) PARTITION BY RANGE (at);
        CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        ALTER TABLE public.events_2025 ADD COLUMN extra text;
        """
        let schema = TenancySchema(pgDump: dump)
        #expect(schema.info(TableName(name: "events_2025"))?.columns == ["id", "tenant_id", "at", "extra"])
        #expect(schema.isTenantOwned(TableName(name: "events_2025")) == true)
    }

    @Test func badStatementIsSkippedNotFatal() {
        let dump = """
        CREATE TABLE public.a (tenant_id int);
        CREATE TABLE public.b (id int,, broken);
        CREATE TABLE public.c (id int);
        ALTER TABLE ONLY public.c ENABLE ROW LEVEL SECURITY;
        CREATE POLICY p ON public.c USING (true);
        """
        let schema = TenancySchema(pgDump: dump)
        #expect(schema.skippedStatements.count == 1)
        #expect(schema.isTenantOwned(TableName(name: "a")) == true)
        #expect(schema.isRLSProtected(TableName(name: "c")))
    }

    @Test func configNamesAndColumnsAreFolded() {
        let schema = TenancySchema(tenantColumns: ["Org_ID", "\"AccountId\""], tables: ["Billing.Invoices", "\"Mixed\""],
                                   globalTables: ["public.Plans"], sessionSetting: "App.Tenant")
        #expect(schema.tenantColumns == ["org_id", "AccountId"])
        #expect(schema.configuredTenantTables == [TableName(schema: "billing", name: "invoices"), TableName(name: "Mixed")])
        #expect(schema.globalTables == [TableName(name: "plans")])
        #expect(schema.sessionSetting == "app.tenant")
        #expect(schema.hasDump == false)
    }

    @Test func configuredTenantColumnsDriveTheAnalyzer() {
        let schema = TenancySchema(pgDump: "CREATE TABLE public.projects (id int, org_id int);", tenantColumns: ["org_id"])
        let a = TenantPredicateAnalyzer(schema: schema)
        #expect(a.analyze("SELECT * FROM projects").verdict == .unscoped)
        #expect(a.analyze("SELECT * FROM projects WHERE org_id = 9").verdict == .scoped)
        #expect(a.analyze("SELECT * FROM projects WHERE tenant_id = 9").verdict == .unscoped)
    }

    @Test func configuredTableNotInDumpIsTenantOwned() {
        let schema = TenancySchema(pgDump: sampleDump, tables: ["legacy_accounts"])
        let a = TenantPredicateAnalyzer(schema: schema)
        #expect(a.analyze("SELECT * FROM legacy_accounts").verdict == .unscoped)
        #expect(a.analyze("SELECT * FROM legacy_accounts WHERE tenant_id = $1").verdict == .scoped)
    }

    @Test func tableNameDescriptions() {
        #expect(TableName(name: "orders").description == "orders")
        #expect(TableName(schema: "billing", name: "orders").description == "billing.orders")
        #expect(TableName(configName: "billing.\"Odd.Name\"") == TableName(schema: "billing", name: "Odd.Name"))
    }
}
