import Testing
@testable import TenantWatchCore

/// The writer appends bytes; what it writes for a string must be exactly `JSONWriter.quoted`,
/// escapes included (quotes, backslashes, C0 and C1 controls, line separators).
@Suite struct JSONWriterTests {
    @Test(arguments: ["", "plain text", "quote\" and back\\slash", "tab\tnew\nline\r", "\u{1}\u{1F}\u{7F}",
                      "é, ü and 漢字", "c1 \u{85} control", "separator \u{2028} \u{2029}", "emoji 🙂"])
    func stringsAreWrittenAsQuotedWritesThem(s: String) {
        var w = JSONWriter()
        w.string(s)
        #expect(w.output == JSONWriter.quoted(s))
    }

    @Test func documentKeepsCommasAndNulls() {
        var w = JSONWriter()
        w.beginObject()
        w.field("a", "x\"y")
        w.field("n", nil as Int?)
        w.field("i", -42)
        w.field("list", ["p", "q"])
        w.key("b")
        w.bool(true)
        w.endObject()
        #expect(w.output == #"{"a":"x\"y","n":null,"i":-42,"list":["p","q"],"b":true}"#)
    }
}
