import Foundation
import TenantWatchModel

/// Renders findings the three ways `scan --format` offers.
public enum FindingFormat: String, Sendable, CaseIterable {
    case ndjson, json, table
}

public enum FindingPrinter {
    /// One finding as the contract's JSON object, fields in the contract's order.
    public static func json(_ f: Finding) -> String {
        var w = JSONWriter()
        write(f, into: &w)
        return w.output
    }

    public static func write(_ f: Finding, into w: inout JSONWriter) {
        w.beginObject()
        w.field("kind", f.kind.rawValue)
        w.field("severity", f.severity.rawValue)
        w.field("time", f.time?.rfc3339)
        w.field("last_seen", f.lastSeen?.rfc3339)
        w.field("count", f.count)
        w.field("incident", f.incident)
        w.field("trace_id", f.traceID)
        w.field("request_id", f.requestID)
        w.field("caller_tenant", f.callerTenant)
        w.field("caller_verification", f.callerVerification)
        w.field("accessed_tenants", f.accessedTenants)
        w.field("tables", f.tables)
        w.field("application", f.application)
        w.field("route", f.route)
        w.field("statement", f.statement.map(TokenMasker.shared.applyCredentials))
        w.field("fingerprint", f.fingerprint)
        w.field("cache_key", f.cacheKey)
        w.field("message", TokenMasker.shared.applyCredentials(f.message))
        w.evidence(f.evidence)
        w.endObject()
    }

    public static func ndjson(_ findings: [Finding]) -> String {
        String(decoding: ndjsonChunks(findings).joined(), as: UTF8.self)
    }

    /// The ndjson lines as UTF-8, in order, in a few chunks rendered side by side: printing
    /// is the last step of a scan and runs alone, so a large result set (tens of thousands of
    /// findings) is cut into contiguous slices, one per core. Written one after the other, the
    /// chunks are exactly `ndjson`'s text.
    public static func ndjsonChunks(_ findings: [Finding]) -> [[UInt8]] {
        let parts = findings.count < 1024 ? 1 : min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 8)
        @Sendable func render(_ slice: ArraySlice<Finding>) -> [UInt8] {
            var out: [UInt8] = []
            for f in slice {
                var w = JSONWriter()
                write(f, into: &w)
                out.append(contentsOf: w.utf8)
                out.append(UInt8(ascii: "\n"))
            }
            return out
        }
        if parts == 1 { return [render(findings[...])] }
        // A box per slice: each thread writes only its own, so no two touch the same storage.
        let slots = (0..<parts).map { _ in Chunk() }
        DispatchQueue.concurrentPerform(iterations: parts) { k in
            let lo = findings.count * k / parts, hi = findings.count * (k + 1) / parts
            slots[k].bytes = render(findings[lo..<hi])
        }
        return slots.map(\.bytes)
    }

    /// One slice's output; read after `concurrentPerform` has returned.
    private final class Chunk: @unchecked Sendable {
        var bytes: [UInt8] = []
    }

    public static func jsonArray(_ findings: [Finding]) -> String {
        var w = JSONWriter()
        w.beginArray()
        for f in findings { write(f, into: &w) }
        w.endArray()
        return w.output + "\n"
    }

    /// A fixed-width table for people, widest column last; control characters are made visible.
    public static func table(_ findings: [Finding], width: Int = 160) -> String {
        if findings.isEmpty { return "no findings\n" }
        let headers = ["SEVERITY", "KIND", "FIRST SEEN", "COUNT", "INCIDENT", "WHO", "TABLES", "WHAT"]
        var rows: [[String]] = []
        for f in findings {
            let who = f.callerTenant.map { "tenant \($0)" } ?? f.application ?? f.requestID ?? "-"
            let what = TextSanitizer.oneLine(TokenMasker.shared.applyCredentials(f.statement ?? f.message))
            rows.append([f.severity.rawValue, f.kind.rawValue, f.time.map { String($0.rfc3339.prefix(19)) + "Z" } ?? "-",
                         String(f.count), f.incident ?? "-", TextSanitizer.oneLine(who),
                         f.tables.isEmpty ? "-" : f.tables.joined(separator: ","), what])
        }
        return TextTable.render(headers: headers, rows: rows, width: width, columnCap: 32)
    }
}
