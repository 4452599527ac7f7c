/// Generalises a cache key to the pattern the application built it from, and finds its tenant.
///
/// `invoice:1041` → `invoice:{id}`; `acme:project:1041` → `{tenant}:project:{id}`.
///
/// Rules (documented in the detector's findings, so a user can predict them):
/// - Segments are split on `:`, `/` and `|`; separators are kept. `.` is not a separator
///   (e-mail addresses, host names and versions carry dots).
/// - Inside a segment, words are runs of ASCII letters, digits and non-ASCII bytes; `-`, `_`, `=`,
///   `.`, `@`, `,`, `+`, `#`, space... delimit them and are kept.
/// - A known tenant matches a whole segment, or whole words inside one: `tenant-acme`,
///   `acme_invoices`, `t=acme`, `acme.example.com` all carry `acme` (case-insensitively when the
///   registry holds lower-case names). Multi-word tenants (`acme-corp`) match as a word run.
///   A purely numeric known tenant (`42`) counts only as the first segment or after a tenant
///   marker: elsewhere a number is the id of something else (`user:42`).
/// - A tenant marker segment (`tenant`, `tenants`, `tenant_id`, `tenant-id`, `tenantid`, `org`,
///   `orgs`, `org_id`, `organization`, `organizations`, `workspace`, `workspaces`, `workspace_id`)
///   makes the next segment the tenant, whatever it is: `tenant:1:user:42` →
///   `tenant:{tenant}:user:{id}`. So does a marker word before `=` inside a segment (`t=7`,
///   `tenant=acme`, `org_id=7`): the rest of the segment is the tenant.
/// - Otherwise: a UUID (8-4-4-4-12 hex) → `{uuid}`, a digit word → `{id}`, a hex word of 16 or
///   more → `{hex}`, a word of 20 or more letters and digits mixed → `{token}` (session ids,
///   digests in base62); anything else stays literal.
public enum CacheKeyShape {
    public static let tenantMarkers: Set<String> = [
        "tenant", "tenants", "tenant_id", "tenant-id", "tenantid", "org", "orgs", "org_id",
        "organization", "organizations", "workspace", "workspaces", "workspace_id",
    ]
    /// Marker words accepted before `=` inside a segment (`t=acme`).
    static let assignmentMarkers: Set<String> = tenantMarkers.union(["t", "tid"])

    public static func pattern(of key: String, knownTenants: Set<String>) -> (pattern: String, tenantSegments: [String]) {
        let bytes = Array(key.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var tenants: [String] = []
        var segmentStart = 0
        var segmentIndex = 0
        var previousWasMarker = false
        var i = 0
        while i <= bytes.count {
            if i == bytes.count || isSeparator(bytes[i]) {
                let segment = bytes[segmentStart..<i]
                let isMarker = tenantMarkers.contains(lowercased(segment))
                if previousWasMarker && !segment.isEmpty {
                    out.append(contentsOf: Array("{tenant}".utf8))
                    tenants.append(String(decoding: segment, as: UTF8.self))
                } else {
                    shape(segment, first: segmentIndex == 0, knownTenants: knownTenants, into: &out, tenants: &tenants)
                }
                previousWasMarker = isMarker
                if i < bytes.count { out.append(bytes[i]) }
                segmentIndex += 1
                segmentStart = i + 1
            }
            i += 1
        }
        return (String(decoding: out, as: UTF8.self), tenants)
    }

    static func isSeparator(_ c: UInt8) -> Bool { c == 0x3A || c == 0x2F || c == 0x7C }

    static func isWordByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c >= 0x80
    }

