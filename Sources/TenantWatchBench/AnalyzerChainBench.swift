// `TenantWatchBench analyzer-chains [--tables N] [--depth D] [--runs R]`: the analyzer on a
// generated `pg_dump --schema-only` schema of N tables (default 500) where the tenant column is
// only on root tables and every other table hangs off one through foreign keys, in chains of
// 1...D links (default 5). Reports the schema load (parse + chain derivation), the first analysis
// of each distinct statement (cache misses), a cached lookup, and the same statements on a flat
// schema (the same tables, each with its own tenant column, no foreign keys) for comparison.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TenantWatchCore

struct ChainSchema {
    var dump = ""
    var flatDump = ""
    /// child table -> (its parent, the root, the path from the child up to the root)
    var children: [(table: String, path: [String])] = []

    init(tables: Int, depth: Int) {
        var made = 0
        var group = 0
        var ddl = "SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n\n"
        var flat = ddl
        var constraints = ""
        while made < tables {
            let length = min(group % depth + 1, tables - made - 1)
            let root = "r\(group)"
            ddl += "CREATE TABLE public.\(root) (\n    id bigint NOT NULL,\n    tenant_id integer NOT NULL,\n    name text\n);\n"
            flat += "CREATE TABLE public.\(root) (\n    id bigint NOT NULL,\n    tenant_id integer NOT NULL,\n    name text\n);\n"
            constraints += "ALTER TABLE ONLY public.\(root)\n    ADD CONSTRAINT \(root)_pkey PRIMARY KEY (id);\n"
            made += 1
            var path = [root]
            if length > 0 {
                for level in 1...length {
                    let t = "\(root)_c\(level)"
                    let parent = path[0]
                    ddl += "CREATE TABLE public.\(t) (\n    id bigint NOT NULL,\n    parent_id bigint NOT NULL,\n    qty integer\n);\n"
                    flat += "CREATE TABLE public.\(t) (\n    id bigint NOT NULL,\n    parent_id bigint NOT NULL,\n    tenant_id integer NOT NULL,\n    qty integer\n);\n"
                    constraints += "ALTER TABLE ONLY public.\(t)\n    ADD CONSTRAINT \(t)_pkey PRIMARY KEY (id);\n"
                    constraints += "ALTER TABLE ONLY public.\(t)\n    ADD CONSTRAINT \(t)_parent_fkey FOREIGN KEY (parent_id) REFERENCES public.\(parent)(id);\n"
                    path.insert(t, at: 0)
                    children.append((t, path))
                    made += 1
                }
            }
            group += 1
        }
        dump = ddl + "\n" + constraints
        flatDump = flat
    }

    /// Per child: found by key, joined up its whole chain to a confined root, and an IN
    /// subquery nested up the chain; `variants` copies of each with different literals.
    func statements(variants: Int) -> [String] {
        var out: [String] = []
        for (table, path) in children {
            for v in 0..<variants {
                out.append("SELECT * FROM \(table) WHERE id = \(v + 1)")
                var join = "SELECT t0.* FROM \(path[0]) t0"
                for k in 1..<path.count { join += " JOIN \(path[k]) t\(k) ON t\(k).id = t\(k - 1).parent_id" }
                join += " WHERE t\(path.count - 1).tenant_id = \(v + 7)"
                out.append(join)
                var inner = "SELECT id FROM \(path[path.count - 1]) WHERE tenant_id = \(v + 3)"
                for k in stride(from: path.count - 2, through: 1, by: -1) {
                    inner = "SELECT id FROM \(path[k]) WHERE parent_id IN (\(inner))"
                }
                out.append("UPDATE \(path[0]) SET qty = \(v) WHERE parent_id IN (\(inner))")
            }
        }
        return out
    }
}

/// `x` with `places` decimals (no Foundation in the bench).
func fmt(_ x: Double, _ places: Int) -> String {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let digits = String(Int((x * scale).rounded()))
    return places == 0 ? digits : digits.withDecimal(places)
}

func maxRSSMiB() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_maxrss) / 1024
}

func analyzerChains(_ args: [String]) -> Int32 {
    var tables = 500, depth = 5, runs = 3, variants = 4
    var i = 0
    while i < args.count {
        func value() -> Int {
            i += 1
            guard i < args.count, let n = Int(args[i]), n > 0 else { fail("\(args[i - 1]) needs a positive number") }
            return n
        }
        switch args[i] {
        case "--tables": tables = value()
        case "--depth": depth = value()
        case "--runs": runs = value()
        case "--variants": variants = value()
        default: fail("unknown option \(args[i])")
        }
        i += 1
    }
    let gen = ChainSchema(tables: tables, depth: depth)
    let statements = gen.statements(variants: variants)
    let rssStart = maxRSSMiB()

    var load = Double.infinity
    var schema = TenancySchema()
    for _ in 0..<runs {
        let t0 = ContinuousClock.now
        schema = TenancySchema(pgDump: gen.dump)
        load = min(load, seconds(ContinuousClock.now - t0))
    }
    let flat = TenancySchema(pgDump: gen.flatDump)
    let maxDepth = schema.chains.values.map(\.depth).max() ?? 0

    func pass(_ s: TenancySchema) -> (miss: Double, hit: Double, verdicts: [Verdict: Int]) {
        var miss = Double.infinity, hit = Double.infinity
        var verdicts: [Verdict: Int] = [:]
        for r in 0..<runs {
            let analyzer = TenantPredicateAnalyzer(schema: s)
            let t0 = ContinuousClock.now
            for q in statements {
                let a = analyzer.analyze(q)
                if r == 0 { verdicts[a.verdict, default: 0] += 1 }
            }
            let t1 = ContinuousClock.now
            for q in statements { _ = analyzer.analyze(q) }
            let t2 = ContinuousClock.now
            miss = min(miss, seconds(t1 - t0))
            hit = min(hit, seconds(t2 - t1))
        }
        return (miss, hit, verdicts)
    }
    let chained = pass(schema)
    let flatPass = pass(flat)
    let n = Double(statements.count)
    func us(_ s: Double) -> String { fmt(s / n * 1e6, 1) }
    func ns(_ s: Double) -> String { fmt(s / n * 1e9, 0) }
    print("schema: \(schema.tables.count) tables, \(schema.chains.count) children, chains up to depth \(maxDepth), "
          + "\(schema.foreignKeys.count) foreign keys; dump \(gen.dump.utf8.count / 1024) KiB")
    print("schema load (parse + chains), best of \(runs): \(fmt(load * 1000, 1)) ms")
    print("statements: \(statements.count) distinct texts (by key, chain join, nested IN)")
    print("| schema | first analysis (µs/stmt) | cached (ns/stmt) | verdicts |")
    print("| --- | ---: | ---: | --- |")
    func verdicts(_ v: [Verdict: Int]) -> String { v.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ") }
    print("| foreign-key chains | \(us(chained.miss)) | \(ns(chained.hit)) | \(verdicts(chained.verdicts)) |")
    print("| flat (tenant column on every table) | \(us(flatPass.miss)) | \(ns(flatPass.hit)) | \(verdicts(flatPass.verdicts)) |")
    print("peak RSS: \(fmt(maxRSSMiB(), 1)) MiB (at start \(fmt(rssStart, 1)) MiB; analyzer caches hold \(statements.count) analyses each)")
    return 0
}
