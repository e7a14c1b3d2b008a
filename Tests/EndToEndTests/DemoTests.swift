// `make demo` (scripts/demo.sh): a guided round trip in a temporary folder of its own.

import Foundation
import Testing

@Suite("demo")
struct DemoTests {
    @Test("the demo runs with the binary under test, keeps its history in its own folder and leaves nothing behind")
    func demoLeavesNothing() throws {
        let box = try Sandbox()
        try box.folder("home")
        try box.folder("tmp")
        let script = InstallTests.repository + "/scripts/demo.sh"
        // HOME and TMPDIR in the sandbox, XDG_STATE_HOME unset: the user's history would be
        // $HOME/.local/state/micsync/history.jsonl.
        let r = try box.shell("env -u XDG_STATE_HOME HOME='\(box.path("home"))' TMPDIR='\(box.path("tmp"))' MICSYNC='\(Binary.path)' bash '\(script)'",
                              timeout: 300)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("Removed the demo folder"), "\(r.stdout.suffix(500))")
        #expect(box.snapshot("home").isEmpty, "the demo wrote into HOME: \(box.snapshot("home").keys.sorted())")
        #expect(box.snapshot("tmp").isEmpty, "the demo left files in TMPDIR: \(box.snapshot("tmp").keys.sorted())")
    }
}
