import Foundation
import Testing

@testable import BrainCore

/// ``BrainState``'s Codable form keeps commands to agents and schedules, with their indexes.
@Suite("Commands and schedules in the state's Codable form")
struct CommandCodableTests {
    @Test func commandsAndSchedulesRoundTrip() throws {
        var harness = Harness()
        harness.task(.started, "t1")
        let open = try harness.issued(AgentCommandRequest(kind: .cancelTask, taskID: "t1", deadline: Time.start + Time.seconds(60)))
        let done = try harness.issued(AgentCommandRequest(kind: .retryTask, taskID: "t1", deadline: Time.start + Time.seconds(60)))
        harness.result(done, ok: true, newTaskID: "t2")
        harness.schedule("nightly", "0 3 * * *") { $0.argsJSON = "[1, 2]" }
        harness.schedule("bad", "0 3 * * MON#2")
        let decoded = try JSONDecoder().decode(BrainState.self, from: JSONEncoder().encode(harness.state))
        #expect(decoded.agentCommands == harness.state.agentCommands)
        #expect(decoded.schedules.sorted { $0.serial < $1.serial } == harness.state.schedules.sorted { $0.serial < $1.serial })
        #expect(decoded.scheduleTable.lastSerial == 2)
        #expect(decoded.pendingCommands(for: harness.agentID, now: Time.start).map(\.commandID) == [open])
        #expect(try decoded.schedule(project: "proj", scheduler: "beat", name: "nightly").get().timing != nil, "expressions are compiled again")
    }

    @Test func aStateWithoutThemDecodesEmpty() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(BrainState())) as? [String: Any])
        for key in ["agent_commands", "schedules", "schedule_serial", "schedule_recomputes"] { object[key] = nil }
        let decoded = try JSONDecoder().decode(BrainState.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(decoded.agentCommands.isEmpty && decoded.schedules.isEmpty)
    }
}
