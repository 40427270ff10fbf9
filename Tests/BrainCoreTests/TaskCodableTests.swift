import BrainProtocol
import Foundation
import Testing

@testable import BrainCore

/// Projects and tasks survive the state's JSON round trip, with their indexes rebuilt.
@Suite("Tasks and projects Codable")
struct TaskCodableTests {
    /// A state with a project of its own, and tasks in every state with errors, events and payloads.
    static func populated() -> Harness {
        var harness = Harness()
        _ = harness.state.apply(
            .createProject(name: "proj", settings: ProjectSettings(redaction: RedactionOverrides(extraKeyPatterns: ["pin"]), timeZone: "Europe/Riga")),
            now: Time.start
        )
        harness.task(.taskSent, "a", ts: Time.start) {
            $0.name = "app.add"
            $0.argsJSON = "[1, {\"pin\": 1}]"
            $0.payloadJSON = "{\"eta\": null}"
        }
        harness.task(.started, "a", ts: Time.start + 1)
        harness.task(.failed, "b", ts: Time.start + 2) {
            $0.excType = "E"
            $0.excMessage = "m\n\"quoted\" ü"
            $0.traceback = "tb"
        }
        harness.task(.retry, "c", attempt: 2) { $0.retriedAs = "c2" }
        harness.task(.expired, "d")
        harness.task(.started, "e", engine: "rq")
        _ = harness.state.apply(.taskLiveness([LostTask(project: "proj", engine: "rq", taskID: "e", reason: "gone")]), now: Time.start + 9)
        return harness
    }

    static func roundTrip(_ state: BrainState) throws -> BrainState {
        try JSONDecoder().decode(BrainState.self, from: JSONEncoder().encode(state))
    }

    @Test func projectsAndTasksSurviveAndTheirIndexesAreRebuilt() throws {
        let harness = Self.populated()
        var decoded = try Self.roundTrip(harness.state)
        #expect(decoded.tasks == harness.state.tasks)
        #expect(decoded.listProjects() == harness.state.listProjects())
        #expect(decoded.taskTable.eventCount == harness.state.taskTable.eventCount)
        #expect(decoded.taskTable.nextSerial == harness.state.taskTable.nextSerial)
        #expect(decoded.taskTable.startedByAgent == harness.state.taskTable.startedByAgent)
        #expect(decoded.redactionPolicy(forProject: "proj").extraKeyPatterns == ["pin"])
        #expect((try? decoded.task(id: "e").get())?.state == .lost)
        // The decoded state keeps merging onto the same tasks.
        var harnessAfter = harness
        harnessAfter.state = decoded
        harnessAfter.task(.succeeded, "a", ts: Time.start + 5)
        decoded = harnessAfter.state
        #expect(decoded.tasks.count == harness.state.tasks.count)
        #expect((try? decoded.task(id: "a").get())?.state == .succeeded)
        #expect(decoded.taskTable.startedByAgent.isEmpty)
    }

    @Test func aStateWrittenBeforeTasksDecodesWithTheDefaultProjectOnly() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.populated().state)) as? [String: Any])
        object["projects"] = nil
        object["tasks"] = nil
        let decoded = try JSONDecoder().decode(BrainState.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(decoded.listProjects() == [Project.initial])
        #expect(decoded.tasks.isEmpty)
    }

    @Test func aTaskOutOfPlaceIsRefused() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.populated().state)) as? [String: Any])
        var tasks = try #require(object["tasks"] as? [[String: Any]])
        tasks[0]["key"] = 3
        object["tasks"] = tasks
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(BrainState.self, from: JSONSerialization.data(withJSONObject: object)) }
    }
}
