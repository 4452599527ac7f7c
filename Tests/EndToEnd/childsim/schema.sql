-- A normalised multi-tenant schema: the tenant column is only on the root tables (customers,
-- purchase_orders, users); every other table belongs to a tenant through its foreign keys, to a
-- depth of three. `shipments` declares no foreign key (the config's [tenancy] parents names it).
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app') THEN CREATE ROLE app LOGIN; END IF;
END $$;

CREATE TABLE tenants (id text PRIMARY KEY);
CREATE TABLE customers (id serial PRIMARY KEY, tenant_id text NOT NULL REFERENCES tenants(id), name text NOT NULL);
CREATE TABLE invoices (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), number text NOT NULL);
CREATE TABLE line_items (id serial PRIMARY KEY, invoice_id int NOT NULL REFERENCES invoices, sku text, qty int NOT NULL);
CREATE TABLE versions (
    invoice_id int NOT NULL REFERENCES invoices(id),
    version int NOT NULL,
    total numeric NOT NULL,
    PRIMARY KEY (invoice_id, version)
);
CREATE TABLE version_notes (
    id serial PRIMARY KEY,
    invoice_id int NOT NULL,
    version int NOT NULL,
    body text,
    FOREIGN KEY (invoice_id, version) REFERENCES versions (invoice_id, version)
);
CREATE TABLE shipments (id serial PRIMARY KEY, invoice_id int NOT NULL, carrier text);
CREATE TABLE purchase_orders (id serial PRIMARY KEY, org_id text NOT NULL REFERENCES tenants(id), title text);
CREATE TABLE messages (id serial PRIMARY KEY, po_id int NOT NULL REFERENCES purchase_orders(id), body text);
CREATE TABLE attachments (id serial PRIMARY KEY, message_id int NOT NULL REFERENCES messages(id), path text);
CREATE TABLE users (id serial PRIMARY KEY, org_id text NOT NULL REFERENCES tenants(id), email text NOT NULL);

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO app;

INSERT INTO tenants VALUES ('acme'), ('globex'), ('initech');
INSERT INTO customers (tenant_id, name)
    SELECT t, t || ' customer ' || n FROM unnest(ARRAY['acme', 'globex', 'initech']) t, generate_series(1, 3) n;
INSERT INTO invoices (customer_id, number) SELECT c.id, 'INV-' || c.id || '-' || n FROM customers c, generate_series(1, 2) n;
INSERT INTO line_items (invoice_id, sku, qty) SELECT i.id, 'SKU-' || n, n FROM invoices i, generate_series(1, 3) n;
INSERT INTO versions (invoice_id, version, total) SELECT i.id, v, 100 * v FROM invoices i, generate_series(1, 2) v;
INSERT INTO version_notes (invoice_id, version, body) SELECT invoice_id, version, 'note' FROM versions;
INSERT INTO shipments (invoice_id, carrier) SELECT id, 'dhl' FROM invoices;
INSERT INTO purchase_orders (org_id, title) SELECT t, t || ' po ' || n FROM unnest(ARRAY['acme', 'globex', 'initech']) t, generate_series(1, 2) n;
INSERT INTO messages (po_id, body) SELECT p.id, 'hello ' || n FROM purchase_orders p, generate_series(1, 2) n;
INSERT INTO attachments (message_id, path) SELECT m.id, '/files/' || m.id || '.pdf' FROM messages m;
INSERT INTO users (org_id, email) SELECT t, 'owner@' || t || '.example' FROM unnest(ARRAY['acme', 'globex', 'initech']) t;
