import BrainProtocol
import Testing

@testable import BrainCore

/// BrainCore's side of the wire for schedules and commands: what an agent's events become
/// (before redaction) and what clients are shown.
struct ScheduleCommandWireTests {
    @Test func aReportKeepsEveryFieldAndAnUnspecifiedTypeIsUnsupported() {
        var wire = ScheduleReport(scheduler: "celery-beat", name: "nightly")
        wire.task = "app.nightly"
        wire.type = .cron
        wire.expression = "0 3 * * *"
        wire.dialect = .celery
        wire.kwargsJSON = "{\"a\":1}"
        wire.enabled = true
        wire.lastRunAt = 7
        let report = ReportedSchedule(wire)
        #expect(report.type == .cron && report.dialect == .celery && report.expression == "0 3 * * *" && report.lastRunAt == 7)
        #expect(report.kwargsJSON == "{\"a\":1}" && !report.isRedacted)
        wire.type = .unspecified
        #expect(ReportedSchedule(wire).type == .unsupported)
        let listing = ReportedScheduleListing(ScheduleListing(scheduler: "b", schedules: [wire], complete: true), seq: 9)
        #expect(listing.seq == 9 && listing.complete && listing.reports.count == 1)
    }

    @Test func agentEventsBecomeTheirCommandsAndOthersDoNot() {
        let state = BrainState()
        let result = state.agentEventCommand(AgentEvent(seq: 3, kind: .commandResult(CommandResult(commandID: "c", ok: true))), agentID: "a")
        guard case .commandResult(let report, let agentID)? = result else {
            Issue.record("no command result: \(String(describing: result))")
            return
        }
        #expect(report.seq == 3 && report.commandID == "c" && report.ok && report.isRedacted && agentID == "a")
        let received = state.agentEventCommand(AgentEvent(seq: 4, kind: .commandReceived(commandID: "c")), agentID: "a")
        guard case .commandReceived(let receipt, _)? = received else {
            Issue.record("no receipt")
            return
        }
        #expect(receipt == CommandReceipt(seq: 4, commandID: "c"))
        let task = state.agentEventCommand(AgentEvent(seq: 5, kind: .taskEvent(TaskEventReported(taskID: "t"))), agentID: "a")
        #expect(task.map { _ in true } == nil, "a task event has its own command")
    }

    @Test func queriesRefuseWhatTheyCannotMean() {
        var schedules = ListSchedulesQuery()
        schedules.enabledFilter = 2
        #expect(ScheduleQuery(schedules)?.enabled == false)
        schedules.enabledFilter = 3
        #expect(ScheduleQuery(schedules) == nil)
        var commands = ListCommandsQuery()
        commands.states = [.timedOut, .pending]
        #expect(AgentCommandQuery(commands)?.states == [.timedOut, .pending])
        commands.states = [.unspecified]
        #expect(AgentCommandQuery(commands) == nil)
    }

    @Test func aCommandIsShownAndSentByReference() {
        var record = AgentCommandRecord(
            key: 0, commandID: "c", kind: .retryTask, project: "p", agentID: "a", createdAt: 1, deadline: 2)
        record.taskID = "t"
        record.engine = "celery"
        record.taskName = "app.charge"
        record.machine = record.machine.on(.deadlinePassed).0
        let info = record.info
        #expect(info.kind == .retryTask && info.state == .timedOut && info.taskID == "t" && info.deadline == 2)
        let sent = record.wireCommand
        #expect(sent.commandID == "c" && sent.kind == .retryTask && sent.taskName == "app.charge" && sent.deadline == 2)
        for state in AgentCommandState.allCases { #expect(AgentCommandState(state.wire) == state) }
        for kind in AgentCommandKind.allCases { #expect(AgentCommandKind(kind.wire) == kind) }
        for type in ScheduleType.allCases { #expect(ScheduleType(type.wire) == type) }
    }
}
