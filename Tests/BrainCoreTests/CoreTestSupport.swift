import BrainProtocol
import Testing

@testable import BrainCore

/// Times for tests: nanoseconds, injected; the state has no clock of its own.
enum Time {
    static let start: Int64 = 1_700_000_000_000_000_000
    static func ms(_ milliseconds: Int64) -> Int64 { milliseconds * 1_000_000 }
    static func seconds(_ seconds: Int64) -> Int64 { seconds * 1_000_000_000 }
}

/// A state with one agent that said hello, and a counter for its event seqs.
struct Harness {
    var state: BrainState
    var agentID: String
    var seq: UInt64 = 0

    init(configuration: CoreConfiguration = CoreConfiguration(), name: String = "worker", project: String = "proj") {
        state = BrainState(configuration: configuration)
        switch state.hello(Hello(agentName: name, project: project), tokenHash: "hash-\(name)", now: Time.start) {
        case .success(let result): agentID = result.agent.agentID
        case .failure(let error):
            Issue.record("hello failed: \(error)")
            agentID = ""
        }
    }

    /// Says hello as another agent and returns its id.
    mutating func addAgent(_ name: String, project: String = "proj", now: Int64 = Time.start) -> String {
        switch state.hello(Hello(agentName: name, project: project), tokenHash: "hash-\(name)", now: now) {
        case .success(let result): return result.agent.agentID
        case .failure(let error):
            Issue.record("hello failed: \(error)")
            return ""
        }
    }

    /// Publishes `kind` with the next seq.
    @discardableResult
    mutating func publish(_ kind: AgentEvent.Kind, as agent: String? = nil, now: Int64 = Time.start) -> EventOutcome {
        seq += 1
        return state.apply(AgentEvent(seq: seq, kind: kind), agentID: agent ?? agentID, now: now)
    }

    /// Creates a run and returns its id (fails the test when refused).
    @discardableResult
    mutating func createRun(
        _ runID: String = "", goal: String = "goal", status: RunStatus = .running, parent: String = "",
        runType: String = "", timeoutMs: UInt64 = 0, as agent: String? = nil, now: Int64 = Time.start
    ) -> String {
        var created = RunCreated(runID: runID, goal: goal)
        created.initialStatus = status
        created.parentRunID = parent
        created.runType = runType
        created.timeoutMs = timeoutMs
        let outcome = publish(.runCreated(created), as: agent, now: now)
        guard outcome == .applied else {
            Issue.record("run_created refused: \(outcome)")
            return ""
        }
        return state.runs.last?.runID ?? ""
    }

    @discardableResult
    mutating func step(
        _ runID: String, seq: UInt32, name: String? = nil, status: StepStatus = .ok, output: String = "", now: Int64 = Time.start
    ) -> EventOutcome {
        var step = StepReported(runID: runID, seq: seq, stepName: name ?? "step-\(seq)", status: status)
        step.outputJSON = output
        return publish(.step(step), now: now)
    }

    @discardableResult
    mutating func setStatus(_ runID: String, _ status: RunStatus, now: Int64 = Time.start, _ edit: (inout RunStatusChanged) -> Void = { _ in })
        -> EventOutcome
    {
        var change = RunStatusChanged(runID: runID, status: status)
        edit(&change)
        return publish(.runStatus(change), now: now)
    }

    func run(_ runID: String) -> Run? { state.run(id: runID) }
    var agent: Agent? { state.agents[agentID] }
}

extension EventOutcome {
    /// The refusal's error, or nil when the event was applied or a duplicate.
    var error: BrainError? {
        if case .rejected(let error) = self { return error }
        return nil
    }
}

extension Result {
    /// The failure, or nil on success.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

enum UUIDShape {
    /// 8-4-4-4-12 lowercase hex digits.
    static func isLowercaseUUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return groups.allSatisfy { $0.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) } }
    }
}

extension HelloResult {
    /// The agent and whether it was registered, for `let (agent, registered) = ...`.
    var pair: (Agent, Bool) { (agent, registered) }
}
