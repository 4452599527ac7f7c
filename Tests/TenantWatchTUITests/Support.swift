import Foundation
import Testing
import TenantWatchCore
@testable import TenantWatchTUI

/// Golden files live in `Golden/`; `UPDATE_GOLDEN=1 swift test --filter TUI` rewrites them.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func check(_ name: String, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = directory.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" || !FileManager.default.fileExists(atPath: url.path) {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try? (text + "\n").write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
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
