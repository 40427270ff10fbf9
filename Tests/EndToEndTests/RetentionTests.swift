import BrainClient
import BrainProtocol
import Foundation
import Testing
import _BrainTestSupport

/// Retention against a real brain: the tick's sweep removes what a project's settings expire,
/// and `brainctl status` shows the last sweep.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct RetentionTests {
    @Test func aSweepRemovesExpiredTasksAndStatusShowsIt() async throws {
        let brain = try BrainProcess(arguments: ["--retention-sweep-interval", "200ms"])
        try await brain.start()
        let (_, before, _) = try brain.brainctl(["status"])
        #expect(before.contains("retention:  no sweep has removed anything"))
        #expect(try brain.brainctl(["project", "create", "short", "--retention-tasks", "1s"]).0 == 0)
        let session = try await TaskTests.agent(brain, name: "worker", project: "short")
        try await CommandTests.failedTask(session, "t-old")
        // Not checked as present first: a second later it may be gone already. The sweep's
        // count below says it was there and went.
        #expect(try await eventually(10) { try brain.brainctlItems(["tasks"]).isEmpty })
        let status = try #require(try brain.brainctlJSON(["status"]) as? [String: Any])
        let sweep = try #require(status["last_retention_sweep"] as? [String: Any])
        #expect(sweep["tasks"] as? Int == 1 && sweep["truncated"] as? Bool == false && sweep["at"] is String)
        let (_, text, _) = try brain.brainctl(["status"])
        #expect(text.contains("retention:  last sweep") && text.contains("1 tasks"))
        await session.close()
        brain.stop()
    }
}
