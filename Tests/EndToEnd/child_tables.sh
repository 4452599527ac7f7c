#!/usr/bin/env bash
# Tenancy through foreign keys on a real PostgreSQL 15: a normalised schema (childsim/schema.sql,
# the tenant column only on the root tables) and an API (childsim/childsim.py, on apisim's
# application) with IDORs injected through child tables next to controls confined through the
# parent chain or the caller's own row. `tenantwatch scan` over the server's log (stderr and
# jsonlog) and the audit log, with the schema from `pg_dump --schema-only` and
# `[tenancy] parents` / `caller_table` in the config, must give exactly the expected kinds per
# request: precision and recall 1.00 (printed), no control flagged. `check-sql --format json`
# shows the chain; the busy endpoint's findings are one incident in the store.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$E2E_DIR/lib/pg.sh"

if ! /usr/bin/python3 -c 'import psycopg2' 2>/dev/null; then
    echo "FAIL - /usr/bin/python3 cannot import psycopg2 (scripts/deps.sh test installs python3-psycopg2)" >&2
    exit 1
fi
find_tenantwatch

SECRET="childsim-e2e-hs256-secret-$(date +%s)-0123456789abcdef"
SILENT='-c log_statement=none -c log_min_duration_statement=-1'

pg_start "" "log_min_duration_statement = 0"
work="$PG_DIR/scan"
mkdir -p "$work"
PGOPTIONS="$SILENT" pg_psql -d postgres -c "CREATE DATABASE norm" >/dev/null
PGOPTIONS="$SILENT" pg_psql -d norm -v ON_ERROR_STOP=1 -f "$E2E_DIR/childsim/schema.sql" >/dev/null
PGOPTIONS="$SILENT" "$PG_BIN/pg_dump" --schema-only --no-owner --no-privileges -d norm >"$work/schema.sql"
/usr/bin/python3 "$E2E_DIR/childsim/childsim.py" --dbname norm --user app --secret "$SECRET" \
    --audit "$work/audit.log" --expected "$work/expected.json"
pg_stop
cp "$PG_LOG_STDERR" "$work/postgresql.log"
cp "$PG_LOG_JSON" "$work/postgresql.json"
fks=$(grep -c 'FOREIGN KEY' "$work/schema.sql" || true)
e2e_ok "simulator ran: $(wc -l <"$work/audit.log") requests; schema has $fks foreign keys"

write_config() {
    local format="$1" file="$2" extra="${3:-}"
    cat >"$work/tenantwatch-$format.toml" <<TOML
[tenancy]
columns = ["tenant_id", "org_id"]
schema = "schema.sql"
global_tables = ["tenants"]
tenants = ["acme", "globex", "initech"]
caller_table = "users"
parents = { shipments = "invoice_id -> invoices.id" }

[identity]
claim = "tenant_id"
host = "{tenant}.example.com"
jwt_secret = "$SECRET"

[[source]]
kind = "postgres"
path = "$file"
format = "$format"
timezone = "UTC"
$extra

[[source]]
kind = "audit"
path = "audit.log"
TOML
}
write_config stderr postgresql.log "prefix = \"$PG_LOG_LINE_PREFIX\""
write_config jsonlog postgresql.json

checks=()
for format in stderr jsonlog; do
    out="$work/findings-$format.ndjson"
    rc=0
    (cd "$work" && "$TENANTWATCH" scan --format ndjson --config "tenantwatch-$format.toml") \
        >"$out" 2>"$work/scan-$format.err" </dev/null || rc=$?
    if [ "$rc" -eq 1 ]; then
        e2e_ok "$format + audit: scan exit status 1 (findings present)"
    else
        e2e_fail "$format + audit: scan exit status $rc, expected 1; stderr: $(head -c 600 "$work/scan-$format.err")"
    fi
    checks+=("$format=$out")
done

if python3 "$E2E_DIR/apisim/check.py" "$work/expected.json" "${checks[@]}"; then
    :
else
    E2E_FAILS=$((E2E_FAILS + 1))
fi

