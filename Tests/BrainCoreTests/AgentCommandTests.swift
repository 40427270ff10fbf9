import BrainProtocol
import Testing

@testable import BrainCore

/// Commands to agents in the state: issuing, refusals, delivery, receipt and result (with the
/// agent-seq and command-id dedup), deadlines, late results, retry's `retried_as`, queries.
@Suite("Commands to agents")
struct AgentCommandTests {
    static let deadline = Time.start + Time.seconds(60)

    /// A harness with a started task `task-1` reported by its worker.
    static func withTask() -> Harness {
        var harness = Harness()
        harness.task(.started, "task-1") { $0.name = "app.charge" }
        return harness
    }

    static func retry(_ id: String = "", deadline: Int64 = deadline) -> AgentCommandRequest {
        AgentCommandRequest(commandID: id, kind: .retryTask, taskID: "task-1", deadline: deadline)
    }

    @Test func aRetryIsIssuedPendingToTheTasksAgentWithADeterministicID() throws {
        var harness = Self.withTask()
        let issued = harness.issue(Self.retry())
        let command = try #require(issued)
        #expect(command.state == .pending)
        #expect(command.agentID == harness.agentID)
        #expect((command.project, command.engine, command.taskName) == ("proj", "celery", "app.charge"))
        #expect(UUIDShape.isLowercaseUUID(command.commandID))
        var again = Self.withTask()
        #expect(again.issue(Self.retry())?.commandID == command.commandID, "the same history makes the same id")
        #expect(harness.issue(Self.retry("chosen"))?.commandID == "chosen")
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var request: AgentCommandRequest
        var code: StatusCode
        var testDescription: String { "\(request.kind.name) \(request.taskID)\(request.scheduleName) → \(code)" }
    }

    static let refusals: [Refusal] = [
        Refusal(request: AgentCommandRequest(kind: .retryTask, taskID: "nope", deadline: deadline), code: .notFound),
        Refusal(request: AgentCommandRequest(kind: .cancelTask, taskID: "nope", deadline: deadline), code: .notFound),
        Refusal(request: AgentCommandRequest(kind: .retryTask, taskID: "task-1", deadline: Time.start), code: .invalidArgument),
        Refusal(request: AgentCommandRequest(commandID: "dup", kind: .cancelTask, taskID: "task-1", deadline: deadline), code: .alreadyExists),
        Refusal(
            request: AgentCommandRequest(kind: .enableSchedule, project: "proj", scheduler: "beat", scheduleName: "nope", deadline: deadline), code: .notFound),
    ]

    @Test(arguments: refusals)
    func refused(_ row: Refusal) {
        var harness = Self.withTask()
        harness.issue(AgentCommandRequest(commandID: "dup", kind: .retryTask, taskID: "task-1", deadline: Self.deadline))
        let count = harness.state.agentCommands.count
        #expect(harness.refusal(row.request)?.code == row.code)
        #expect(harness.state.agentCommands.count == count)
    }

    @Test func aTaskWhoseAgentIsUnknownIsRefusedAndAnOfflineAgentIsFine() throws {
        var harness = Self.withTask()
        // Offline: the command waits.
        let offline = Time.start + Time.ms(Int64(harness.state.configuration.heartbeatTimeoutMs)) + 1
        _ = harness.state.apply(.timeouts(harness.state.dueTimeouts(now: offline)), now: offline)
        #expect(harness.agent?.state == .offline)
        #expect(harness.issue(Self.retry(), now: offline)?.state == .pending)
        // An agent the brain does not know (a snapshot from elsewhere, say).
        var records = harness.state.tasks
        records[0].agentID = "ghost"
        try harness.state.restoreTasks(records)
        #expect(harness.refusal(Self.retry(), now: offline)?.code == .failedPrecondition)
    }

