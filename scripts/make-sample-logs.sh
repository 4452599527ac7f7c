#!/usr/bin/env bash
# Regenerates sample-logs/ from a real, throwaway PostgreSQL 15 server (see `make sample-logs`):
# a small SaaS story in stderr (with a non-default prefix), csvlog and jsonlog, the pg_dump schema,
# the API's audit log (Tests/EndToEnd/apisim/apisim.py --scenario sample: psycopg2, JWTs, a pooled
# connection), a Redis MONITOR capture from a real redis-server, a tenantwatch.toml and a README
# telling what happened.
set -euo pipefail
export SWIFT_BACKTRACE=interactive=no
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
story="$root/scripts/sample-story"
out="$root/sample-logs"
source "$root/Tests/EndToEnd/lib/pg.sh"
source "$root/Tests/EndToEnd/workload/run.sh"
# The API signs its tokens with this key (HS256, >= 32 bytes); tenantwatch.toml verifies with it.
SAMPLE_JWT_SECRET="sample-logs-hs256-key-not-for-production-0001"
for tool in redis-server redis-cli; do
    command -v "$tool" >/dev/null || { echo "make-sample-logs: $tool not found (scripts/deps.sh test)" >&2; exit 1; }
done
/usr/bin/python3 -c 'import psycopg2' 2>/dev/null \
    || { echo "make-sample-logs: /usr/bin/python3 cannot import psycopg2 (scripts/deps.sh test)" >&2; exit 1; }

pg_start ""
workload_setup saas
tmp_schema="$PG_DIR/schema.sql"
workload_dump_schema saas "$tmp_schema"

declare -A when=()
mark() { when[$1]="$(date -u '+%Y-%m-%d %H:%M:%S')"; }
psql_as() {  # psql_as APP FILE [psql args]
    local app="$1" file="$2"
    shift 2
    PGAPPNAME="$app" pg_psql -U app -d saas "$@" -f "$file" >/dev/null
}
pgbench_as() {  # pgbench_as APP TENANT TRANSACTIONS
    local o
    if ! o="$(PGAPPNAME="$1" pg_pgbench -n -U app -M extended -c 1 -t "$3" -D tenant="$2" \
              -f "$story/api-pgbench.sql" saas 2>&1)" || grep -q 'aborted\|error' <<<"$o"; then
        echo "$o" >&2
        echo "make-sample-logs: pgbench for $2 failed" >&2
        exit 1
    fi
}

mark api;      psql_as billing-api "$story/api-requests.sql"
               for t in acme globex initech; do pgbench_as billing-api "$t" 3; done
sleep 1
mark projects; psql_as projects-api "$story/projects-api.sql"
mark admin;    psql_as admin-console "$story/admin.sql"
sleep 1
mark report;   psql_as report-worker "$story/report-worker.sql"
sleep 1
mark export;   psql_as export-job "$story/export-job.sql" -v ON_ERROR_STOP=0 2>/dev/null
sleep 1
# The billing API itself: requests with real tokens on one pooled connection, an audit line each.
tmp_audit="$PG_DIR/audit.log"
api_times="$PG_DIR/api-times.json"
mark apisim;   /usr/bin/python3 "$root/Tests/EndToEnd/apisim/apisim.py" --scenario sample --dbname saas \
                   --user app --secret "$SAMPLE_JWT_SECRET" --audit "$tmp_audit" --expected "$api_times"
pg_stop

# The cache: a real redis-server watched by redis-cli MONITOR, the two tenants' API processes.
redis_dir="$PG_DIR/redis"
mkdir -p "$redis_dir"
REDIS_PID=""
MONITOR_PID=""
stop_redis() {
    if [ -n "$MONITOR_PID" ]; then kill "$MONITOR_PID" 2>/dev/null || true; wait "$MONITOR_PID" 2>/dev/null || true; MONITOR_PID=""; fi
    if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; REDIS_PID=""; fi
}
trap 'stop_redis; _pg_cleanup' EXIT
REDIS_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize no \
    --dir "$redis_dir" --logfile "$redis_dir/redis.log" &
