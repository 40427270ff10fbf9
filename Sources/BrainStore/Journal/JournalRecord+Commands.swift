import BrainCore

/// The payloads of kinds 13 to 23: commands to agents, schedules, retention sweeps and
/// next-run recompute batches. Each
/// is `u8 kind | i64 now` (``RecordWriter/header(_:_:)``) and then the fields below, strings
/// as `u32 length + UTF-8`, integers little-endian, booleans one byte, lists `u32 count + items`.
extension JournalRecord {
    /// Writes the fields of a kind from 13 to 23 (the header included).
    func encodeCommandPayload(into writer: inout RecordWriter) {
        switch self {
        case .issueAgentCommand(let request, let now):
            writer.header(.issueAgentCommand, now)
            for field in [request.commandID, request.kind.name, request.taskID, request.engine, request.project, request.scheduler, request.scheduleName] {
                writer.string(field)
            }
            writer.integer(UInt64(bitPattern: request.deadline))
        case .commandDelivered(let commandID, let now):
            writer.header(.commandDelivered, now)
            writer.string(commandID)
        case .commandReceived(let agentID, let receipt, let now):
            writer.header(.commandReceived, now)
            writer.string(agentID)
            writer.integer(receipt.seq)
            writer.string(receipt.commandID)
        case .commandResult(let agentID, let report, let now):
            writer.header(.commandResult, now)
            writer.string(agentID)
            writer.integer(report.seq)
            writer.string(report.commandID)
            writer.integer(UInt8(report.ok ? 1 : 0))
            writer.string(report.message)
            writer.string(report.newTaskID)
        case .commandTimeouts(let commandIDs, let now):
            writer.header(.commandTimeouts, now)
            writer.strings(commandIDs)
        case .scheduleUpsert(let agentID, let seq, let report, let now):
            writer.header(.scheduleUpsert, now)
            writer.string(agentID)
            writer.integer(seq)
            writer.scheduleReport(report)
        case .scheduleDelete(let agentID, let deletion, let now):
            writer.header(.scheduleDelete, now)
            writer.string(agentID)
            writer.integer(deletion.seq)
            writer.string(deletion.scheduler)
            writer.string(deletion.name)
        case .scheduleFired(let agentID, let firing, let now):
            writer.header(.scheduleFired, now)
            writer.string(agentID)
            writer.integer(firing.seq)
            writer.string(firing.scheduler)
            writer.string(firing.name)
            writer.integer(UInt64(bitPattern: firing.at))
            writer.string(firing.taskID)
        case .scheduleListing(let agentID, let listing, let now):
            writer.header(.scheduleListing, now)
            writer.string(agentID)
            writer.integer(listing.seq)
            writer.string(listing.scheduler)
            writer.integer(UInt8(listing.complete ? 1 : 0))
            writer.integer(UInt32(listing.reports.count))
            for report in listing.reports { writer.scheduleReport(report) }
        case .retentionSweep(let sweep, let now):
            writer.header(.retentionSweep, now)
            writer.strings(sweep.runIDs)
            writer.integer(UInt32(sweep.tasks.count))
            for task in sweep.tasks { writer.taskRef(task) }
            writer.integer(UInt32(sweep.taskEvents.count))
            for trim in sweep.taskEvents {
                writer.taskRef(trim.task)
                writer.integer(UInt64(bitPattern: trim.createdBefore))
            }
            writer.integer(UInt32(sweep.sinkSerials.count))
            for serial in sweep.sinkSerials { writer.integer(serial) }
            writer.strings(sweep.commandIDs)
        case .recomputeNextRuns(let batch, let now):
            // The schedules by identity (project, scheduler and name joined by NUL bytes).
            writer.header(.recomputeNextRuns, now)
            writer.string(batch.project)
            writer.integer(UInt64(bitPattern: batch.asOf))
            writer.strings(batch.identities)
        default:
            assertionFailure("encodeCommandPayload is for kinds 13 to 23")
        }
    }

