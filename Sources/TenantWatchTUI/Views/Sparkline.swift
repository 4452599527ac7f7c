import TenantWatchCore

/// A histogram in one line of block characters (▁ to █, a blank for none): leak findings over
/// time, for the stream held and for one incident — lnav's `i` view, in a line.
enum Sparkline {
    static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    struct Histogram: Equatable {
        var counts: [Int]
        var from: Int64
        var to: Int64
        var line: String {
            let top = counts.max() ?? 0
            return String(counts.map { c -> Character in
                guard c > 0, top > 0 else { return " " }
                return levels[min(levels.count - 1, (c * levels.count - 1) / top)]
            })
        }
    }

    /// `times` (microseconds) in `buckets` equal spans from the first to the last; nil when empty.
    static func histogram(_ times: [Int64], buckets: Int) -> Histogram? {
        guard let lo = times.min(), let hi = times.max(), buckets > 0 else { return nil }
        var counts = [Int](repeating: 0, count: buckets)
        let span = max(1, hi - lo + 1)
        for t in times {
            let i = Int((Double(t - lo) / Double(span)) * Double(buckets))
            counts[min(buckets - 1, max(0, i))] += 1
        }
        return Histogram(counts: counts, from: lo, to: hi)
    }

    /// `12:52:10 ▁▃ █▁ 12:53:22 (17, most 4 in 3s)`: the line with its span and scale.
    static func labelled(_ times: [Int64], width: Int) -> String? {
        let buckets = max(4, width - 52)
        guard let h = histogram(times, buckets: buckets) else { return nil }
        let us = max(1, (h.to - h.from + 1) / Int64(buckets))
        let span = us < 1_000_000 ? "\(max(1, us / 1000))ms" : us < 60_000_000 ? "\(us / 1_000_000)s" : "\(us / 60_000_000)m"
        return Format.clock(Timestamp(microseconds: h.from), millis: false) + " " + h.line + " "
            + Format.clock(Timestamp(microseconds: h.to), millis: false)
            + " (\(times.count), most \(h.counts.max() ?? 0) in \(span))"
    }
}
