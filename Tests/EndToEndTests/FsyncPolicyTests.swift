import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

/// The journal's fsync policies on a real daemon: every one keeps acknowledged events
/// across a process crash, and status names it; the same with the journal and snapshots
/// written through the page cache (--no-direct-io).
///
/// A SIGKILL keeps the page cache, so these cannot tell the policies apart: that `batch`
/// acknowledges only what was fsynced, and that `never` loses acknowledged events to a
/// machine crash, is proven by BrainServerTests' PowerCutTests, which cut the power at
/// every file call of the journal and snapshot writer.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct FsyncPolicyTests {
    @Test(arguments: [
        ["--fsync", "batch"], ["--fsync", "interval", "--fsync-interval", "20ms"], ["--fsync", "never"],
        ["--fsync", "batch", "--no-direct-io"],
    ])
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
        let acked = UInt64(3 * (CrashRecoveryTests.stepsPerRun + 2))
        let problems = try await CrashRecoveryTests.lostOrChanged(in: brain, ledger: CrashRecoveryTests.ledger, acked: acked)
        #expect(problems.isEmpty, "every acknowledged event with its content: \(problems.prefix(5))")
        brain.stop()
    }

    @Test func withoutDirectIOSnapshotsAndTheJournalRestoreEverything() async throws {
        let brain = try BrainProcess(arguments: ["--no-direct-io", "--snapshots-kept", "1"])
        try await brain.start()
        #expect(brain.readOutput().contains("journal writes: page cache (--no-direct-io)"))
        try await CrashRecoveryTests.stream(brain, runs: 0..<2)
        #expect(try brain.brainctl(["snapshot"]).0 == 0)
        try await CrashRecoveryTests.stream(brain, runs: 2..<4)
        brain.stop(signal: SIGKILL)
        try await brain.start(arguments: [])
        #expect(brain.readOutput().contains("journal writes: direct I/O") || brain.readOutput().contains("refused O_DIRECT"))
        let status = try #require(try brain.brainctlJSON(["status"]) as? [String: Any])
        #expect((status["runs"] as? [String: Int])?["completed"] == 4, "two from the snapshot, two from the journal")
        brain.stop()
    }

    @Test func aBadDirectIOEnvironmentValueIsRefused() throws {
        let brain = try BrainProcess()
        let (status, text) = try brain.startExpectingFailure(environment: ["BRAIN_DIRECT_IO": "maybe"])
        #expect(status != 0)
        #expect(text.contains("BRAIN_DIRECT_IO=maybe"))
    }

    @Test func anUnknownPolicyIsRefusedWithTheChoices() throws {
        let brain = try BrainProcess()
        let (status, text) = try brain.startExpectingFailure(arguments: ["--fsync", "sometimes"])
        #expect(status != 0)
        #expect(text.contains("batch, interval, never"))
    }
}
