import Foundation
import TenantWatchCore
import TenantWatchTUI
import TenantWatchSampleData

// TenantWatchBench tui-frame [--incidents N] [--events N] [--frames N]
//   renders dashboard frames (no terminal) from a snapshot holding N incidents and N events and
//   prints the time per frame for each screen at 160x45 and 80x24; exit 1 when the slowest
//   median is 16 ms or more or the slowest p99 50 ms or more (the frame budget, issue 17:
//   with 50k incidents in the store).

func argument(_ name: String, _ fallback: Int) -> Int {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) { return v }
    return fallback
}

func tuiFrame() -> Int32 {
    let incidents = argument("--incidents", 50_000)
    let events = argument("--events", 100_000)
    let frames = argument("--frames", 50)
    let built = Date()
    let snapshot = SampleSnapshot.make(incidents: incidents, events: events)
    print("snapshot: \(incidents) incidents, \(events) events (built in \(Int(Date().timeIntervalSince(built) * 1000)) ms)")
    var states: [(String, UIState)] = []
    states.append(("dashboard", UIState()))
    var paused = UIState(); paused.focus = .stream
    _ = handle(key: .pageUp, state: &paused, snapshot: snapshot)
    states.append(("stream-paused", paused))
    var filtered = UIState(); filtered.filters = Filters(tenant: "globex", severity: .high); filtered.search = "invoices"
    states.append(("filtered+search", filtered))
    var detail = UIState(); detail.screen = .detail(snapshot.incidents[incidents / 2].id)
    states.append(("detail", detail))
    // The list in an order of the user's: every frame sorts the whole list.
    var sorted = UIState(); sorted.sort = .severity; sorted.hideResolved = true
    states.append(("sorted+hidden", sorted))
    var stateFilter = UIState(); stateFilter.filters = Filters(state: .open, since: Timestamp(microseconds: 0))
    states.append(("state+since", stateFilter))
    var worst = 0.0
    var worstP99 = 0.0
    print("| screen | size | median ms | p95 ms | p99 ms |")
    print("| --- | --- | ---: | ---: | ---: |")
    for size in [Size(width: 160, height: 45), Size(width: 80, height: 24)] {
        for (name, base) in states {
            var s = base
            s.size = size
            var times: [Double] = []
            for _ in 0..<frames {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let grid = render(snapshot, s, size: size)
                // What the backend does per row besides ncurses itself.
                var cells = 0
                for y in 0..<grid.height { cells += grid.runs(row: y).count }
                precondition(cells > 0)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            times.sort()
            let median = times[times.count / 2], p95 = times[min(times.count - 1, times.count * 95 / 100)]
            let p99 = times[min(times.count - 1, times.count * 99 / 100)]
            worst = max(worst, median)
            worstP99 = max(worstP99, p99)
            print("| \(name) | \(size.width)x\(size.height) | \(String(format: "%.2f", median)) | \(String(format: "%.2f", p95)) | \(String(format: "%.2f", p99)) |")
        }
    }
    let ok = worst < 16 && worstP99 < 50
    print((ok ? "tui-frame: ok" : "tui-frame: FAIL") + " (slowest median \(String(format: "%.2f", worst)) ms, budget 16;"
          + " slowest p99 \(String(format: "%.2f", worstP99)) ms, budget 50)")
    return ok ? 0 : 1
}

