-- projects-api relies on row-level security: it sets the session tenant, then reads projects.
SET app.current_tenant = 'initech';
SELECT id, name FROM projects ORDER BY id /*request_id='req-0004',route='%2Fprojects',traceparent='00-2c1f3e6a9b7d4e8f0a1b2c3d4e5f6a7b-1a2b3c4d5e6f7081-01'*/;
RESET app.current_tenant;
