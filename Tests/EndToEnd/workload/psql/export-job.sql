-- The nightly export job forgets the tenant predicate: every tenant's invoices leave.
/* tw-L01 */ SELECT * FROM invoices ORDER BY id /*job='nightly-export',traceparent='00-5e0c1b6f2d7a4a1e9c3b8d6f4a2e1c07-a1b2c3d4e5f60718-01'*/;
