import Testing

@testable import BrainCore

/// ``TaskStateMachine``: every merge rule by table, and order independence when attempts are given.
@Suite("Task merge rules")
struct TaskMergeTests {
    struct Row: CustomTestStringConvertible, Sendable {
        var from: TaskState
        var attempt: UInt32
        var stateTs: Int64
        var kind: TaskEventKind
        var eventAttempt: UInt32
        var ts: Int64
        var to: TaskState
        var toAttempt: UInt32
        var rule: TaskMergeRule

        init(
            _ from: TaskState, _ kind: TaskEventKind, _ to: TaskState, _ rule: TaskMergeRule, attempt: UInt32 = 1, eventAttempt: UInt32 = 0,
            toAttempt: UInt32 = 1, stateTs: Int64 = 10, ts: Int64 = 20
        ) {
            self.from = from
            self.attempt = attempt
            self.stateTs = stateTs
            self.kind = kind
            self.eventAttempt = eventAttempt
            self.ts = ts
            self.to = to
            self.toAttempt = toAttempt
            self.rule = rule
        }

        var testDescription: String { "\(from.name)#\(attempt) + \(kind.name)#\(eventAttempt) → \(to.name)#\(toAttempt) (\(rule.rawValue))" }
    }

    static let rows: [Row] = [
        // Precedence within an attempt: terminal beats non-terminal, started beats pending.
        Row(.pending, .started, .started, .precedence),
        Row(.pending, .succeeded, .succeeded, .precedence),
        Row(.started, .succeeded, .succeeded, .precedence),
        Row(.started, .failed, .failed, .precedence),
        Row(.started, .expired, .cancelled, .precedence),
        Row(.started, .taskSent, .started, .happenedBefore),
        Row(.succeeded, .started, .succeeded, .happenedBefore),
        Row(.failed, .taskSent, .failed, .happenedBefore),
        Row(.cancelled, .started, .cancelled, .happenedBefore),
        // Within the terminal tier: the later by the agent's clock; a tie keeps the first.
        Row(.succeeded, .failed, .failed, .laterTerminal, stateTs: 10, ts: 20),
        Row(.succeeded, .failed, .succeeded, .earlierTerminal, stateTs: 20, ts: 10),
        Row(.succeeded, .failed, .succeeded, .earlierTerminal, stateTs: 10, ts: 10),
        Row(.cancelled, .succeeded, .succeeded, .laterTerminal, stateTs: 10, ts: 30),
        Row(.succeeded, .succeeded, .succeeded, .sameState),
        Row(.cancelled, .expired, .cancelled, .sameState),
        Row(.started, .started, .started, .sameState),
        // Retry bypasses precedence, both ways, as in celery.events.state.
        Row(.started, .retry, .retried, .retryBypass),
        Row(.pending, .retry, .retried, .retryBypass),
        Row(.succeeded, .retry, .retried, .retryBypass),
        Row(.retried, .retry, .retried, .sameState),
        Row(.retried, .started, .started, .afterRetry),
        Row(.retried, .taskSent, .pending, .afterRetry),
        Row(.retried, .succeeded, .succeeded, .afterRetry),
        // Attempts: a later one restarts precedence, an earlier one is history, 0 is the current one.
        Row(.failed, .started, .started, .newAttempt, attempt: 1, eventAttempt: 2, toAttempt: 2),
        Row(.failed, .failed, .failed, .newAttempt, attempt: 1, eventAttempt: 2, toAttempt: 2),
        Row(.succeeded, .taskSent, .pending, .newAttempt, attempt: 1, eventAttempt: 2, toAttempt: 2),
        Row(.started, .retry, .started, .olderAttempt, attempt: 2, eventAttempt: 1, toAttempt: 2),
        Row(.succeeded, .failed, .succeeded, .olderAttempt, attempt: 2, eventAttempt: 1, toAttempt: 2),
        Row(.retried, .succeeded, .retried, .olderAttempt, attempt: 2, eventAttempt: 1, toAttempt: 2),
        Row(.pending, .started, .started, .precedence, attempt: 3, eventAttempt: 0, toAttempt: 3),
        Row(.pending, .started, .started, .precedence, attempt: 3, eventAttempt: 3, toAttempt: 3),
        // Lost: a real terminal event overrides it, an old non-terminal one does not.
        Row(.lost, .succeeded, .succeeded, .overridesLost),
        Row(.lost, .failed, .failed, .overridesLost, stateTs: 50, ts: 20),
        Row(.lost, .cancelled, .cancelled, .overridesLost),
        Row(.lost, .started, .lost, .happenedBefore),
        Row(.lost, .taskSent, .lost, .happenedBefore),
        Row(.lost, .retry, .retried, .retryBypass),
        Row(.lost, .started, .started, .newAttempt, attempt: 1, eventAttempt: 2, toAttempt: 2),
    ]

    @Test("merge rules", arguments: rows)
    func merge(_ row: Row) {
        let machine = TaskStateMachine(state: row.from, attempt: row.attempt, stateTs: row.stateTs)
        let (next, rule) = machine.merging(row.kind, attempt: row.eventAttempt, ts: row.ts)
        #expect(next.state == row.to)
        #expect(next.attempt == row.toAttempt)
        #expect(rule == row.rule)
        if !rule.changesState { #expect(next == machine, "a rule that changes nothing returns the state as it was") }
    }

    @Test func aTaskStartsInItsFirstEventsStateAtAttemptOneOrTheOneGiven() {
        #expect(TaskStateMachine.start(.started, attempt: 0, ts: 5) == TaskStateMachine(state: .started, attempt: 1, stateTs: 5))
        #expect(TaskStateMachine.start(.retry, attempt: 3, ts: 5) == TaskStateMachine(state: .retried, attempt: 3, stateTs: 5))
        #expect(TaskStateMachine.start(.expired, attempt: 0, ts: 5).state == .cancelled)
    }

    @Test(arguments: TaskState.allCases)
    func onlyAStartedTaskCanBeLost(_ state: TaskState) {
        let lost = TaskStateMachine(state: state, attempt: 2, stateTs: 7).losing()
        #expect((lost != nil) == (state == .started))
        #expect(lost.map { $0 == TaskStateMachine(state: .lost, attempt: 2, stateTs: 7) } ?? true)
    }

    @Test func theTiersAreAsDocumented() {
        #expect(TaskState.allCases.filter(\.isTerminal) == [.succeeded, .failed, .cancelled, .lost])
        #expect(TaskEventKind.allCases.map(\.target) == [.pending, .started, .succeeded, .failed, .retried, .cancelled, .cancelled])
    }

    /// Every arrival order of a retried task's events, attempts given, ends the same way.
    @Test func withAttemptsGivenEveryArrivalOrderEndsTheSame() {
        let events: [(TaskEventKind, UInt32, Int64)] = [(.taskSent, 1, 1), (.started, 1, 2), (.retry, 1, 3), (.started, 2, 4), (.succeeded, 2, 5)]
        func permutations<T>(_ items: [T]) -> [[T]] {
            guard items.count > 1 else { return [items] }
            return items.indices.flatMap { index in
                var rest = items
                let item = rest.remove(at: index)
                return permutations(rest).map { [item] + $0 }
            }
        }
        for order in permutations(events) {
            var machine = TaskStateMachine.start(order[0].0, attempt: order[0].1, ts: order[0].2)
            for (kind, attempt, ts) in order.dropFirst() { machine = machine.merging(kind, attempt: attempt, ts: ts).next }
            #expect(machine.state == .succeeded, "\(order)")
            #expect(machine.attempt == 2, "\(order)")
        }
    }
}