    @Test func deliveryReceiptAndResultMoveItOnAndRepeatsChangeNothing() throws {
        var harness = Self.withTask()
        let id = try harness.issued(Self.retry())
        guard case .agentCommand(.success(let delivered)) = harness.state.apply(.commandDelivered(commandID: id), now: Time.start + 1) else {
            Issue.record("not delivered")
            return
        }
        #expect(delivered.state == .delivered && delivered.deliveredAt == Time.start + 1)
        #expect(harness.state.apply(.commandDelivered(commandID: id), now: Time.start + 2).changedState == false)
        #expect(harness.state.apply(.commandDelivered(commandID: "nope"), now: Time.start + 2).changedState == false)

        #expect(harness.receive(id, now: Time.start + 3) == .applied)
        #expect(harness.command(id)?.state == .acknowledged)
        #expect(harness.command(id)?.receivedAt == Time.start + 3)
        #expect(harness.receive(id, now: Time.start + 4) == .duplicate, "a second receipt, new seq: dedup on the command id")
        #expect(harness.command(id)?.receivedAt == Time.start + 3)

        #expect(harness.result(id, ok: true, message: "retried", newTaskID: "task-2", now: Time.start + 5) == .applied)
        #expect(harness.result(id, ok: false, message: "second", now: Time.start + 6) == .duplicate, "only the first result counts")
        let done = try harness.state.command(id: id).get()
        #expect((done.state, done.finishedAt, done.resultMessage, done.newTaskID) == (.succeeded, Time.start + 5, "retried", "task-2"))
        #expect(harness.task()?.retriedAs == "task-2", "a successful retry fills the original's retried_as")
    }

    @Test func aResentAgentEventIsADuplicateByItsSeq() throws {
        var harness = Self.withTask()
        let id = try harness.issued(Self.retry())
        harness.receive(id)
        let resent = CommandReceipt(seq: harness.seq, commandID: id)
        #expect(harness.apply(.commandReceived(resent, agentID: harness.agentID), now: Time.start) == .duplicate)
    }

    @Test func anotherAgentsOrAnUnknownCommandIsRefusedIntoTheSink() throws {
        var harness = Self.withTask()
        let other = harness.addAgent("other")
        let id = try harness.issued(Self.retry())
        #expect(harness.receive(id, as: other).error?.code == .permissionDenied)
        #expect(harness.result("nope", ok: true).error?.code == .notFound)
        #expect(harness.state.persistenceErrors.map(\.phase) == [PersistencePhase.agentCommand, PersistencePhase.agentCommand])
        #expect(harness.command(id)?.state == .pending)
    }

    @Test func theDeadlineTimesItOutAndALateResultIsKeptMarkedLate() throws {
        var harness = Self.withTask()
        let id = try harness.issued(Self.retry())
        let early = try harness.issued(Self.retry("later", deadline: Self.deadline + Time.seconds(60)))
        #expect(harness.state.dueCommandTimeouts(now: Self.deadline - 1).isEmpty)
        let due = harness.state.dueCommandTimeouts(now: Self.deadline)
        #expect(due == [id])
        _ = harness.state.apply(.commandTimeouts(due), now: Self.deadline)
        #expect(harness.command(id)?.state == .timedOut)
        #expect(harness.command(id)?.finishedAt == Self.deadline)
        #expect(harness.command(early)?.state == .pending)
        #expect(harness.state.dueCommandTimeouts(now: Self.deadline).isEmpty, "a timed-out command is not due again")

        #expect(harness.result(id, ok: true, message: "done late", newTaskID: "task-9", now: Self.deadline + 5) == .applied)
        let late = try harness.state.command(id: id).get()
        #expect((late.state, late.late, late.lateOK, late.resultMessage, late.finishedAt) == (.timedOut, true, true, "done late", Self.deadline))
        #expect(harness.task()?.retriedAs == "task-9", "the agent did retry it: the fact is kept")
        #expect(harness.result(id, ok: false, now: Self.deadline + 6) == .duplicate)
    }

    @Test func theResultMessageIsRedacted() throws {
        var harness = Self.withTask()
        let id = try harness.issued(Self.retry())
        harness.result(id, ok: false, message: "login failed for postgres://app:hunter2secret@db/x")
        let message = try harness.state.command(id: id).get().resultMessage
        #expect(!message.contains("hunter2secret"))
    }

