-- Statements that fail: a scoped division by zero and a missing table. Run with ON_ERROR_STOP=0.
/* tw-C07 */ SELECT sum(amount) / 0 AS ratio FROM invoices WHERE tenant_id = 'initech';
/* tw-C08 */ SELECT * FROM invoice_archive WHERE tenant_id = 'initech';
