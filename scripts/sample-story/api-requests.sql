-- billing-api: three HTTP requests, each tagged by the sqlcommenter middleware.
-- GET /invoices for acme
SELECT id, amount, due_date, paid FROM invoices WHERE tenant_id = 'acme' AND paid = false ORDER BY due_date LIMIT 20 /*request_id='req-0001',route='%2Finvoices',traceparent='00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'*/;
-- GET /orders/:id for globex, with its customer (the join carries the tenant)
SELECT o.id, o.total, o.status, c.name, c.email
  FROM orders o
  JOIN customers c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id
 WHERE o.tenant_id = 'globex'
   AND o.id = 52 /*request_id='req-0002',route='%2Forders%2F%3Aid',traceparent='00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'*/;
-- POST /orders for initech
BEGIN;
INSERT INTO orders (tenant_id, customer_id, total, status) VALUES ('initech', 21, 149.00, 'open') RETURNING id /*request_id='req-0003',route='%2Forders',traceparent='00-8a3c60f7d188f8fa79d48a391a778fa6-53995c3f42cd8ad8-01'*/;
COMMIT;
