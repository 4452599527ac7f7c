-- report-worker: acme's monthly revenue report. A copy-paste bug left globex in the list, so the
-- report acme receives sums globex's orders too.
SELECT date_trunc('month', created_at) AS month,
       count(*) AS orders,
       sum(total) AS revenue
  FROM orders
 WHERE tenant_id IN ('acme', 'globex')
   AND status <> 'open'
 GROUP BY 1
 ORDER BY 1 /*job='monthly-revenue',tenant='acme'*/;
