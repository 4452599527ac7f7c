import Testing
@testable import TenantWatchModel

/// What a person is shown of a logged value: every scalar a terminal or a browser would act on,
/// in its visible form.
@Suite struct TextSanitizerTests {
    static let evil = "a\u{1B}[2J\u{1B}]52;c;ZXZpbA==\u{07}\u{9B}1m\u{7F}\u{202E}gnp.exe\u{2066}x\u{2069}\u{61C}b"

    @Test func controlsAndBidiBecomeVisibleEscapes() {
        #expect(TextSanitizer.oneLine(Self.evil)
                == "a\\x1b[2J\\x1b]52;c;ZXZpbA==\\x07\\x9b1m\\x7f\\u202egnp.exe\\u2066x\\u2069\\u61cb")
        #expect(TextSanitizer.oneLine("one\ntwo\t\tthree") == "one two three")
        // Letters of right-to-left scripts are text, not controls.
        #expect(TextSanitizer.oneLine("שלום عربي") == "שלום عربي")
    }

    @Test func keepingLinesKeepsNewlinesOnly() {
        #expect(TextSanitizer.keepingLines("# t\n\n| \u{1B}[31m | \u{202E} |\n\tx\r")
                == "# t\n\n| \\x1b[31m | \\u202e |\n\tx\\x0d")
    }
}