    /// Reads the fields of a kind from 13 to 23 (after the header); `nil` when they are short
    /// or hold a name this build does not know.
    static func decodeCommandPayload(_ kind: Kind, now: Int64, from reader: inout RecordReader) -> JournalRecord? {
        switch kind {
        case .issueAgentCommand:
            guard let id = reader.string(), let kindName = reader.string(), let commandKind = AgentCommandKind(name: kindName), let taskID = reader.string(),
                let engine = reader.string(), let project = reader.string(), let scheduler = reader.string(), let scheduleName = reader.string(),
                let deadline = reader.i64()
            else { return nil }
            let request = AgentCommandRequest(
                commandID: id, kind: commandKind, taskID: taskID, engine: engine, project: project, scheduler: scheduler, scheduleName: scheduleName,
                deadline: deadline)
            return .issueAgentCommand(request, now: now)
        case .commandDelivered:
            guard let commandID = reader.string() else { return nil }
            return .commandDelivered(commandID: commandID, now: now)
        case .commandReceived:
            guard let agentID = reader.string(), let seq = reader.integer(UInt64.self), let commandID = reader.string() else { return nil }
            return .commandReceived(agentID: agentID, receipt: CommandReceipt(seq: seq, commandID: commandID), now: now)
        case .commandResult:
            guard let agentID = reader.string(), let seq = reader.integer(UInt64.self), let commandID = reader.string(), let ok = reader.flag(),
                let message = reader.string(), let newTaskID = reader.string()
            else { return nil }
            var report = CommandResultReport(seq: seq, commandID: commandID, ok: ok, message: message, newTaskID: newTaskID)
            report.isRedacted = true
            return .commandResult(agentID: agentID, report: report, now: now)
        case .commandTimeouts:
            guard let commandIDs = reader.strings() else { return nil }
            return .commandTimeouts(commandIDs, now: now)
        case .scheduleUpsert:
            guard let agentID = reader.string(), let seq = reader.integer(UInt64.self), let report = reader.scheduleReport() else { return nil }
            return .scheduleUpsert(agentID: agentID, seq: seq, report: report, now: now)
        case .scheduleDelete:
            guard let agentID = reader.string(), let seq = reader.integer(UInt64.self), let scheduler = reader.string(), let name = reader.string() else {
                return nil
            }
            return .scheduleDelete(agentID: agentID, deletion: ScheduleDeletion(seq: seq, scheduler: scheduler, name: name), now: now)
        case .scheduleFired:
            guard let agentID = reader.string(), let seq = reader.integer(UInt64.self), let scheduler = reader.string(), let name = reader.string(),
                let at = reader.i64(), let taskID = reader.string()
            else { return nil }
            return .scheduleFired(agentID: agentID, firing: ScheduleFiring(seq: seq, scheduler: scheduler, name: name, at: at, taskID: taskID), now: now)
        case .scheduleListing:
            guard let agentID = reader.string(), let seq = reader.integer(UInt64.self), let scheduler = reader.string(), let complete = reader.flag(),
                let count = reader.integer(UInt32.self), count < 1_000_000
            else { return nil }
            var reports: [ReportedSchedule] = []
            for _ in 0..<count {
                guard let report = reader.scheduleReport() else { return nil }
                reports.append(report)
            }
            let listing = ReportedScheduleListing(seq: seq, scheduler: scheduler, reports: reports, complete: complete)
            return .scheduleListing(agentID: agentID, listing: listing, now: now)
        case .retentionSweep:
            return reader.retentionSweep().map { .retentionSweep($0, now: now) }
        case .recomputeNextRuns:
            guard let project = reader.string(), let asOf = reader.i64(), let identities = reader.strings() else { return nil }
            return .recomputeNextRuns(ScheduleRecomputeBatch(project: project, asOf: asOf, identities: identities), now: now)
        default:
            return nil
        }
    }

    /// A result's message redacted under the default policy (a command not built by
    /// ``BrainState/commandResultCommand(_:agentID:)``).
    static func redacted(_ report: CommandResultReport) -> CommandResultReport {
        let redactor = Redactor()
        var redacted = report
        redacted.message = redactor.redactText(report.message, limit: redactor.policy.maxValueBytes)
        redacted.isRedacted = true
        return redacted
    }
}

extension RecordWriter {
    mutating func scheduleReport(_ report: ReportedSchedule) {
        for field in [
            report.scheduler, report.name, report.task, report.type.name, report.expression, report.dialect.rawValue, report.argsJSON, report.kwargsJSON,
        ] {
            string(field)
        }
        integer(UInt8(report.enabled ? 1 : 0))
        string(report.metadataJSON)
        integer(UInt64(bitPattern: report.lastRunAt))
    }

    mutating func taskRef(_ task: TaskRef) {
        for field in [task.project, task.engine, task.taskID] { string(field) }
    }
}

extension RecordReader {
    /// A boolean byte (0 or 1; anything else is damage).
    mutating func flag() -> Bool? {
        guard let byte = u8(), byte <= 1 else { return nil }
        return byte == 1
    }

    /// A journalled schedule report: redacted before it was written, so marked as such.
    mutating func scheduleReport() -> ReportedSchedule? {
        guard let scheduler = string(), let name = string(), let task = string(), let typeName = string(), let type = ScheduleType(name: typeName),
            let expression = string(), let dialectName = string(), let dialect = CronDayFieldDialect(rawValue: dialectName), let args = string(),
            let kwargs = string(), let enabled = flag(), let metadata = string(), let lastRunAt = i64()
        else { return nil }
        var report = ReportedSchedule(
            scheduler: scheduler, name: name, task: task, type: type, expression: expression, dialect: dialect, argsJSON: args, kwargsJSON: kwargs,
            enabled: enabled, metadataJSON: metadata, lastRunAt: lastRunAt)
        report.isRedacted = true
        return report
    }

    mutating func taskRef() -> TaskRef? {
        guard let project = string(), let engine = string(), let taskID = string() else { return nil }
        return TaskRef(project: project, engine: engine, taskID: taskID)
    }

    mutating func retentionSweep() -> RetentionSweep? {
        guard let runIDs = strings(), let taskCount = integer(UInt32.self), taskCount < 10_000_000 else { return nil }
        var sweep = RetentionSweep(runIDs: runIDs)
        for _ in 0..<taskCount {
            guard let task = taskRef() else { return nil }
            sweep.tasks.append(task)
        }
        guard let trimCount = integer(UInt32.self), trimCount < 10_000_000 else { return nil }
        for _ in 0..<trimCount {
            guard let task = taskRef(), let before = i64() else { return nil }
            sweep.taskEvents.append(TaskEventTrim(task: task, createdBefore: before))
        }
        guard let serialCount = integer(UInt32.self), serialCount < 10_000_000 else { return nil }
        for _ in 0..<serialCount {
            guard let serial = integer(UInt64.self) else { return nil }
            sweep.sinkSerials.append(serial)
        }
        guard let commandIDs = strings() else { return nil }
        sweep.commandIDs = commandIDs
        return sweep
    }
}
