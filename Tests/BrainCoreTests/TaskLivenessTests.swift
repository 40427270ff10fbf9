import BrainProtocol
import Testing

@testable import BrainCore

/// `lost` is the brain's decision (an agent offline past the grace period), a later real
/// terminal event overrides it, and stuck tasks are found and only shown.
@Suite("Task liveness")
struct TaskLivenessTests {
    static let grace = TaskSettings().lostGraceNs

    /// A worker with a started task, a pending one and a finished one, gone silent at the start.
    static func harness() -> Harness {
        var harness = Harness()
        harness.task(.started, "running")
        harness.task(.taskSent, "waiting")
        harness.task(.succeeded, "done")
        return harness
    }

    /// Applies what is due at `now`, as the server's tick does.
    static func tick(_ harness: inout Harness, at now: Int64) -> [LostTask] {
        let timeouts = harness.state.dueTimeouts(now: now)
        if !timeouts.isEmpty { _ = harness.state.apply(.timeouts(timeouts), now: now) }
        let lost = harness.state.dueTaskLiveness(now: now)
        if !lost.isEmpty {
            let outcome = harness.state.apply(.taskLiveness(lost), now: now)
            #expect(outcome.changedState)
        }
        return lost
    }

    @Test func aStartedTaskIsLostOnlyAfterItsAgentStaysOfflinePastTheGracePeriod() throws {
        var harness = Self.harness()
        let offlineAt = Time.start + Time.seconds(7)
        #expect(Self.tick(&harness, at: offlineAt).isEmpty)
        #expect(harness.agent?.state == .offline)
        #expect(Self.tick(&harness, at: offlineAt + Self.grace).isEmpty, "not past the grace period yet")
        #expect(harness.task("running")?.state == .started)
        let lost = Self.tick(&harness, at: offlineAt + Self.grace + 1)
        #expect(lost.map(\.taskID) == ["running"])
        let task = try #require(harness.task("running"))
        #expect(task.state == .lost)
        #expect(task.stateSince == offlineAt + Self.grace + 1)
        #expect(task.stateReason.contains("agent worker"))
        #expect(task.stateReason.contains("300 s"))
        #expect(task.finishedAt == 0, "the brain's clock is not written into the agent's times")
        #expect(harness.task("waiting")?.state == .pending, "a pending task is not running anywhere")
        #expect(harness.task("done")?.state == .succeeded)
        #expect(harness.state.dueTaskLiveness(now: offlineAt + Self.grace * 2).isEmpty, "decided once")
    }

    @Test func aRealTerminalEventFromTheAgentOverridesLost() throws {
        var harness = Self.harness()
        _ = Self.tick(&harness, at: Time.start + Time.seconds(7))
        _ = Self.tick(&harness, at: Time.start + Time.seconds(7) + Self.grace + 1)
        let later = Time.start + Self.grace * 2
        _ = harness.state.hello(Hello(agentName: "worker", project: "proj"), tokenHash: "hash-worker", now: later)
        harness.task(.started, "running", now: later)  // a buffered old event: still lost
        #expect(harness.task("running")?.state == .lost)
        harness.task(.succeeded, "running", ts: Time.start + 50, now: later)
        let task = try #require(harness.task("running"))
        #expect(task.state == .succeeded)
        #expect(task.stateReason == "")
        #expect(task.events.last?.rule == .overridesLost)
    }

    @Test func aTaskWhoseAgentCameBackOrMovedOnIsNotLost() {
        var harness = Self.harness()
        _ = Self.tick(&harness, at: Time.start + Time.seconds(7))
        let due = harness.state.dueTaskLiveness(now: Time.start + Self.grace * 2)
        #expect(due.count == 1)
        // The task finished before the decision was applied: the decision leaves it alone.
        harness.task(.succeeded, "running", now: Time.start + Self.grace * 2)
        _ = harness.state.apply(.taskLiveness(due), now: Time.start + Self.grace * 2)
        #expect(harness.task("running")?.state == .succeeded)
        // An agent back online loses nothing.
        var other = Self.harness()
        _ = Self.tick(&other, at: Time.start + Time.seconds(7))
        other.state.signOfLife(agentID: other.agentID, now: Time.start + Time.seconds(8))
        #expect(other.state.dueTaskLiveness(now: Time.start + Self.grace * 2).isEmpty)
    }

    @Test func theGracePeriodIsASetting() {
        var harness = Self.harness()
        harness.state.taskSettings.lostGraceNs = Time.seconds(1)
        _ = Self.tick(&harness, at: Time.start + Time.seconds(7))
        #expect(Self.tick(&harness, at: Time.start + Time.seconds(9)).count == 1)
        #expect(harness.task("running")?.stateReason.contains("1 s") == true)
    }

    @Test func stuckTasksAreFoundLongestFirstAndLeftAlone() throws {
        var harness = Harness()
        harness.task(.started, "old", now: Time.start)
        harness.task(.started, "newer", now: Time.start + Time.seconds(600))
        harness.task(.started, "fresh", now: Time.start + Time.seconds(3_000))
        harness.task(.started, "finished", now: Time.start)
        harness.task(.succeeded, "finished", now: Time.start + 1)
        let now = Time.start + Time.seconds(4_300)
        #expect(harness.state.stuckTasks(now: now).map(\.taskID) == ["old", "newer"], "the default threshold is an hour")
        #expect(harness.state.stuckTasks(now: now, olderThan: Time.seconds(60)).map(\.taskID) == ["old", "newer", "fresh"])
        let before = harness.state.tasks
        _ = harness.state.stuckTasks(now: now)
        #expect(harness.state.tasks == before)
    }
}
