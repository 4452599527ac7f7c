import Testing
@testable import TenantWatchCore

@Suite struct SQLCommenterTests {
    @Test func readsSpecCommentWithURLEncodedValues() {
        let tags = SQLCommenter.tags(in: "SELECT * FROM customers WHERE tenant_id = $1 /*route='%2Fcustomers',traceparent='00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'*/")
        #expect(tags.route == "/customers")
        #expect(tags.traceID == "0af7651916cd43dd8448eb211c80319c")
    }

    @Test func takesTheLastTagComment() {
        let tags = SQLCommenter.tags(in: "/*request_id='old'*/ SELECT 1 /* plain note */ /*request_id='new'*/")
        #expect(tags.requestID == "new")
    }

    @Test func ignoresCommentsInsideStringLiterals() {
        let tags = SQLCommenter.tags(in: "SELECT '/*request_id=''x''*/' AS s, $$ /*request_id='y'*/ $$")
        #expect(tags.isEmpty)
    }

    @Test func unescapesQuotesAndPythonPercent() {
        let tags = SQLCommenter.tags(in: "SELECT 1 /*action='it\\'s',route='/a/b',x='100%%'*/")
        #expect(tags.values["action"] == "it's")
        #expect(tags.route == "/a/b")
        #expect(tags.values["x"] == "100%")
    }

    @Test func readsLegacyRailsFormatPrepended() {
        let tags = SQLCommenter.tags(in: "/*application:Billing,controller:invoices,action:index*/ SELECT * FROM invoices")
        #expect(tags.application == "Billing")
        #expect(tags.route == "invoices#index")
    }

    @Test func unclosedOrGarbageCommentsGiveNoTags() {
        #expect(SQLCommenter.tags(in: "SELECT 1 /*request_id='abc'").isEmpty)
        #expect(SQLCommenter.tags(in: "SELECT 1 /*request_id='abc*/").isEmpty)
        #expect(SQLCommenter.tags(in: "SELECT 1 /* just a note, with words */").isEmpty)
        #expect(SQLCommenter.tags(in: "SELECT 1 /*=%%%ZZ'*/").isEmpty)
    }

    @Test func nestedCommentsAreOneComment() {
        let tags = SQLCommenter.tags(in: "SELECT 1 /* outer /* inner */ request_id='z' */")
        #expect(tags.isEmpty)
    }

    @Test func traceIDAcceptsBareIDAndRejectsZeros() {
        #expect(TraceContext.traceID(from: "4E05AAAABBBBCCCCDDDDEEEEFFFF0000") == "4e05aaaabbbbccccddddeeeeffff0000")
        #expect(TraceContext.traceID(from: "00-00000000000000000000000000000000-b7ad6b7169203331-01") == nil)
        #expect(TraceContext.traceID(from: "not-a-trace") == nil)
    }
}
