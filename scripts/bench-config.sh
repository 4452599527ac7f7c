# Sourced by scripts/bench.sh and scripts/bench-prod.sh: the tenantwatch config both benchmarks
# scan with, for the log in `$log` (written with `$prefix` as its log_line_prefix).
# bench_config [with-audit]: the query log alone, or with the API's audit log (requests tied to
# their statements by trace id: the correlated run).
bench_config() {
    cat <<TOML
[tenancy]
columns = ["tenant_id"]
schema = "schema.sql"
global_tables = ["tenants"]
session_setting = "app.current_tenant"

[identity]
host = "{tenant}.example.com"

[[source]]
kind = "postgres"
path = "$(basename "$log")"
format = "stderr"
prefix = "$prefix"
timezone = "UTC"
TOML
    if [ "${1:-}" = with-audit ]; then
        printf '\n[[source]]\nkind = "audit"\npath = "%s"\n' "$(basename "$log.audit")"
    fi
}
