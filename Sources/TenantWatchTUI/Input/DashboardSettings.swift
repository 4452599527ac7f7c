import Foundation
import TOMLKit

/// The dashboard's part of `tenantwatch.toml`:
///
///     [dashboard]
///     bell = false              # no bell when a critical incident opens
///
///     [dashboard.views]
///     acme-open = "tenant=acme state=open"
///     exports   = "app=export-job since=2h"
///
/// A view's filter is checked when the config is read, so a typo fails at start, not at 3 a.m.
public struct DashboardSettings: Equatable, Sendable {
    public var views: [String: String] = [:]
    /// Ring the terminal bell when a critical incident opens (`bell = false` turns it off).
    public var bell = true

    public init(views: [String: String] = [:], bell: Bool = true) {
        self.views = views
        self.bell = bell
    }

    public struct Error: Swift.Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads `[dashboard]` from the config file; no file (or no table) is the defaults.
    public static func load(configFile path: String?) throws -> DashboardSettings {
        guard let path, let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8) else { return DashboardSettings() }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String = "tenantwatch.toml") throws -> DashboardSettings {
        guard let root = try? TOMLTable(string: text), let dash = root["dashboard"] else { return DashboardSettings() }
        guard let table = dash.table else { throw Error(description: "\(file): dashboard: expected a table") }
        var out = DashboardSettings()
        for key in table.keys where key != "views" && key != "bell" {
            throw Error(description: "\(file): dashboard.\(key): unknown key (expected one of: bell, views)")
        }
        if let b = table["bell"] {
            guard let on = b.bool else { throw Error(description: "\(file): dashboard.bell: expected true or false") }
            out.bell = on
        }
        if let v = table["views"] {
            guard let views = v.table else { throw Error(description: "\(file): dashboard.views: expected a table of name = \"filter\"") }
            for name in views.keys {
                guard let filter = views[name]?.string else {
                    throw Error(description: "\(file): dashboard.views.\(name): expected a filter string such as \"tenant=acme state=open\"")
                }
                do {
                    _ = try Filters.parse(filter)
                } catch let e as Filters.ParseError {
                    throw Error(description: "\(file): dashboard.views.\(name): \(e.message)")
                }
                out.views[name] = filter
            }
        }
        return out
    }
}
