-- Seed data for acme, globex, initech. Loaded with logging switched off for the session.
INSERT INTO tenants (id, name, plan) VALUES
    ('acme', 'Acme Corp', 'enterprise'),
    ('globex', 'Globex Corporation', 'standard'),
    ('initech', 'Initech', 'startup');

INSERT INTO customers (tenant_id, name, email)
SELECT t, t || ' customer ' || n, 'buyer' || n || '@' || t || '.example.com'
  FROM unnest(ARRAY['acme', 'globex', 'initech']) AS t, generate_series(1, 10) AS n;

INSERT INTO orders (tenant_id, customer_id, total, status, created_at)
SELECT c.tenant_id, c.id, (10 + (c.id * 7 + n * 13) % 490)::numeric(10,2),
       (ARRAY['open', 'paid', 'overdue'])[1 + (c.id + n) % 3],
       timestamptz '2026-11-01 00:00:00+00' + (c.id * 3 + n) * interval '5 hours'
  FROM customers c, generate_series(1, 4) AS n;

INSERT INTO invoices (tenant_id, order_id, amount, due_date, paid)
SELECT o.tenant_id, o.id, o.total, (o.created_at + interval '30 days')::date, o.status = 'paid'
  FROM orders o;

INSERT INTO projects (tenant_id, name)
SELECT t, t || ' project ' || n
  FROM unnest(ARRAY['acme', 'globex', 'initech']) AS t, generate_series(1, 3) AS n;
