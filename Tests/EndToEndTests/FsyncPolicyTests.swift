import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

/// The journal's fsync policies on a real daemon: every one keeps acknowledged events
/// across a process crash (the page cache survives a SIGKILL), and status names it.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct FsyncPolicyTests {
    @Test(arguments: [["--fsync", "batch"], ["--fsync", "interval", "--fsync-interval", "20ms"], ["--fsync", "never"]])
    func acknowledgedEventsSurviveASigkillUnderEveryPolicy(arguments: [String]) async throws {
        let brain = try BrainProcess(arguments: arguments)
        try await brain.start()
        let status = try #require(try brain.brainctlJSON(["status"]) as? [String: Any])
        #expect((status["fsync"] as? String)?.hasPrefix(arguments[1]) == true)
        try await CrashRecoveryTests.stream(brain, runs: 0..<3)
        brain.stop(signal: SIGKILL)
        try await brain.start()
        let after = try #require(try brain.brainctlJSON(["status"]) as? [String: Any])
        #expect((after["runs"] as? [String: Int])?["completed"] == 3)
        #expect(after["steps"] as? Int == 3 * CrashRecoveryTests.stepsPerRun)
        brain.stop()
    }

    @Test func anUnknownPolicyIsRefusedWithTheChoices() throws {
        let brain = try BrainProcess()
        let (status, text) = try brain.startExpectingFailure(arguments: ["--fsync", "sometimes"])
        #expect(status != 0)
        #expect(text.contains("batch, interval, never"))
    }
}