    static func lowercased(_ s: ArraySlice<UInt8>) -> String {
        String(decoding: s.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    static func isKnownTenant(_ s: ArraySlice<UInt8>, _ known: Set<String>) -> Bool {
        if known.isEmpty || s.isEmpty { return false }
        let text = String(decoding: s, as: UTF8.self)
        if known.contains(text) { return true }
        let lower = lowercased(s)
        return lower != text && known.contains(lower)
    }

    static func isDigits(_ s: ArraySlice<UInt8>) -> Bool {
        !s.isEmpty && s.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    static func isHex(_ s: ArraySlice<UInt8>) -> Bool {
        s.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }
    }

    /// Shapes one segment (between separators) into `out`.
    static func shape(_ segment: ArraySlice<UInt8>, first: Bool, knownTenants: Set<String>,
                      into out: inout [UInt8], tenants: inout [String]) {
        if segment.isEmpty { return }
        // Words: [start, end) ranges of word bytes.
        var words: [Range<Int>] = []
        var k = segment.startIndex
        while k < segment.endIndex {
            if isWordByte(segment[k]) {
                let s = k
                while k < segment.endIndex, isWordByte(segment[k]) { k += 1 }
                words.append(s..<k)
            } else {
                k += 1
            }
        }
        var cursor = segment.startIndex   // bytes before it are written
        var w = 0
        func emit(_ range: Range<Int>, as replacement: String) {
            out.append(contentsOf: segment[cursor..<range.lowerBound])
            out.append(contentsOf: Array(replacement.utf8))
            cursor = range.upperBound
        }
        while w < words.count {
            let word = words[w]
            // `t=acme`, `tenant_id=7`: the rest of the segment is the tenant. The marker may be
            // a word run (`tenant_id`).
            if let eq = assignmentEnd(segment, words: words, from: w) {
                let value = eq..<segment.endIndex
                if !value.isEmpty {
                    emit(value, as: "{tenant}")
                    tenants.append(String(decoding: segment[value], as: UTF8.self))
                    break
                }
            }
            // A known tenant: the longest word run starting here (at most 8 words).
            var matched = false
            var last = min(words.count - 1, w + 7)
            while last >= w {
                let run = word.lowerBound..<words[last].upperBound
                if isKnownTenant(segment[run], knownTenants),
                   !(isDigits(segment[run]) && !(first && run == segment.startIndex..<segment.endIndex)) {
                    emit(run, as: "{tenant}")
                    tenants.append(String(decoding: segment[run], as: UTF8.self))
                    w = last + 1
                    matched = true
                    break
                }
                last -= 1
            }
            if matched { continue }
            // A UUID spans five words joined by `-`.
            if w + 4 < words.count {
                let lengths = [8, 4, 4, 4, 12]
                var isUUID = true
                for d in 0..<5 {
                    let r = words[w + d]
                    if r.count != lengths[d] || !isHex(segment[r]) { isUUID = false; break }
                    if d < 4 && (r.upperBound + 1 != words[w + d + 1].lowerBound || segment[r.upperBound] != 0x2D) { isUUID = false; break }
                }
                if isUUID {
                    emit(word.lowerBound..<words[w + 4].upperBound, as: "{uuid}")
                    w += 5
                    continue
                }
            }
            let bytes = segment[word]
            if isDigits(bytes) {
                emit(word, as: "{id}")
            } else if bytes.count >= 16 && isHex(bytes) {
                emit(word, as: "{hex}")
            } else if bytes.count >= 20 && bytes.contains(where: { $0 >= 0x30 && $0 <= 0x39 })
                        && bytes.contains(where: { $0 >= 0x41 && $0 < 0x80 }) {
                emit(word, as: "{token}")
            }
            w += 1
        }
        out.append(contentsOf: segment[cursor..<segment.endIndex])
    }

    /// When words `from...` spell a marker immediately followed by `=`, the index after the `=`.
    static func assignmentEnd(_ segment: ArraySlice<UInt8>, words: [Range<Int>], from w: Int) -> Int? {
        var last = w
        while last < words.count, last < w + 3 {
            let end = words[last].upperBound
            if end < segment.endIndex, segment[end] == 0x3D {
                return assignmentMarkers.contains(lowercased(segment[words[w].lowerBound..<end])) ? end + 1 : nil
            }
            // Words of one marker are joined by `_` or `-` only.
            guard end < segment.endIndex, segment[end] == 0x5F || segment[end] == 0x2D,
                  last + 1 < words.count, words[last + 1].lowerBound == end + 1 else { return nil }
            last += 1
        }
        return nil
    }
}
