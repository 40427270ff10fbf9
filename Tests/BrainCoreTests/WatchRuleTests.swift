import BrainProtocol
import Testing

@testable import BrainCore

/// The Watch hub's rule, in BrainCore: which changes a watch follows, and how it starts.
struct WatchRuleTests {
    static func run(_ runID: String, project: String) -> RunInfo {
        var info = RunInfo()
        info.runID = runID
        info.project = project
        return info
    }

    static func step(_ runID: String) -> StepInfo {
        var info = StepInfo()
        info.runID = runID
        return info
    }

    static func task(project: String) -> TaskInfo {
        var info = TaskInfo()
        info.project = project
        return info
    }

    static func schedule(project: String) -> ScheduleRecord {
        ScheduleRecord(serial: 1, project: project, scheduler: "beat", name: "n")
    }

    static func command(project: String) -> AgentCommandRecord {
        AgentCommandRecord(key: 0, commandID: "c", kind: .retryTask, project: project, agentID: "a", createdAt: 1, deadline: 2)
    }

    static let runA = "00000000-0000-4000-8000-00000000000a"
    static let runB = "00000000-0000-4000-8000-00000000000b"

    @Test(
        "which changes a watch follows",
        arguments: [
            // (query, change, follows)
            (WatchQuery(runID: runA), BrainChange.run(run(runA, project: "p")), true),
            (WatchQuery(runID: runA.uppercased()), .run(run(runA, project: "p")), true),
            (WatchQuery(runID: runA), .run(run(runB, project: "p")), false),
            (WatchQuery(project: "p"), .run(run(runB, project: "p")), true),
            (WatchQuery(project: "p"), .run(run(runB, project: "q")), false),
            (WatchQuery(), .run(run(runB, project: "q")), true),
            (WatchQuery(), .agent(AgentInfo()), false),
            (WatchQuery(agents: true), .agent(AgentInfo()), true),
            (WatchQuery(runID: runA), .step(step(runA)), true),
            (WatchQuery(runID: runA), .step(step(runB)), false),
            (WatchQuery(), .task(task(project: "p")), false),
            (WatchQuery(tasks: true), .task(task(project: "p")), true),
            (WatchQuery(project: "q", tasks: true), .task(task(project: "p")), false),
            (WatchQuery(schedules: true), .schedule(schedule(project: "p")), true),
            (WatchQuery(schedules: true), .scheduleRemoved(schedule(project: "p")), true),
            (WatchQuery(project: "q", schedules: true), .schedule(schedule(project: "p")), false),
            (WatchQuery(tasks: true), .schedule(schedule(project: "p")), false),
            (WatchQuery(commands: true), .command(command(project: "p")), true),
            (WatchQuery(project: "q", commands: true), .command(command(project: "p")), false),
            (WatchQuery(), .command(command(project: "p")), false),
            (WatchQuery(tasks: true, runsOff: true), .run(run(runB, project: "p")), false),
            (WatchQuery(runID: runA, runsOff: true), .step(step(runA)), false),
        ])
    func follows(_ query: WatchQuery, _ change: BrainChange, _ expected: Bool) {
        #expect(BrainState().watch(query, follows: change) == expected)
    }

    @Test("a step follows its run's project, looked up in the state")
    func stepOfAProject() {
        var harness = Harness(project: "p")
        let runID = harness.createRun()
        let state = harness.state
        #expect(state.watch(WatchQuery(project: "p"), follows: .step(Self.step(runID))))
        #expect(!state.watch(WatchQuery(project: "q"), follows: .step(Self.step(runID))))
    }

    @Test("a run watch starts with the run; an unknown or deleted run is NOT_FOUND, the deleted one saying so")
    func start() throws {
        var harness = Harness()
        let runID = harness.createRun()
        #expect(try harness.state.watchStart(WatchQuery(runID: runID)).get()?.runID == runID)
        #expect(try harness.state.watchStart(WatchQuery(project: "x")).get() == nil)
        #expect(harness.state.watchStart(WatchQuery(runID: Self.runB)).failure?.code == .notFound)
        _ = try harness.state.deleteRun(runID: runID, now: Time.start).get()
        let deleted = harness.state.watchStart(WatchQuery(runID: runID)).failure
        #expect(deleted?.code == .notFound)
        #expect(deleted?.message.contains("was deleted at") == true)
    }
}
