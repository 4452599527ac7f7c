-- admin console: the global tenants table is shared by design.
SELECT id, name, plan FROM tenants ORDER BY id;