# Precision and recall over (request, kind): every expected finding found, nothing else.
for c in "${checks[@]}"; do
    label="${c%%=*}" file="${c#*=}"
    if python3 - "$work/expected.json" "$file" "$label" <<'PY'
import json, sys
expected = json.load(open(sys.argv[1]))
want = {(e["request_id"], x["kind"]) for e in expected for x in e["expect"]}
got = {(f.get("request_id"), f["kind"]) for f in map(json.loads, filter(str.strip, open(sys.argv[2])))}
tp = len(want & got)
precision = tp / len(got) if got else 0.0
recall = tp / len(want) if want else 0.0
print(f"{sys.argv[3]}: precision {precision:.2f} recall {recall:.2f} ({tp} of {len(want)} expected, {len(got)} reported)")
sys.exit(0 if precision == 1.0 and recall == 1.0 and len(want) >= 20 else 1)
PY
    then
        e2e_ok "$label: precision and recall 1.00"
    else
        e2e_fail "$label: precision or recall below 1.00"
    fi
done

# check-sql shows the chain it used, from the dump and from [tenancy] parents.
json=$(cd "$work" && "$TENANTWATCH" check-sql --config tenantwatch-stderr.toml --format json \
    "SELECT * FROM attachments WHERE message_id = \$1" || true)
if python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["verdict"] == "unconfined_child", d
assert d["chains"]["attachments"] == ["attachments.message_id -> messages.id", "messages.po_id -> purchase_orders.id", "purchase_orders.org_id"], d
' "$json"; then
    e2e_ok "check-sql: unconfined_child with the chain attachments -> messages -> purchase_orders.org_id"
else
    e2e_fail "check-sql json: $json"
fi
json=$(cd "$work" && "$TENANTWATCH" check-sql --config tenantwatch-stderr.toml --format json \
    "SELECT s.* FROM shipments s JOIN invoices i ON i.id = s.invoice_id JOIN customers c ON c.id = i.customer_id WHERE c.tenant_id = 'acme'" || true)
if python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["verdict"] == "scoped", d
assert d["chains"]["shipments"][0] == "shipments.invoice_id -> invoices.id", d
' "$json"; then
    e2e_ok "check-sql: configured parent chain shown, statement scoped"
else
    e2e_fail "check-sql json (configured parent): $json"
fi

# The busy endpoint: its twelve findings are one incident (grouped by table and route).
rc=0
(cd "$work" && "$TENANTWATCH" scan --config tenantwatch-stderr.toml --store store.db --format ndjson) \
    >/dev/null 2>"$work/store.err" </dev/null || rc=$?
if [ "$rc" -ne 1 ]; then
    e2e_fail "scan --store exit status $rc; $(head -c 300 "$work/store.err")"
else
    (cd "$work" && "$TENANTWATCH" incidents list --store store.db --format json) >"$work/incidents.json" 2>"$work/incidents.err" || true
    if python3 - "$work/incidents.json" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
data = json.loads(text) if text.strip().startswith("[") else [json.loads(l) for l in text.splitlines() if l.strip()]
# GET, PATCH and the twelve busy calls (three callers) of /line-items/{id} touch line_items.
child = [i for i in data if "unconfined_child_access" in i.get("kinds", []) and "line_items" in i.get("title", "")]
print(f"unconfined_child_access incidents on line_items: {[(i['id'], i['finding_count']) for i in child]}")
sys.exit(0 if len(child) == 1 and child[0]["finding_count"] == 14 else 1)
PY
    then
        e2e_ok "busy endpoint: its 14 findings from three callers are one unconfined_child_access incident"
    else
        e2e_fail "busy endpoint grouped wrongly: $(head -c 800 "$work/incidents.json") $(head -c 200 "$work/incidents.err")"
    fi
fi

if [ "$E2E_FAILS" -gt 0 ]; then
    if [ -n "${E2E_KEEP:-}" ]; then
        keep="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-child_tables.XXXXXX")"
        cp -r "$work/." "$keep/"
        echo "child_tables: inputs and outputs kept in $keep" >&2
    fi
    exit 1
fi
