import Foundation
import Testing
@testable import MicsyncKit

#if canImport(Glibc)
import Glibc
#endif

/// `SpawningProcessRunner.start`, which leaves the program that holds an SSH connection running
/// after its answer, with real processes (`sh`).
@Suite struct StartedProgramTests {
    let runner = SpawningProcessRunner()
    static let end = "-- end --"

    /// Whether process `pid` has ended (a zombie that nobody reaps has ended too), waited for up
    /// to five seconds.
    func ended(_ pid: pid_t) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
            if stat.contains(") Z") { return true }
            usleep(10_000)
        }
        return false
    }

    @Test func itReturnsAtTheEndLineAndKeepsRunningUntilStopped() throws {
        var lines: [String] = []
        // The shell waits for the end of its input: it runs until micsync closes it or stops it.
        let (result, running) = try runner.start(["sh", "-c", "echo $$; echo answer; echo '\(Self.end)'; read -r x; echo after"],
                                                 environment: [:], timeLimit: 10, endLine: Self.end) { lines.append($0) }
        #expect(result.status == 0 && !result.timedOut)
        #expect(lines.dropFirst() == ["answer"])
        let pid = try #require(pid_t(lines.first ?? ""))
        let program = try #require(running)
        usleep(200_000)
        #expect(kill(pid, 0) == 0, "it ended though its input is still open")
        let stopping = Date()
        #expect(program.stop(), "it was running")
        #expect(ended(pid))
        // By SIGTERM, not the SIGKILL two seconds later, whatever this process blocks or ignores.
        #expect(Date().timeIntervalSince(stopping) < 1)
        #expect(!program.stop(), "a second stop does nothing")
    }

    @Test func anEndLineSplitAcrossReadsIsFound() throws {
        var lines: [String] = []
        let (_, running) = try runner.start(["sh", "-c", "printf 'a\\n-- e'; sleep 0.2; printf 'nd --\\n'; read -r x"],
                                            environment: [:], timeLimit: 10, endLine: Self.end) { lines.append($0) }
        #expect(lines == ["a"])
        #expect(running?.stop() == true)
    }

    @Test func aProgramThatEndsBeforeTheEndLineIsWaitedFor() throws {
        var lines: [String] = []
        let (result, running) = try runner.start(["sh", "-c", "echo a; echo oops >&2; exit 3"],
                                                 environment: [:], timeLimit: 10, endLine: Self.end) { lines.append($0) }
        #expect(running == nil && result.status == 3 && result.errorOutput == "oops\n" && lines == ["a"])
    }

    @Test func aProgramThatNeverAnswersIsStoppedAtTheTimeLimitWithWhatItStarted() throws {
        var lines: [String] = []
        let started = Date()
        // The background sleep stands for what ssh starts (a ProxyCommand): the group is signalled.
        let (result, running) = try runner.start(["sh", "-c", "sleep 30 & echo $!; wait"],
                                                 environment: [:], timeLimit: 0.5, endLine: Self.end) { lines.append($0) }
        #expect(running == nil && result.timedOut)
        #expect(Date().timeIntervalSince(started) < 5)
        let sleeper = try #require(pid_t(lines.first ?? ""))
        #expect(ended(sleeper), "what it started outlived it")
    }

    @Test func stoppingEndsWhatItStartedAndSaysWhenItHadEndedAlready() throws {
        var lines: [String] = []
        let (_, running) = try runner.start(["sh", "-c", "sleep 30 & echo $!; echo '\(Self.end)'; read -r x"],
                                            environment: [:], timeLimit: 10, endLine: Self.end) { lines.append($0) }
        let sleeper = try #require(pid_t(lines.first ?? ""))
        #expect(running?.stop() == true)
        #expect(ended(sleeper), "what it started outlived it")
        // A program that ends by itself after its answer: stop finds it ended.
        let (_, quick) = try runner.start(["sh", "-c", "echo '\(Self.end)'"], environment: [:], timeLimit: 10, endLine: Self.end) { _ in }
        usleep(300_000)
        #expect(quick?.stop() == false)
    }
}
