import BrainProtocol
import Testing

@testable import BrainCore

extension Harness {
    /// Reports a task event with the next seq, through the command the server builds
    /// (``BrainState/taskEventCommand(_:agentID:)``), and returns what applying it did.
    @discardableResult
    mutating func task(
        _ kind: TaskEventKind, _ taskID: String = "task-1", ts: Int64 = Time.start, attempt: UInt32 = 0, engine: String = "celery",
        as agent: String? = nil, now: Int64 = Time.start, _ edit: (inout TaskEventReport) -> Void = { _ in }
    ) -> EventOutcome {
        seq += 1
        var report = TaskEventReport(seq: seq, taskID: taskID, engine: engine, kind: kind, ts: ts, attempt: attempt)
        edit(&report)
        return apply(state.taskEventCommand(report, agentID: agent ?? agentID), now: now)
    }

    /// Applies a command and returns its event outcome (a failure of the test when it has none).
    mutating func apply(_ command: BrainCommand, now: Int64) -> EventOutcome {
        guard case .event(let outcome) = state.apply(command, now: now) else {
            Issue.record("not an event outcome")
            return .duplicate
        }
        return outcome
    }

    /// The task with `taskID` (fails the test when there is not exactly one).
    func task(_ taskID: String = "task-1") -> TaskRecord? {
        switch state.task(id: taskID) {
        case .success(let task): return task
        case .failure(let error):
            Issue.record("no task \(taskID): \(error)")
            return nil
        }
    }
}
