-- pgbench -M prepared -D tenant=T -D other=U: named prepared statements (P_0, P_1, ...).
\set oid random(1, 120)
/* tw-C04 */ SELECT o.id, i.amount, i.due_date
  FROM orders o
  JOIN invoices i ON i.order_id = o.id AND i.tenant_id = o.tenant_id
 WHERE o.tenant_id = :tenant AND o.id = :oid;
SELECT set_config('app.current_tenant', :tenant, false);
/* tw-C11 */ SELECT count(*) FROM projects;
/* tw-L04 */ SELECT id, total FROM orders WHERE tenant_id = :tenant AND status = 'open' OR status = 'overdue';
/* tw-L08 */ SELECT tenant_id, sum(amount) FROM invoices WHERE tenant_id IN (:tenant, :other) GROUP BY tenant_id;
