-- Multi-tenant SaaS schema used by the end-to-end tests and by scripts/make-sample-logs.sh.
-- tenants is global (no tenant column); customers/orders/invoices carry tenant_id;
-- projects carries tenant_id AND is protected by row-level security on app.current_tenant.
CREATE ROLE app LOGIN;

CREATE TABLE tenants (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    plan       text NOT NULL DEFAULT 'standard'
);

CREATE TABLE customers (
    id         serial PRIMARY KEY,
    tenant_id  text NOT NULL REFERENCES tenants(id),
    name       text NOT NULL,
    email      text
);

CREATE TABLE orders (
    id          serial PRIMARY KEY,
    tenant_id   text NOT NULL REFERENCES tenants(id),
    customer_id int NOT NULL REFERENCES customers(id),
    total       numeric(10,2) NOT NULL,
    status      text NOT NULL DEFAULT 'open',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_tenant_idx ON orders (tenant_id, status);

CREATE TABLE invoices (
    id         serial PRIMARY KEY,
    tenant_id  text NOT NULL REFERENCES tenants(id),
    order_id   int NOT NULL REFERENCES orders(id),
    amount     numeric(10,2) NOT NULL,
    due_date   date NOT NULL,
    paid       boolean NOT NULL DEFAULT false
);
CREATE INDEX invoices_tenant_idx ON invoices (tenant_id);

CREATE TABLE projects (
    id         serial PRIMARY KEY,
    tenant_id  text NOT NULL DEFAULT current_setting('app.current_tenant', true),
    name       text NOT NULL
);
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON projects
    USING (tenant_id = current_setting('app.current_tenant', true))
    WITH CHECK (tenant_id = current_setting('app.current_tenant', true));

GRANT SELECT ON tenants TO app;
GRANT SELECT, INSERT, UPDATE, DELETE ON customers, orders, invoices, projects TO app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO app;
