import TenantWatchModel

/// The pieces every JSON document of ours writes the same way, so a finding's evidence reads
/// alike in `scan` output, `incidents show --format json` and a customer's `incident.json`.
extension JSONWriter {
    /// `"evidence": [{"source": ..., "line": ..., "end_line": ...}]`, `end_line` only for records
    /// that span several lines.
    public mutating func evidence(_ positions: [SourcePosition]) {
        key("evidence")
        beginArray()
        for p in positions {
            beginObject()
            field("source", p.file)
            field("line", p.line)
            if p.endLine != p.line { field("end_line", p.endLine) }
            endObject()
        }
        endArray()
    }

    /// `"notes": [{"time": ..., "author": ..., "text": ...}]`.
    public mutating func notes(_ notes: [(time: Timestamp, author: String, text: String)]) {
        key("notes")
        beginArray()
        for n in notes {
            beginObject()
            field("time", n.time.rfc3339)
            field("author", n.author)
            field("text", n.text)
            endObject()
        }
        endArray()
    }

    /// `"notes"` as `incidents show --format json` writes them: each with its `visibility`
    /// (`internal` or `customer`), so whoever works the incident sees what a bundle would carry.
    public mutating func notes(_ notes: [IncidentNote]) {
        key("notes")
        beginArray()
        for n in notes {
            beginObject()
            field("time", n.time.rfc3339)
            field("author", n.author)
            field("text", n.text)
            field("visibility", n.visibility.rawValue)
            endObject()
        }
        endArray()
    }
}
