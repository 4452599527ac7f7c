import Foundation
import Testing
@testable import TenantWatchTUI

@Suite struct ThemeTests {
    @Test func builtinThemesLoadAndMatchTheShippedFiles() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../themes")
        for name in Theme.builtinNames {
            let theme = try #require(Theme.builtin(name), "\(name) does not parse")
            #expect(theme.name == name)
            #expect(Set(theme.styles.keys) == Set(StyleRole.allCases), "\(name) misses roles")
            let file = try String(contentsOf: dir.appendingPathComponent("\(name).toml"), encoding: .utf8)
            #expect(file == BuiltinThemes.text[name]! + "\n", "themes/\(name).toml and BuiltinThemes differ")
        }
    }

    @Test func errorsNameKeyAndLine() {
        func error(_ text: String) -> ThemeError? {
            do { _ = try ThemeLoader.parse(text, file: "t.toml"); return nil } catch let e as ThemeError { return e } catch { return nil }
        }
        let badColour = error("""
        name = "x"
        [palette]
        red = 203

        [styles]
        text = { fg = "red" }
        leak = { fg = "purpel", bold = true }
        """)
        #expect(badColour?.key == "styles.leak.fg")
        #expect(badColour?.line == 7)
        #expect(badColour?.description.hasPrefix("theme t.toml:7: styles.leak.fg: unknown colour 'purpel'") == true)

        let badRole = error("[styles]\ntext = {}\n\nleek = { fg = 1 }\n")
        #expect(badRole?.key == "styles.leek")
        #expect(badRole?.line == 4)

        let range = error("[palette]\nx = 300\n")
        #expect(range?.key == "palette.x")
        #expect(range?.line == 2)

        let subtable = error("[styles.header]\nfg = 1\nblink = true\n")
        #expect(subtable?.key == "styles.header.blink")
        #expect(subtable?.line == 3)

        let boolean = error("[styles]\nheader = { bold = \"yes\" }\n")
        #expect(boolean?.key == "styles.header.bold")
        #expect(boolean?.line == 2)

        let syntax = error("[styles\ntext = {}\n")
        #expect(syntax?.line == 1)
        #expect(syntax?.message.contains("syntax") == true)
    }

    @Test func colourFallback256To16To8() {
        #expect(ThemeColor.index(196).number(for: .c256) == 196)
        #expect(ThemeColor.index(196).number(for: .c16) == 9)   // bright red
        #expect(ThemeColor.index(196).number(for: .c8) == 1)    // red
        #expect(ThemeColor.index(4).number(for: .c16) == 4)
        #expect(ThemeColor.index(12).number(for: .c8) == 4)
        #expect(ThemeColor.index(244).number(for: .c16) == 8)  // grey → bright black
        #expect(ThemeColor.index(244).number(for: .c8) == 0)
        #expect(ThemeColor.rgb(0xE6, 0x9F, 0x00).number(for: .c256) == 178)
        #expect(ThemeColor.terminalDefault.number(for: .c256) == -1)
        #expect(ThemeColor.index(196).number(for: .none) == -1)
        #expect(ColorDepth(colors: 256) == .c256)
        #expect(ColorDepth(colors: 16) == .c16)
        #expect(ColorDepth(colors: 8) == .c8)
        #expect(ColorDepth(colors: 256, hasColors: false) == .none)
        // Every built-in theme resolves at every depth to valid colour numbers.
        for name in Theme.builtinNames {
            for depth in [ColorDepth.c256, .c16, .c8, .none] {
                for (_, r) in Theme.builtin(name)!.resolved(for: depth) {
                    #expect(r.fg >= -1 && r.fg < max(1, depth.rawValue) && r.bg >= -1 && r.bg < max(1, depth.rawValue))
                }
            }
        }
    }

    @Test func noColorSelectsMono() throws {
        let (theme, noColor) = try Theme.select("colorblind", environment: ["NO_COLOR": "1"])
        #expect(theme.name == "mono")
        #expect(noColor)
        let resolved = theme.resolved(for: .none)
        #expect(resolved[.selected]?.attributes.contains(.reverse) == true)
        #expect(resolved[.leak]?.attributes.contains(.bold) == true)
        #expect(resolved.values.allSatisfy { $0.fg == -1 && $0.bg == -1 })
        // NO_COLOR set but empty does not count (no-color.org).
        #expect(try Theme.select("light", environment: ["NO_COLOR": ""]).0.name == "light")
        #expect(try Theme.select(nil, environment: [:]).0.name == "default")
        #expect(throws: ThemeError.self) { try Theme.select("/nonexistent/theme.toml", environment: [:]) }
    }
}
