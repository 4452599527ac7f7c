-- billing-api: the RLS-protected table read with the session tenant set (control), and the
-- global tenants table (control).
SET app.current_tenant = 'globex';
/* tw-C05 */ SELECT id, name FROM projects ORDER BY id;
RESET app.current_tenant;

/* tw-C06 */ SELECT id, name, plan FROM tenants ORDER BY id;
