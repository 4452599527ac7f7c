-- billing-api serving tenant acme: simple protocol, every statement confined to acme.
/* tw-C01 */ SELECT id, name, email FROM customers WHERE tenant_id = 'acme' ORDER BY id LIMIT 5;

/* tw-C03 */ SELECT o.id, o.total, c.name
  FROM orders o
  JOIN customers c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id
 WHERE o.tenant_id = 'acme'
   AND o.status = 'open'
 ORDER BY o.created_at DESC
 LIMIT 10;

/* tw-C12 */ SELECT id, amount, due_date FROM invoices WHERE tenant_id = 'acme' AND paid = false /*request_id='req-0001',route='%2Finvoices',traceparent='00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'*/;

/* tw-C10 */ INSERT INTO orders (tenant_id, customer_id, total, status) VALUES ('acme', 1, 99.50, 'open') /*request_id='req-0002',route='%2Forders',traceparent='00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'*/;
