-- pgbench -M extended -D tenant=T: unnamed statements, variables become bind parameters.
-- (No colons inside comments: pgbench would take them for variables.)
\set oid random(1, 120)
\set inv random(1, 120)
/* tw-C02 */ SELECT id, amount FROM invoices WHERE tenant_id = :tenant AND paid = false;
/* tw-C09 */ UPDATE orders SET status = 'paid' WHERE tenant_id = :tenant AND id = :oid;
/* tw-L02 */ SELECT o.id, o.total, c.name, c.email
  FROM orders o
  JOIN customers c ON c.id = o.customer_id
 WHERE o.tenant_id = :tenant;
/* tw-L05 */ UPDATE invoices SET paid = true WHERE id = :inv;
/* tw-L07 */ SELECT id, name FROM customers WHERE tenant_id = :tenant OR true;
