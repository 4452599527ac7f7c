-- A report that covers two tenants at once, and a multi-line report with no tenant at all.
/* tw-L03 */ SELECT tenant_id, count(*), sum(total) FROM orders WHERE tenant_id IN ('acme', 'globex') GROUP BY tenant_id;

/* tw-L06 */ SELECT c.name,
       count(o.id) AS orders,
       sum(o.total) AS revenue
  FROM customers c
  LEFT JOIN orders o ON o.customer_id = c.id
 WHERE c.email LIKE '%@acme.example.com'
 GROUP BY c.name
 ORDER BY revenue DESC NULLS LAST;