    @Test func whatToDeliverAtHelloIsOpenUndeliveredOrUnacknowledgedBeforeTheDeadline() throws {
        var harness = Self.withTask()
        let pending = try harness.issued(Self.retry("a"))
        let delivered = try harness.issued(Self.retry("b"))
        let acknowledged = try harness.issued(Self.retry("c"))
        let finished = try harness.issued(Self.retry("d"))
        let short = try harness.issued(Self.retry("e", deadline: Time.start + 10))
        for id in [delivered, acknowledged] { _ = harness.state.apply(.commandDelivered(commandID: id), now: Time.start) }
        harness.receive(acknowledged)
        harness.result(finished, ok: false)
        #expect(harness.state.pendingCommands(for: harness.agentID, now: Time.start + 5).map(\.commandID) == [pending, delivered, short])
        #expect(harness.state.pendingCommands(for: harness.agentID, now: Time.start + 10).map(\.commandID) == [pending, delivered])
        #expect(harness.state.pendingCommands(for: "someone", now: Time.start).isEmpty)
    }

    @Test func listCommandsFiltersAndPagesNewestFirst() throws {
        var harness = Self.withTask()
        for index in 0..<5 { harness.issue(Self.retry("c\(index)")) }
        harness.result("c1", ok: true)
        harness.result("c3", ok: false)
        let all = try harness.state.listCommands(AgentCommandQuery(limit: 2)).get()
        #expect(all.commands.map(\.commandID) == ["c4", "c3"])
        let second = try harness.state.listCommands(AgentCommandQuery(cursor: all.nextCursor, limit: 2)).get()
        #expect(second.commands.map(\.commandID) == ["c2", "c1"])
        let last = try harness.state.listCommands(AgentCommandQuery(cursor: second.nextCursor, limit: 2)).get()
        #expect(last.commands.map(\.commandID) == ["c0"] && last.nextCursor.isEmpty)
        let finished = try harness.state.listCommands(AgentCommandQuery(states: [.succeeded, .failed])).get()
        #expect(finished.commands.map(\.commandID) == ["c3", "c1"])
        #expect(try harness.state.listCommands(AgentCommandQuery(agent: "worker")).get().commands.count == 5)
        #expect(try harness.state.listCommands(AgentCommandQuery(project: "other")).get().commands.isEmpty)
        #expect(harness.state.listCommands(AgentCommandQuery(cursor: "x1")).failure?.code == .invalidArgument)
        #expect(harness.state.command(id: "nope").failure?.code == .notFound)
    }

    @Test func scheduleCommandsSetEnabledOnlyWhenTheAgentConfirms() throws {
        var harness = Harness()
        harness.schedule("nightly", "0 3 * * *")
        let request = AgentCommandRequest(kind: .disableSchedule, project: "proj", scheduler: "beat", scheduleName: "nightly", deadline: Self.deadline)
        let id = try harness.issued(request)
        #expect(harness.scheduled("nightly")?.enabled == true, "issuing changes nothing yet")
        harness.result(id, ok: false, message: "beat refused")
        #expect(harness.scheduled("nightly")?.enabled == true)
        let again = try harness.issued(request)
        harness.result(again, ok: true)
        #expect(harness.scheduled("nightly")?.enabled == false)
        #expect(harness.scheduled("nightly")?.nextRunAt == 0, "a disabled schedule has no next run")
        var enable = request
        enable.kind = .enableSchedule
        let on = try harness.issued(enable)
        harness.result(on, ok: true, now: Time.start + 1)
        #expect(harness.scheduled("nightly")?.enabled == true)
        #expect((harness.scheduled("nightly")?.nextRunAt ?? 0) > Time.start)
    }

    @Test func changesAreCollectedForWatchers() throws {
        var harness = Self.withTask()
        harness.state.collectChanges = true
        _ = harness.state.drainChanges()
        let id = try harness.issued(Self.retry())
        harness.receive(id)
        let states = harness.state.drainChanges().compactMap { change -> AgentCommandState? in
            if case .command(let record) = change { return record.state }
            return nil
        }
        #expect(states == [.pending, .acknowledged])
    }
}