REDIS_PID=$!
rcli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
wait_for() {  # wait_for DESCRIPTION COMMAND...: up to 10 s
    local what="$1"; shift
    for _ in $(seq 1 100); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    echo "make-sample-logs: timed out waiting for $what" >&2
    exit 1
}
wait_for "redis-server on port $REDIS_PORT" rcli ping
rcli MONITOR >"$redis_dir/monitor.txt" 2>"$redis_dir/monitor.err" &
MONITOR_PID=$!
wait_for "MONITOR to start" grep -qx OK "$redis_dir/monitor.txt"
# Each cache connection names the API request it serves (CLIENT SETNAME request_id=...), and the
# API writes an audit line for the request afterwards, with a token signed by the sample key.
cache_audit() {  # cache_audit REQUEST_ID TENANT RESPONSE_TENANTS_JSON
    /usr/bin/python3 - "$1" "$2" "$3" "$SAMPLE_JWT_SECRET" >>"$tmp_audit" <<'PY'
import base64, datetime, hashlib, hmac, json, sys, time
rid, tenant, response, secret = sys.argv[1:5]
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
now = int(time.time())
head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
body = b64(json.dumps({"sub": f"user-{tenant}-cache", "tenant_id": tenant, "sid": f"sid-cache-{tenant}",
                       "iat": now, "exp": now + 3600}, separators=(",", ":")).encode())
sig = b64(hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest())
ts = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
print(json.dumps({"ts": ts, "request_id": rid, "method": "GET", "route": "/projects/:id",
                  "headers": {"authorization": f"Bearer {head}.{body}.{sig}"}, "host": f"{tenant}.example.com",
                  "status": 200, "response": {"tenant_ids": json.loads(response)}}, separators=(",", ":")))
PY
}
mark redis_acme
rcli >/dev/null <<'ACME'
CLIENT SETNAME request_id=req-0110
SET acme:project:1041 '{"tenant":"acme","name":"Apollo","budget":120000}'
GET acme:project:1041
HSET tenant:acme:invoice:7 total 1200 currency EUR
SET plans:pro '{"price":49,"seats":10}'
SET project:1041 '{"tenant":"acme","name":"Apollo","budget":120000}' EX 3600
ACME
cache_audit req-0110 acme '["acme"]'
sleep 1
mark redis_globex
rcli >/dev/null <<'GLOBEX'
CLIENT SETNAME request_id=req-0111
SET globex:project:1041 '{"tenant":"globex","name":"Zeus"}'
HGETALL tenant:globex:invoice:7
GET plans:pro
GET project:1041
GLOBEX
# The handler returns what the cache gave it; the API does not know it was acme's project.
cache_audit req-0111 globex '["globex"]'
rcli ECHO end-of-scenario >/dev/null
wait_for "MONITOR to catch up" grep -q '"ECHO" "end-of-scenario"' "$redis_dir/monitor.txt"
rcli SHUTDOWN NOSAVE >/dev/null 2>&1 || true
stop_redis
# Only the commands: not MONITOR's OK, not the sentinel.
grep '^[0-9]' "$redis_dir/monitor.txt" | grep -v '"ECHO" "end-of-scenario"' >"$redis_dir/redis-monitor.txt"

mkdir -p "$out"
chmod 644 "$PG_LOG_STDERR" "$PG_LOG_CSV" "$PG_LOG_JSON" "$tmp_schema"
# The socket lives in a random temp dir: name it as a packaged server would.
for f in "$PG_LOG_STDERR" "$PG_LOG_CSV" "$PG_LOG_JSON"; do
    sed -i "s|$PGHOST|/var/run/postgresql|g" "$f"
done
cp "$PG_LOG_STDERR" "$out/postgresql.log"
cp "$PG_LOG_CSV" "$out/postgresql.csv"
cp "$PG_LOG_JSON" "$out/postgresql.json"
cp "$tmp_schema" "$out/schema.sql"
cp "$tmp_audit" "$out/audit.log"
cp "$redis_dir/redis-monitor.txt" "$out/redis-monitor.txt"
chmod 644 "$out/audit.log" "$out/redis-monitor.txt"

cat >"$out/tenantwatch.toml" <<TOML
# tenantwatch configuration for the sample logs (paths are relative to this file).
# Try: tenantwatch scan --config sample-logs/tenantwatch.toml --format table

[tenancy]
columns = ["tenant_id"]
schema = "schema.sql"                    # pg_dump --schema-only of the sample database
global_tables = ["tenants"]
session_setting = "app.current_tenant"   # projects is protected by RLS on this setting
tenants = ["acme", "globex", "initech"]

[identity]
claim = "tenant_id"                      # the tenant inside the API's JWTs
host = "{tenant}.example.com"            # acme.example.com serves acme
jwt_secret = "$SAMPLE_JWT_SECRET"   # the sample API's HS256 key (a demo value)

[audit]                                  # the API's audit log (audit.log): the default paths, plus
refresh_token = "refresh.presented"      # refresh-token rotation (none in this sample)
refresh_token_issued = "refresh.issued"

[cache]
allowed = ["plans:*"]                    # the price list is the same for every tenant

