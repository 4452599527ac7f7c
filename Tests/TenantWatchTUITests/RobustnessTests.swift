import Testing
import TenantWatchCore
@testable import TenantWatchTUI
import TenantWatchSampleData
import CNCurses

@Suite struct RobustnessTests {
    /// Random keys at random sizes (resizes included) against changing snapshots: no trap, and
    /// every frame fills every row exactly (no artefacts, no half wide characters).
    @Test func randomKeysAndSizesNeverBreakAFrame() {
        var seed: UInt64 = 0x5EED
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        let keys: [Key] = [.up, .down, .pageUp, .pageDown, .home, .end, .enter, .escape, .tab, .backTab, .backspace,
                           .char("j"), .char("k"), .char("g"), .char("G"), .char("/"), .char("n"), .char("N"), .char("f"),
                           .char("F"), .char("s"), .char("?"), .char(" "), .char("+"), .char("-"), .char("m"), .char("e"),
                           .char("a"), .char("x"), .char("商"), .char("="), .resize, .left, .right]
        let snaps = [DashboardSnapshot.empty, SampleSnapshot.make(incidents: 3, events: 5),
                     SampleSnapshot.make(incidents: 60, events: 500, replay: true)]
        var state = UIState()
        var snap = snaps[2]
        for step in 0..<1500 {
            if step % 97 == 0 { snap = snaps[next(snaps.count)] }
            if step % 13 == 0 { state.size = Size(width: 20 + next(180), height: 6 + next(55)) }
            let actions = handle(key: keys[next(keys.count)], state: &state, snapshot: snap)
            if actions.contains(.quit) { state = UIState(); state.size = Size(width: 80, height: 24) }
            let g = render(snap, state, size: state.size)
            #expect(Fixtures.columnsOK(g), "step \(step) at \(state.size)")
            if !Fixtures.columnsOK(g) { return }
        }
    }

    @Test func terminalKeyDecoding() {
        let yes = tw_key_code_yes(), ok = tw_ok()
        #expect(NCursesTerminal.decode(result: ok, code: 3) == .ctrl("c"))
        #expect(NCursesTerminal.decode(result: ok, code: 127) == .backspace)
        #expect(NCursesTerminal.decode(result: ok, code: 13) == .enter)
        #expect(NCursesTerminal.decode(result: ok, code: 27) == .escape)
        #expect(NCursesTerminal.decode(result: ok, code: 9) == .tab)
        #expect(NCursesTerminal.decode(result: ok, code: 0x5546) == .char("商"))
        #expect(NCursesTerminal.decode(result: yes, code: wint_t(tw_key_resize())) == .resize)
        #expect(NCursesTerminal.decode(result: yes, code: wint_t(KEY_NPAGE)) == .pageDown)
        #expect(NCursesTerminal.decode(result: yes, code: wint_t(KEY_BTAB)) == .backTab)
    }
}
