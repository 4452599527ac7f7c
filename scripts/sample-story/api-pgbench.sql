-- billing-api hot path through the driver (extended protocol, bind parameters).
\set oid random(1, 120)
SELECT id, name, email FROM customers WHERE tenant_id = :tenant ORDER BY name LIMIT 10;
SELECT o.id, o.total, i.due_date, i.paid
  FROM orders o
  JOIN invoices i ON i.order_id = o.id AND i.tenant_id = o.tenant_id
 WHERE o.tenant_id = :tenant AND o.id = :oid;
