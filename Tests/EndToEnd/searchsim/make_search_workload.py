#!/usr/bin/env python3
"""Writes a search workload beside the sample logs (issue 20): an application's audit log, and the
search slow log of its Elasticsearch/OpenSearch cluster in the three shapes the servers write (ES 8
ECS JSON, ES 7 / OpenSearch JSON layout, plain text), with leaks planted among correct searches.

Neither server is packaged here, so the lines follow the real captures in
Tests/TenantWatchCoreTests/Fixtures/search/ field for field (one line per shard and per phase,
X-Opaque-Id in `id`, ES 8's doubly escaped body, `,mmm` times), with this workload's queries.

    make_search_workload.py OUT_DIR   -> OUT_DIR/search-audit.log, search-slowlog.json,
                                         search-slowlog.log, search-truth.json

search-truth.json: every finding the search part must raise, as [kind, request_id or "line:FILE:N"].
Tokens are HS256 JWTs signed with the sample logs' demo key, so the audit lines read like the
sample's own (verified callers, Host naming the caller's tenant)."""
import base64, hashlib, hmac, json, sys

KEY = b"sample-logs-hs256-key-not-for-production-0001"
out = sys.argv[1]

def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def token(tenant, user):
    h = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    p = b64(json.dumps({"sub": user, "tenant_id": tenant, "iat": 1795568000, "exp": 1795575600}, separators=(",", ":")).encode())
    sig = b64(hmac.new(KEY, f"{h}.{p}".encode(), hashlib.sha256).digest())
    return f"{h}.{p}.{sig}"

def ts(sec, ms):
    return f"2026-11-25T02:{sec // 60:02d}:{sec % 60:02d}.{ms:03d}Z"

def ts_comma(sec, ms):
    return f"2026-11-25T02:{sec // 60:02d}:{sec % 60:02d},{ms:03d}Z"

audit, ecs, plain = [], [], []
truth = []

def trace(n):
    return f"{n:032x}"[-32:].replace("0", "a", 1)

def request(n, tenant, route, search=None, index=None):
    rid = f"req-s{n:03d}"
    tp = f"00-{trace(0x5e000 + n)}-{n:016x}-01"
    line = {"ts": ts(n * 3, 500), "request_id": rid, "traceparent": tp, "method": "GET", "route": route,
            "headers": {"authorization": "Bearer " + token(tenant, f"user-{tenant}-{n}")},
            "host": f"{tenant}.example.com", "status": 200}
    if search is not None:
        line["search"] = {"body": search}
        if index is not None:
            line["search"]["index"] = index
    audit.append(json.dumps(line, separators=(",", ":")))
    return rid, tp

def ecs_line(n, index, body, opaque, shards=2, trace_id=None):
    """ES 8 ECS JSON: per shard, query phase then fetch phase; the body escaped twice (es814)."""
    once = json.dumps(body, separators=(",", ":"))
    twice = once.replace("\\", "\\\\").replace('"', '\\"')
    for shard in range(shards):
        for phase, ms in (("query", 100 + shard), ("fetch", 110 + shard)):
            rec = {"@timestamp": ts(n * 3, ms), "log.level": "WARN", "elasticsearch.slowlog.id": opaque,
                   "elasticsearch.slowlog.message": f"[{index}][{shard}]", "elasticsearch.slowlog.search_type": "QUERY_THEN_FETCH",
                   "elasticsearch.slowlog.source": twice, "elasticsearch.slowlog.stats": "[]", "elasticsearch.slowlog.took": "1.2ms",
                   "elasticsearch.slowlog.took_millis": 1, "elasticsearch.slowlog.total_hits": "12 hits",
                   "elasticsearch.slowlog.total_shards": shards, "ecs.version": "1.2.0", "service.name": "ES_ECS",
                   "event.dataset": "elasticsearch.index_search_slowlog", "log.logger": f"index.search.slowlog.{phase}",
                   "elasticsearch.node.name": "es-0", "elasticsearch.cluster.name": "search"}
            if trace_id:
                rec["trace.id"] = trace_id
            ecs.append(json.dumps(rec, separators=(",", ":")))

def layout_line(n, index, body, opaque, shards=1):
    """ES 7 / OpenSearch JSON layout: the body escaped once."""
    for shard in range(shards):
        rec = {"type": "index_search_slowlog", "timestamp": ts_comma(n * 3, 120 + shard), "level": "WARN",
               "component": "i.s.s.query", "cluster.name": "search", "node.name": "os-0", "message": f"[{index}][{shard}]",
               "took": "3.1ms", "took_millis": "3", "total_hits": "7 hits", "stats": "[]", "search_type": "QUERY_THEN_FETCH",
               "total_shards": str(shards), "source": json.dumps(body, separators=(",", ":")), "id": opaque or ""}
        ecs.append(json.dumps(rec, separators=(", ", ": ")))

def plain_line(n, index, body, opaque, shards=1):
    for shard in range(shards):
        plain.append(f"[{ts_comma(n * 3, 130 + shard)[:-1]}][WARN ][i.s.s.query              ] [es-1] [{index}][{shard}] "
                     f"took[2.2ms], took_millis[2], total_hits[3 hits], stats[], search_type[QUERY_THEN_FETCH], "
                     f"total_shards[{shards}], source[{json.dumps(body, separators=(',', ':'))}], id[{opaque or ''}],")

