/// `bool`: `must` and `filter` clauses all apply, so one confining clause confines the whole.
/// `should` counts only with an explicit `minimum_should_match` of at least one (the default
/// depends on context and version, so it is never relied on), and then every `should` clause
/// must confine. `must_not` never confines: excluding a tenant is not choosing one.
enum DSLBoolRule {
    static func judge(_ body: JSONValue, judge: QueryDSLJudge, depth: Int) -> Confinement {
        guard case .object = body else { return .unjudged("bool that is not an object") }
        var required: [Confinement] = []
        for key in ["must", "filter"] {
            for clause in judge.clauses(body[key]) { required.append(judge.judge(clause, depth: depth + 1)) }
        }
        let should = judge.clauses(body["should"])
        var shouldReason: String?
        if !should.isEmpty {
            let judged = should.map { judge.judge($0, depth: depth + 1) }
            switch minimumShouldMatch(body["minimum_should_match"], clauses: should.count) {
            case .some(let n) where n >= 1:
                required.append(Confinement.any(judged, emptyReason: "empty should"))
            case .some:
                break
            case .none where body["minimum_should_match"] != nil:
                required.append(.unjudged("minimum_should_match \(body["minimum_should_match"]!.scalarText ?? "?") cannot be read"))
            case .none:
                if judged.contains(where: \.isConfined) {
                    shouldReason = "the tenant term is under should without minimum_should_match, so it is optional"
                }
            }
        }
        var mustNotReason: String?
        for clause in judge.clauses(body["must_not"]) where judge.judge(clause, depth: depth + 1).isConfined {
            mustNotReason = "the tenant term is under must_not: it excludes a tenant, it does not confine to one"
        }
        let result = Confinement.all(required, emptyReason: "bool with no must or filter clause matches every document")
        if case .unconfined(let why) = result, let better = shouldReason ?? mustNotReason {
            return .unconfined(required.isEmpty ? better : "\(why); \(better)")
        }
        return result
    }

    /// `2`, `"2"`, `"-1"`, `"75%"`, `"-25%"` → the number of should clauses required; nil when
    /// it is not one of these (combinations like `"3<90%"` are not read).
    static func minimumShouldMatch(_ value: JSONValue?, clauses: Int) -> Int? {
        guard let text = value?.scalarText else { return nil }
        var t = Substring(text)
        let percent = t.hasSuffix("%")
        if percent { t = t.dropLast() }
        guard let n = Int(t) else { return nil }
        if percent {
            let part = clauses * abs(n) / 100
            return n >= 0 ? part : clauses - part
        }
        return n >= 0 ? n : max(0, clauses + n)
    }
}
