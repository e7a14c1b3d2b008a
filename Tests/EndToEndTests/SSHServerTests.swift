// The loopback SSH fixture itself, without micsync: the shared server starts and a login runs a
// command on it.

import Foundation
import Testing

@Suite struct SSHServerTests {
    @Test func sharedServerRunsACommand() throws {
        let server = try SSHServer.shared()
        let result = try server.run("echo ok")
        #expect(result.status == 0, "ssh exit status \(result.status), stderr: \(result.stderr)")
        #expect(result.stdout == "ok\n", "stdout: \(result.stdout)")
    }
}
