#!/usr/bin/env bash
# Issue 20, search-index leakage: the sample logs (PostgreSQL, audit, Redis) plus a search workload
# (Tests/EndToEnd/searchsim: an audit log and the Elasticsearch/OpenSearch search slow log in its
# ES 8 ECS, ES 7/OpenSearch JSON and plain-text shapes, leaks planted among correct searches).
# Neither server is packaged here: the slow-log lines follow the real captures in
# Tests/TenantWatchCoreTests/Fixtures/search. Asserts precision and recall 1.00 on the search
# findings, every search finding tied to its request, and no other finding changed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
find_tenantwatch

work="$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e-search.XXXXXX")"
trap 'e2e_drop_work search_leaks "$work"' EXIT
cp "$REPO_ROOT"/sample-logs/{postgresql.log,audit.log,redis-monitor.txt,schema.sql,tenantwatch.toml} "$work/"
python3 "$E2E_DIR/searchsim/make_search_workload.py" "$work"

# The sample's config, with [search], the audit search paths, and the search sources.
python3 - "$work/tenantwatch.toml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace('refresh_token_issued = "refresh.issued"\n',
              'refresh_token_issued = "refresh.issued"\nsearch_body = "search.body"\nsearch_index = "search.index"\n')
s += '''
[search]
tenant_fields = ["organization_id"]
indices = ["activities-*", "documents"]
global_indices = ["help-articles"]
scoped_aliases = { "activities-acme" = "acme" }

[[source]]
kind = "audit"
path = "search-audit.log"

[[source]]
kind = "search"
path = "search-slowlog.json"

[[source]]
kind = "search"
path = "search-slowlog.log"
'''
open(p, "w").write(s)
PY
cp "$REPO_ROOT/sample-logs/tenantwatch.toml" "$work/without.toml"

rc=0
(cd "$work" && "$TENANTWATCH" scan --config tenantwatch.toml --format ndjson --fail-on critical) >"$work/with.ndjson" 2>"$work/with.err" || rc=$?
rc2=0
(cd "$work" && "$TENANTWATCH" scan --config without.toml --format ndjson --fail-on critical) >"$work/without.ndjson" 2>"$work/without.err" || rc2=$?
if [ "$rc" -le 1 ] && [ "$rc2" -le 1 ]; then
    e2e_ok "scan with and without the search logs ran (exit $rc, $rc2)"
else
    e2e_fail "scan exit $rc / $rc2: $(tail -3 "$work/with.err") $(tail -3 "$work/without.err")"
fi

if python3 "$E2E_DIR/lib/check_search_findings.py" "$work/search-truth.json" "$work/with.ndjson" "$work/without.ndjson" >"$work/check.out"; then
    e2e_ok "$(tr '\n' ' ' <"$work/check.out")"
else
    e2e_fail "$(cat "$work/check.out")"
fi

# Nothing of the search logs is lost: no unparsed line in them.
if grep -q "search-slowlog" "$work/with.err" && grep -E "unparsed" "$work/with.err" | grep -q "search-slowlog"; then
    e2e_fail "search slow-log lines unparsed: $(grep search-slowlog "$work/with.err" | head -3)"
else
    e2e_ok "no search slow-log line unparsed ($(tail -1 "$work/with.err"))"
fi

# Every request-tied search finding carries its caller and route (tied by X-Opaque-Id, trace.id or the audit line).
if python3 - "$work/with.ndjson" <<'PY'
import json, sys
bad = []
for line in open(sys.argv[1]):
    f = json.loads(line)
    if f["kind"] in ("unscoped_search", "cross_tenant_search") and f.get("request_id"):
        if not f.get("caller_tenant") or not f.get("route"):
            bad.append(f["request_id"])
sys.exit(1 if bad else 0)
PY
then e2e_ok "request-tied search findings name their caller and route"
else e2e_fail "search findings without caller or route"
fi

# A bundle for acme of globex's cross-tenant search (req-s011): the search evidence keeps its shape,
# acme's own id, and no other tenant's name or search words (`[export] safe_fields` cannot let the
# body through: a search body is cut whatever the allow-list says).
printf '\n[export]\nsafe_fields = ["source", "elasticsearch.slowlog.source", "search.body"]\n' >>"$work/tenantwatch.toml"
store="$work/incidents.sqlite"
(cd "$work" && "$TENANTWATCH" scan --config tenantwatch.toml --format ndjson --fail-on critical --store "$store") >/dev/null 2>"$work/store.err" || true
incident="$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    f = json.loads(line)
    if f["kind"] == "cross_tenant_search" and f.get("request_id") == "req-s011":
        print(f["incident"])
' "$work/with.ndjson")"
rc=0
(cd "$work" && "$TENANTWATCH" export "$incident" --for-tenant acme --out "$work/acme.zip" --store "$store" --config tenantwatch.toml) \
    >"$work/export.out" 2>"$work/export.err" || rc=$?
if [ "$rc" -eq 0 ] && mkdir -p "$work/bundle" && (cd "$work/bundle" && unzip -q "$work/acme.zip"); then
    leaked="$(grep -rIl -e globex -e initech -e "board minutes" "$work/bundle" || true)"
    if [ -z "$leaked" ] && grep -rq "organization_id" "$work/bundle/evidence" && grep -rq 'acme' "$work/bundle/evidence"; then
        e2e_ok "bundle for acme of $incident: search evidence has its shape and acme's id, no other tenant or search words"
    else
        e2e_fail "bundle for acme of $incident leaks in: $leaked $(grep -rIh -e globex -e initech -e 'board minutes' "$work/bundle" | head -3)"
    fi
else
    e2e_fail "export of $incident for acme: exit $rc, $(cat "$work/export.err")"
fi

[ "$E2E_FAILS" -eq 0 ]