def term(t):
    return {"term": {"organization_id": {"value": t, "boost": 1.0}}}

# ---- correct searches (no finding) ----
rid, tp = request(1, "acme", "/activities/search")
ecs_line(1, "activities-2026.11", {"query": {"bool": {"filter": [term("acme"), {"match": {"name": {"query": "analytics"}}}]}}}, tp, shards=3)
rid, tp = request(2, "globex", "/documents/search")
layout_line(2, "documents", {"query": {"bool": {"must": [term("globex"), {"match": {"title": "q3"}}]}}, "size": 20}, rid)
rid, tp = request(3, "initech", "/activities/search")
plain_line(3, "activities-2026.11", {"query": {"constant_score": {"filter": term("initech")}}}, rid, shards=2)
request(4, "acme", "/activities/mine", search={"query": {"match": {"name": "deploy"}}}, index="activities-acme")
rid, tp = request(5, "acme", "/help")
ecs_line(5, "help-articles", {"query": {"match_all": {"boost": 1.0}}}, tp)
request(6, "globex", "/dashboard", search="\n".join([
    json.dumps({"index": "activities-2026.11"}), json.dumps({"query": {"bool": {"filter": [term("globex")]}}}),
    json.dumps({"index": "documents"}), json.dumps({"query": {"terms": {"organization_id": ["globex"]}}, "size": 5})]) + "\n")
rid, tp = request(7, "acme", "/activities/search")
layout_line(7, "activities-2026.11", {"query": {"bool": {"should": [term("acme")], "minimum_should_match": 1}}}, tp)
ecs_line(8, ".kibana_8.11.0_001", {"query": {"match_all": {}}}, None)   # Kibana's own search, system index
rid, tp = request(9, "initech", "/activities/search")
ecs_line(9, "activities-2026.11", {"query": {"match": {"name": "x"}}, "post_filter": term("initech")}, None, trace_id=trace(0x5e000 + 9))

# ---- planted leaks ----
rid, tp = request(10, "acme", "/activities/search")                       # the example
ecs_line(10, "activities-2026.11", {"query": {"match": {"name": {"query": "analytics"}}}}, tp, shards=3)
truth.append(["unscoped_search", rid])
rid, tp = request(11, "globex", "/documents/search")                      # another tenant's id
layout_line(11, "documents", {"query": {"bool": {"filter": [term("acme"), {"match": {"title": "globex board minutes"}}]}}}, rid)
truth.append(["cross_tenant_search", rid])
rid, tp = request(12, "initech", "/activities/search")                    # two tenants
plain_line(12, "activities-2026.11", {"query": {"terms": {"organization_id": ["initech", "acme"], "boost": 1.0}}}, tp)
truth.append(["cross_tenant_search", rid])
rid, tp = request(13, "acme", "/activities/search")                       # optional tenant term
ecs_line(13, "activities-2026.11", {"query": {"bool": {"should": [term("acme")], "must": [{"match": {"name": "q"}}]}}}, tp)
truth.append(["unscoped_search", rid])
rid, tp = request(14, "globex", "/activities/facets")                     # post_filter beside aggregations
layout_line(14, "activities-2026.11", {"query": {"match_all": {}}, "post_filter": term("globex"),
                                       "aggs": {"by_kind": {"terms": {"field": "kind"}}}}, rid)
truth.append(["unscoped_search", rid])
rid, _ = request(15, "acme", "/dashboard", search=[                       # _msearch: second search unscoped
    {"index": "documents"}, {"query": term("acme")}, {"index": "activities-2026.11"}, {"query": {"match_all": {}}}])
truth.append(["unscoped_search", rid])
rid, tp = request(16, "initech", "/activities/stats")                     # global aggregation
plain_line(16, "activities-2026.11", {"query": term("initech"), "aggs": {"all": {"global": {}, "aggs": {"k": {"terms": {"field": "kind"}}}}}}, rid)
truth.append(["unscoped_search", rid])
rid, tp = request(17, "acme", "/activities/search")                       # must_not only
ecs_line(17, "activities-2026.11", {"query": {"bool": {"must_not": [term("globex")]}}}, tp)
truth.append(["unscoped_search", rid])
rid, tp = request(18, "globex", "/documents/search")                      # cannot be judged: said
layout_line(18, "documents", {"query": {"query_string": {"query": "organization_id:globex AND title:q3"}}}, tp)
truth.append(["unjudged_statement", rid])
# A nightly export with no X-Opaque-Id: unscoped, no caller.
plain_line(20, "documents", {"query": {"match_all": {}}, "size": 1000}, None, shards=2)
truth.append(["unscoped_search", f"line:search-slowlog.log:{len(plain) - 1}"])

open(f"{out}/search-audit.log", "w").write("\n".join(audit) + "\n")
open(f"{out}/search-slowlog.json", "w").write("\n".join(ecs) + "\n")
open(f"{out}/search-slowlog.log", "w").write("\n".join(plain) + "\n")
json.dump(truth, open(f"{out}/search-truth.json", "w"))