[[source]]
kind = "postgres"
path = "postgresql.log"
format = "stderr"
prefix = "$PG_LOG_LINE_PREFIX"
timezone = "UTC"

# The same events as csvlog and jsonlog; use one of these instead of the stderr source above
# (not together with it, or every statement is read twice).
# [[source]]
# kind = "postgres"
# path = "postgresql.csv"
# format = "csvlog"
#
# [[source]]
# kind = "postgres"
# path = "postgresql.json"
# format = "jsonlog"

[[source]]
kind = "audit"
path = "audit.log"

[[source]]
kind = "redis"
path = "redis-monitor.txt"
TOML

# Each API request's time, from its audit line.
declare -A at=()
while read -r rid ts; do at[$rid]="$ts"; done < <(python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    print(o["request_id"], o["ts"].replace("T", " ")[:23])
' "$out/audit.log")
for rid in req-0101 req-0102 req-0103 req-0104 req-0105 req-0106 req-0107 req-0108 req-0109 req-0110 req-0111; do
    [ -n "${at[$rid]:-}" ] || { echo "make-sample-logs: no audit line for $rid" >&2; exit 1; }
done

lines="$(wc -l <"$out/postgresql.log")"
audit_lines="$(wc -l <"$out/audit.log")"
redis_lines="$(wc -l <"$out/redis-monitor.txt")"
cat >"$out/README.md" <<MD
# Sample logs: a day at a small multi-tenant SaaS

Generated by \`scripts/make-sample-logs.sh\` (\`make sample-logs\`) from a real PostgreSQL 15 server:
a throwaway cluster, clients \`psql\` (simple protocol), \`pgbench\` (extended protocol, bind
parameters) and the billing API simulator \`Tests/EndToEnd/apisim/apisim.py\` (psycopg2, one pooled
connection), all as the role \`app\` on database \`saas\`; and from a real \`redis-server\` watched by
\`redis-cli MONITOR\`. Times are UTC.

| file | what |
| --- | --- |
| \`postgresql.log\` | stderr log ($lines lines), \`log_line_prefix = '$PG_LOG_LINE_PREFIX'\`, \`log_statement = all\`, connections and disconnections |
| \`postgresql.csv\`, \`postgresql.json\` | the same events as csvlog and jsonlog |
| \`audit.log\` | the billing API's audit log ($audit_lines lines, one JSON object per request, written after its statements): \`ts\`, \`request_id\`, \`traceparent\`, \`headers.authorization\` (\`Bearer\` + an HS256 JWT with \`tenant_id\`, \`sid\`, \`exp\`), \`host\`, \`route\`, \`status\`, \`response.tenant_ids\` (the tenants of the rows it returned) |
| \`redis-monitor.txt\` | \`redis-cli MONITOR\` output of the API's cache ($redis_lines commands) |
| \`schema.sql\` | \`pg_dump --schema-only\` of the database |
| \`tenantwatch.toml\` | the config to scan them all: \`cd sample-logs && tenantwatch scan --format table\` |

The schema: \`tenants\` is global (no tenant column); \`customers\`, \`orders\`, \`invoices\` carry
\`tenant_id\`; \`projects\` carries \`tenant_id\` and has row-level security on
\`current_setting('app.current_tenant')\`. Tenants: \`acme\`, \`globex\`, \`initech\`, served on
\`<tenant>.example.com\`. Seeding and the schema load ran with statement logging off, so the log
starts with the traffic.

## Timeline

| time (UTC) | application | what happened | leak? |
| --- | --- | --- | --- |
| ${when[api]} | \`billing-api\` | three tagged requests (sqlcommenter \`request_id\`, \`route\`, \`traceparent\`): \`req-0001\` GET /invoices for acme, \`req-0002\` GET /orders/:id for globex (a join that carries the tenant), \`req-0003\` POST /orders for initech in a transaction; then its driver's hot path for each tenant (extended protocol, \`tenant_id = \$1\`, \`execute <unnamed>\` + \`DETAIL:  parameters:\`) | no: every statement confined to one tenant |
| ${when[projects]} | \`projects-api\` | \`SET app.current_tenant = 'initech'\`, reads \`projects\` without a predicate (\`req-0004\`), \`RESET\` | no: \`projects\` is RLS-protected |
| ${when[admin]} | \`admin-console\` | lists the global \`tenants\` table | no: global by design |
| ${when[report]} | \`report-worker\` | acme's monthly revenue report (\`job='monthly-revenue',tenant='acme'\`), multi-line, with \`tenant_id IN ('acme', 'globex')\`: a copy-paste bug | **yes**: \`cross_tenant_query\` on \`orders\` (two tenants) |
| ${when[export]} | \`export-job\` | the nightly export for acme runs \`SELECT * FROM invoices ORDER BY id\`: no tenant predicate, every tenant's invoices go into acme's file; then its summary query fails with \`division by zero\` (\`ERROR\` + \`STATEMENT:\`) | **yes**: \`missing_tenant_predicate\` on \`invoices\` (the failing summary is scoped: no leak) |
| ${at[req-0101]} | \`billing-api\` (audit + SQL) | \`req-0101\` GET /invoices, acme's token on acme.example.com, \`tenant_id = 'acme'\` | no |
| ${at[req-0102]} | \`billing-api\` | \`req-0102\` GET /orders/:id, globex on globex.example.com:8443, \`PREPARE\`/\`EXECUTE get_order('globex', …)\` (bind parameters); the handler caches the order in-process under its id alone | no (but see req-0104) |
| ${at[req-0103]} | \`billing-api\` | \`req-0103\` GET /projects for acme: \`SET app.current_tenant = 'acme'\`, \`projects\` under RLS, \`RESET\` | no |
| ${at[req-0104]} | \`billing-api\` | \`req-0104\` GET /orders/:id for initech: its own customers (\`tenant_id = 'initech'\`), but the order comes from the cache, and it is globex's (\`response.tenant_ids = ["initech", "globex"]\`) | **yes**: \`cross_tenant_response\` (initech got globex) |
| ${at[req-0105]} | \`billing-api\` | \`req-0105\` GET /invoices with acme's token on **globex.example.com** | **yes**: \`token_host_mismatch\` |
| ${at[req-0106]} | \`billing-api\` | \`req-0106\` GET /projects for globex: \`SET app.current_tenant = 'globex'\`, reads \`projects\`, and forgets \`RESET\`: the pooled connection keeps globex | no (the leak is the next request) |
| ${at[req-0107]} | \`billing-api\` | \`req-0107\` GET /projects for initech on the same pooled connection, no \`SET\`: RLS filters by globex, the response carries globex's projects | **yes**: \`tenant_context_mismatch\` on \`projects\` and \`cross_tenant_response\` (initech got globex) |
| ${at[req-0108]} | \`billing-api\` | \`req-0108\` GET /projects for acme: \`SET\` + \`RESET\` | no |
| ${at[req-0109]} | \`billing-api\` | \`req-0109\` GET /invoices with a token whose header says \`alg: none\` (no signature), claiming acme; the API accepted it | **yes**: \`unsigned_token\` |
| ${at[req-0110]} | \`billing-api\` (Redis; \`CLIENT SETNAME request_id=req-0110\`) | \`req-0110\` GET /projects/:id for acme caches \`acme:project:1041\`, \`tenant:acme:invoice:7\`, the global \`plans:pro\`, and also \`project:1041\` (no tenant in the key) with acme's project | (see next) |
| ${at[req-0111]} | \`billing-api\` (Redis; \`request_id=req-0111\`) | \`req-0111\` GET /projects/:id for globex: its own \`globex:…\` keys, \`plans:pro\`, and \`GET project:1041\`: acme's payload, which the API returns believing it is globex's | **yes**: \`unscoped_cache_key\` \`project:1041\` (pattern \`project:{id}\`, medium) and \`cross_tenant_response\` (globex got acme; evidence: req-0110's audit line, its \`SET\`, req-0111's \`GET\` and audit line); \`plans:*\` is allowed |

Expected from \`tenantwatch scan\` (all sources): exactly nine findings, exit status 1:

| kind | severity | request / where | caller → accessed |
| --- | --- | --- | --- |
| \`cross_tenant_query\` | high | report-worker, \`orders\` | → acme, globex |
| \`missing_tenant_predicate\` | high | export-job, \`invoices\` | |
| \`cross_tenant_response\` | critical | \`req-0104\` | initech → globex |
| \`token_host_mismatch\` | high | \`req-0105\` | acme → globex |
| \`tenant_context_mismatch\` | high | \`req-0107\`, \`projects\` | initech → globex |
| \`cross_tenant_response\` | critical | \`req-0107\` | initech → globex |
| \`unsigned_token\` | high | \`req-0109\` | (claims acme) |
| \`cross_tenant_response\` | critical | \`req-0111\`, cache key \`project:1041\` | globex → acme |
| \`unscoped_cache_key\` | medium | \`project:1041\` (pattern \`project:{id}\`; COUNT 2: the SET and the GET) | written by acme, read by globex |

Only the Postgres logs (\`--postgres postgresql.log\`): the first two.
MD
echo "sample-logs: wrote $out ($lines stderr lines, $audit_lines audit lines, $redis_lines Redis commands)"
