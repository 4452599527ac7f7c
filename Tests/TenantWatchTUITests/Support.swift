import Foundation
import Testing
import TenantWatchCore
@testable import TenantWatchTUI
import TenantWatchSampleData

/// Golden files live in `Golden/` and are reviewed text, not regenerated output: a missing golden
/// fails the test (a deleted or renamed one must not pass silently). `UPDATE_GOLDEN=1 swift test
/// --filter TUI` writes them, and only then.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func check(_ name: String, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = directory.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try? (text + "\n").write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("golden \(name) is missing (\(url.path)); review the output and write it with UPDATE_GOLDEN=1",
                         sourceLocation: sourceLocation)
            return
        }
        #expect(text + "\n" == expected, "golden \(name) differs; UPDATE_GOLDEN=1 rewrites it", sourceLocation: sourceLocation)
    }
}

enum Fixtures {
    static let small = SampleSnapshot.make(incidents: 12, events: 40)
    static let replay = SampleSnapshot.make(incidents: 12, events: 40, replay: true)
    static let wide = Size(width: 160, height: 45)
    static let narrow = Size(width: 80, height: 24)

    /// Every row of a grid has exactly `width` columns.
    static func columnsOK(_ g: CellGrid) -> Bool {
        (0..<g.height).allSatisfy { DisplayWidth.of(g.line($0)) == g.width }
    }
}
