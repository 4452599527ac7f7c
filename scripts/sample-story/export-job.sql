-- export-job: the nightly invoice export for acme forgot its tenant predicate and ships every
-- tenant's invoices into acme's export file. (A division by zero in its summary fails.)
SELECT * FROM invoices ORDER BY id /*job='nightly-export',tenant='acme',traceparent='00-5e0c1b6f2d7a4a1e9c3b8d6f4a2e1c07-a1b2c3d4e5f60718-01'*/;
SELECT sum(amount) / count(*) FILTER (WHERE paid AND due_date < date '2026-01-01') AS avg_paid_last_year FROM invoices WHERE tenant_id = 'acme';
