import BrainCore

/// A journalled ``BrainCommand`` as the journal keeps it: the command log's record.
///
/// BrainStore only serializes: events and hellos keep the wire frame they arrived in as
/// bytes (BrainCore reads them: ``BrainCommand/eventFrame(_:agentID:)``,
/// ``BrainCommand/helloFrame(_:tokenHash:)``), everything else its fields. Replaying the
/// records of a journal in order onto the snapshot they follow, each through
/// ``BrainState/apply(_:now:)`` at its recorded time, rebuilds the state exactly.
///
/// Kinds are only ever added: a journal segment starts with its format version
/// (``Journal/magic``), and version 2 is version 1 plus ``pruneErrors(now:)`` and the task and
/// project kinds (9 to 12).
/// Kinds 9 to 12 (``taskEvent(agentID:report:now:)``, ``taskLiveness(_:now:)``,
/// ``createProject(name:settings:now:)``, ``updateProject(name:settings:now:)``) are newer
/// than version 2: a brain that does not know them reads them as damage, not as records to skip.
/// So are kinds 13 to 23: commands to agents (13 to 17), schedules (18 to 21), retention
/// sweeps (22) and next-run recompute batches (23), encoded in `JournalRecord+Commands.swift`.
package enum JournalRecord: Hashable, Sendable {
    /// An agent event: the raw `Request` frame body it arrived in.
    case event(agentID: String, request: [UInt8], now: Int64)
    /// A successful hello: the `Request` with its token removed, and the token's HMAC.
    case hello(tokenHash: String, request: [UInt8], now: Int64)
    case createAgent(name: String, project: String, tokenHash: String, now: Int64)
    case cancelRun(runID: String, reason: String, now: Int64)
    case deleteRun(runID: String, now: Int64)
    case timeouts(Timeouts, now: Int64)
    case error(BrainCommand.ErrorRow, now: Int64)
    case pruneErrors(now: Int64)
    /// A task event, redacted: its fields, not a frame (the wire does not carry task events
    /// yet, and a frame would hold what the agent sent, secrets included).
    case taskEvent(agentID: String, report: TaskEventReport, now: Int64)
    case taskLiveness([LostTask], now: Int64)
    case createProject(name: String, settings: ProjectSettings, now: Int64)
    case updateProject(name: String, settings: ProjectSettings, now: Int64)
    case issueAgentCommand(AgentCommandRequest, now: Int64)
    case commandDelivered(commandID: String, now: Int64)
    case commandReceived(agentID: String, receipt: CommandReceipt, now: Int64)
    /// An agent's result, its message redacted.
    case commandResult(agentID: String, report: CommandResultReport, now: Int64)
    case commandTimeouts([String], now: Int64)
    /// A schedule report, redacted.
    case scheduleUpsert(agentID: String, seq: UInt64, report: ReportedSchedule, now: Int64)
    case scheduleDelete(agentID: String, deletion: ScheduleDeletion, now: Int64)
    case scheduleFired(agentID: String, firing: ScheduleFiring, now: Int64)
    /// A listing, every report redacted.
    case scheduleListing(agentID: String, listing: ReportedScheduleListing, now: Int64)
    case retentionSweep(RetentionSweep, now: Int64)
    /// One batch of next runs predicted after a time-zone change.
    case recomputeNextRuns(ScheduleRecomputeBatch, now: Int64)

    enum Kind: UInt8 {
        case event = 1
        case hello = 2
        case createAgent = 3
        case cancelRun = 4
        case deleteRun = 5
        case timeouts = 6
        case error = 7
        case pruneErrors = 8
        case taskEvent = 9
        case taskLiveness = 10
        case createProject = 11
        case updateProject = 12
        case issueAgentCommand = 13
        case commandDelivered = 14
        case commandReceived = 15
        case commandResult = 16
        case commandTimeouts = 17
        case scheduleUpsert = 18
        case scheduleDelete = 19
        case scheduleFired = 20
        case scheduleListing = 21
        case retentionSweep = 22
        case recomputeNextRuns = 23
    }

    /// The record of a command applied at `now`, or nil for a command the journal does not
    /// keep (liveness) or keeps from its frame (``BrainCommand/step(_:eventSeq:agentID:)`` and
    /// ``BrainCommand/event(_:agentID:)``: see ``JournalBuffer/appendEvent(agentID:request:now:)``).
    package init?(_ command: BrainCommand, now: Int64) {
        switch command {
        case .hello(let hello, let tokenHash, _): self = .hello(tokenHash: tokenHash, request: hello.journalFrame, now: now)
        case .helloFrame(let frame, let tokenHash): self = .hello(tokenHash: tokenHash, request: Array(frame), now: now)
        case .eventFrame(let frame, let agentID): self = .event(agentID: agentID, request: Array(frame), now: now)
        case .createAgent(let name, let project, let tokenHash): self = .createAgent(name: name, project: project, tokenHash: tokenHash, now: now)
        case .cancelRun(let runID, let reason): self = .cancelRun(runID: runID, reason: reason, now: now)
        case .deleteRun(let runID): self = .deleteRun(runID: runID, now: now)
        case .timeouts(let timeouts): self = .timeouts(timeouts, now: now)
        case .recordError(let row): self = .error(row, now: now)
        case .pruneErrors: self = .pruneErrors(now: now)
        case .taskEvent(let report, let agentID):
            // Built by BrainState.taskEventCommand the report is redacted under the agent's
            // project. One that was not is redacted here under the default policy, so no
            // secret reaches the disk even then (replay may then mask an allow-listed key).
            self = .taskEvent(agentID: agentID, report: report.isRedacted ? report : report.redacted(by: Redactor()), now: now)
        case .taskLiveness(let lost): self = .taskLiveness(lost, now: now)
        case .createProject(let name, let settings): self = .createProject(name: name, settings: settings, now: now)
        case .updateProject(let name, let settings): self = .updateProject(name: name, settings: settings, now: now)
        case .issueAgentCommand(let request): self = .issueAgentCommand(request, now: now)
        case .commandDelivered(let commandID): self = .commandDelivered(commandID: commandID, now: now)
        case .commandReceived(let receipt, let agentID): self = .commandReceived(agentID: agentID, receipt: receipt, now: now)
        case .commandTimeouts(let commandIDs): self = .commandTimeouts(commandIDs, now: now)
        case .scheduleDelete(let deletion, let agentID): self = .scheduleDelete(agentID: agentID, deletion: deletion, now: now)
        case .scheduleFired(let firing, let agentID): self = .scheduleFired(agentID: agentID, firing: firing, now: now)
        case .retentionSweep(let sweep): self = .retentionSweep(sweep, now: now)
        case .recomputeNextRuns(let batch): self = .recomputeNextRuns(batch, now: now)
        // As for task events: built by BrainState's builders these are redacted under the
        // agent's project; anything that was not is redacted under the default policy here.
        case .commandResult(let report, let agentID):
            self = .commandResult(agentID: agentID, report: report.isRedacted ? report : Self.redacted(report), now: now)
        case .scheduleUpsert(let report, let seq, let agentID):
            self = .scheduleUpsert(agentID: agentID, seq: seq, report: report.isRedacted ? report : report.redacted(by: Redactor()), now: now)
        case .scheduleListing(var listing, let agentID):
            listing.reports = listing.reports.map { $0.isRedacted ? $0 : $0.redacted(by: Redactor()) }
            self = .scheduleListing(agentID: agentID, listing: listing, now: now)
        case .step, .event, .signOfLife, .disconnected, .restarted: return nil
        }
    }

    /// When the command was applied.
    package var now: Int64 {
        switch self {
        case .event(_, _, let now), .hello(_, _, let now), .createAgent(_, _, _, let now), .cancelRun(_, _, let now),
            .deleteRun(_, let now), .timeouts(_, let now), .error(_, let now), .pruneErrors(let now), .taskEvent(_, _, let now),
            .taskLiveness(_, let now), .createProject(_, _, let now), .updateProject(_, _, let now), .issueAgentCommand(_, let now),
            .commandDelivered(_, let now), .commandReceived(_, _, let now), .commandResult(_, _, let now), .commandTimeouts(_, let now),
            .scheduleUpsert(_, _, _, let now), .scheduleDelete(_, _, let now), .scheduleFired(_, _, let now), .scheduleListing(_, _, let now),
            .retentionSweep(_, let now), .recomputeNextRuns(_, let now):
            now
        }
    }

    /// Hands the command the record holds to `body` (frames in place, valid only inside it).
    package func withCommand<R>(_ body: (BrainCommand) -> R) -> R {
        switch self {
        case .event(let agentID, let request, _): request.withUnsafeBytes { body(.eventFrame($0, agentID: agentID)) }
        case .hello(let tokenHash, let request, _): request.withUnsafeBytes { body(.helloFrame($0, tokenHash: tokenHash)) }
        case .createAgent(let name, let project, let tokenHash, _): body(.createAgent(name: name, project: project, tokenHash: tokenHash))
        case .cancelRun(let runID, let reason, _): body(.cancelRun(runID: runID, reason: reason))
        case .deleteRun(let runID, _): body(.deleteRun(runID: runID))
        case .timeouts(let timeouts, _): body(.timeouts(timeouts))
        case .error(let row, _): body(.recordError(row))
        case .pruneErrors: body(.pruneErrors)
        case .taskEvent(let agentID, let report, _): body(.taskEvent(report, agentID: agentID))
        case .taskLiveness(let lost, _): body(.taskLiveness(lost))
        case .createProject(let name, let settings, _): body(.createProject(name: name, settings: settings))
        case .updateProject(let name, let settings, _): body(.updateProject(name: name, settings: settings))
        case .issueAgentCommand(let request, _): body(.issueAgentCommand(request))
        case .commandDelivered(let commandID, _): body(.commandDelivered(commandID: commandID))
        case .commandReceived(let agentID, let receipt, _): body(.commandReceived(receipt, agentID: agentID))
        case .commandResult(let agentID, let report, _): body(.commandResult(report, agentID: agentID))
        case .commandTimeouts(let commandIDs, _): body(.commandTimeouts(commandIDs))
        case .scheduleUpsert(let agentID, let seq, let report, _): body(.scheduleUpsert(report, seq: seq, agentID: agentID))
        case .scheduleDelete(let agentID, let deletion, _): body(.scheduleDelete(deletion, agentID: agentID))
        case .scheduleFired(let agentID, let firing, _): body(.scheduleFired(firing, agentID: agentID))
        case .scheduleListing(let agentID, let listing, _): body(.scheduleListing(listing, agentID: agentID))
        case .retentionSweep(let sweep, _): body(.retentionSweep(sweep))
        case .recomputeNextRuns(let batch, _): body(.recomputeNextRuns(batch))
        }
    }

    /// Appends the record's payload (without length and checksum) to `out`.
    func encodePayload(into out: inout [UInt8]) {
        var writer = RecordWriter(out: out)
        switch self {
        case .event(let agentID, let request, let now):
            writer.header(.event, now)
            writer.string(agentID)
            writer.bytes(request)
        case .hello(let tokenHash, let request, let now):
            writer.header(.hello, now)
            writer.string(tokenHash)
            writer.bytes(request)
        case .createAgent(let name, let project, let tokenHash, let now):
            writer.header(.createAgent, now)
            writer.string(name)
            writer.string(project)
            writer.string(tokenHash)
        case .cancelRun(let runID, let reason, let now):
            writer.header(.cancelRun, now)
            writer.string(runID)
            writer.string(reason)
        case .deleteRun(let runID, let now):
            writer.header(.deleteRun, now)
            writer.string(runID)
        case .timeouts(let timeouts, let now):
            writer.header(.timeouts, now)
            writer.strings(timeouts.agentIDs)
            writer.strings(timeouts.runIDs)
        case .error(let row, let now):
            writer.header(.error, now)
            for field in [row.phase, row.runID, row.project, row.agentName, row.errorType, row.message, row.stack, row.payloadJSON] {
                writer.string(field)
            }
        case .pruneErrors(let now):
            writer.header(.pruneErrors, now)
        case .taskEvent(let agentID, let report, let now):
            writer.header(.taskEvent, now)
            writer.string(agentID)
            writer.taskEventReport(report)
        case .taskLiveness(let lost, let now):
            writer.header(.taskLiveness, now)
            writer.integer(UInt32(lost.count))
            for item in lost {
                for field in [item.project, item.engine, item.taskID, item.reason] { writer.string(field) }
            }
        case .createProject(let name, let settings, let now):
            writer.header(.createProject, now)
            writer.string(name)
            writer.projectSettings(settings)
        case .updateProject(let name, let settings, let now):
            writer.header(.updateProject, now)
            writer.string(name)
            writer.projectSettings(settings)
        case .issueAgentCommand, .commandDelivered, .commandReceived, .commandResult, .commandTimeouts, .scheduleUpsert, .scheduleDelete,
            .scheduleFired, .scheduleListing, .retentionSweep, .recomputeNextRuns:
            encodeCommandPayload(into: &writer)
        }
        out = writer.out
    }

    /// Decodes a payload; `nil` when it is not a record this build knows.
    static func decode(_ payload: ArraySlice<UInt8>) -> JournalRecord? {
        var reader = RecordReader(bytes: payload)
        guard let raw = reader.u8(), let kind = Kind(rawValue: raw), let now = reader.i64() else { return nil }
        switch kind {
        case .event:
            guard let agentID = reader.string(), let request = reader.bytes() else { return nil }
            return .event(agentID: agentID, request: request, now: now)
        case .hello:
            guard let hash = reader.string(), let request = reader.bytes() else { return nil }
            return .hello(tokenHash: hash, request: request, now: now)
        case .createAgent:
            guard let name = reader.string(), let project = reader.string(), let hash = reader.string() else { return nil }
            return .createAgent(name: name, project: project, tokenHash: hash, now: now)
        case .cancelRun:
            guard let runID = reader.string(), let reason = reader.string() else { return nil }
            return .cancelRun(runID: runID, reason: reason, now: now)
        case .deleteRun:
            guard let runID = reader.string() else { return nil }
            return .deleteRun(runID: runID, now: now)
        case .timeouts:
            guard let agents = reader.strings(), let runs = reader.strings() else { return nil }
            return .timeouts(Timeouts(agentIDs: agents, runIDs: runs), now: now)
        case .error:
            var fields: [String] = []
            for _ in 0..<8 {
                guard let field = reader.string() else { return nil }
                fields.append(field)
            }
            return .error(
                BrainCommand.ErrorRow(
                    phase: fields[0], runID: fields[1], project: fields[2], agentName: fields[3], errorType: fields[4],
                    message: fields[5], stack: fields[6], payloadJSON: fields[7]
                ), now: now)
        case .pruneErrors:
            return .pruneErrors(now: now)
        case .taskEvent:
            guard let agentID = reader.string(), let report = reader.taskEventReport() else { return nil }
            return .taskEvent(agentID: agentID, report: report, now: now)
        case .taskLiveness:
            guard let count = reader.integer(UInt32.self), count < 1_000_000 else { return nil }
            var lost: [LostTask] = []
            for _ in 0..<count {
                guard let project = reader.string(), let engine = reader.string(), let taskID = reader.string(), let reason = reader.string() else {
                    return nil
                }
                lost.append(LostTask(project: project, engine: engine, taskID: taskID, reason: reason))
            }
            return .taskLiveness(lost, now: now)
        case .createProject:
            guard let name = reader.string(), let settings = reader.projectSettings() else { return nil }
            return .createProject(name: name, settings: settings, now: now)
        case .updateProject:
            guard let name = reader.string(), let settings = reader.projectSettings() else { return nil }
            return .updateProject(name: name, settings: settings, now: now)
        case .issueAgentCommand, .commandDelivered, .commandReceived, .commandResult, .commandTimeouts, .scheduleUpsert, .scheduleDelete,
            .scheduleFired, .scheduleListing, .retentionSweep, .recomputeNextRuns:
            return decodeCommandPayload(kind, now: now, from: &reader)
        }
    }
}

struct RecordWriter {
    var out: [UInt8]

    mutating func header(_ kind: JournalRecord.Kind, _ now: Int64) {
        out.append(kind.rawValue)
        integer(UInt64(bitPattern: now))
    }

    mutating func integer<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    mutating func bytes(_ value: [UInt8]) {
        integer(UInt32(value.count))
        out.append(contentsOf: value)
    }

    /// A string's UTF-8 with its length, copied straight from the string (no array per call:
    /// every journaled event writes its agent id).
    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            integer(UInt32(utf8.count))
            out.append(contentsOf: utf8)
        }
    }

    mutating func strings(_ values: [String]) {
        integer(UInt32(values.count))
        for value in values { string(value) }
    }
}

struct RecordReader {
    let data: ArraySlice<UInt8>
    var index: Int

    init(bytes: ArraySlice<UInt8>) {
        self.data = bytes
        self.index = data.startIndex
    }

    mutating func u8() -> UInt8? {
        guard index < data.endIndex else { return nil }
        defer { index += 1 }
        return data[index]
    }

    mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
        let size = MemoryLayout<T>.size
        guard data.endIndex - index >= size else { return nil }
        var value: T = 0
        for offset in 0..<size { value |= T(data[index + offset]) << (8 * offset) }
        index += size
        return value
    }

    mutating func i64() -> Int64? { integer(UInt64.self).map { Int64(bitPattern: $0) } }

    /// Where the next length-prefixed field's bytes are in `data`, skipping them.
    mutating func byteRange() -> Range<Int>? {
        guard let count = integer(UInt32.self), data.endIndex - index >= Int(count) else { return nil }
        defer { index += Int(count) }
        return index..<index + Int(count)
    }

    mutating func bytes() -> [UInt8]? { byteRange().map { Array(data[$0]) } }

    mutating func string() -> String? { bytes().map { String(decoding: $0, as: UTF8.self) } }

    mutating func strings() -> [String]? {
        guard let count = integer(UInt32.self), count < 1_000_000 else { return nil }
        var values: [String] = []
        for _ in 0..<count {
            guard let value = string() else { return nil }
            values.append(value)
        }
        return values
    }
}

/// The fields of task events and project settings in journal records (kinds 9 to 12).
extension RecordWriter {
    mutating func taskEventReport(_ report: TaskEventReport) {
        integer(report.seq)
        string(report.taskID)
        string(report.engine)
        string(report.kind.name)
        integer(UInt64(bitPattern: report.ts))
        integer(report.attempt)
        for field in [
            report.name, report.queue, report.groupID, report.retriedAs, report.argsJSON, report.kwargsJSON, report.excType,
            report.excMessage, report.traceback, report.payloadJSON,
        ] {
            string(field)
        }
    }

    mutating func projectSettings(_ settings: ProjectSettings) {
        for value in [settings.retention.runsNs, settings.retention.tasksNs, settings.retention.taskEventsNs, settings.retention.sinkRowsNs] {
            integer(UInt64(bitPattern: value))
        }
        strings(settings.redaction.extraKeyPatterns)
        strings(settings.redaction.allowedKeys)
        string(settings.timeZone)
        // Last, and only when set: a record without it (written before `redact_steps`
        // existed, or with it off) reads as off, and older brains read records that never
        // turned it on exactly as before.
        if settings.redactSteps { out.append(ProjectSettingsFlags.redactSteps) }
    }
}

extension RecordReader {
    /// A journalled report: redacted before it was written, so marked as such.
    mutating func taskEventReport() -> TaskEventReport? {
        guard let seq = integer(UInt64.self), let taskID = string(), let engine = string(), let kindName = string(),
            let kind = TaskEventKind(name: kindName), let ts = i64(), let attempt = integer(UInt32.self)
        else { return nil }
        var fields: [String] = []
        for _ in 0..<10 {
            guard let field = string() else { return nil }
            fields.append(field)
        }
        var report = TaskEventReport(
            seq: seq, taskID: taskID, engine: engine, kind: kind, ts: ts, attempt: attempt, name: fields[0], queue: fields[1],
            groupID: fields[2], retriedAs: fields[3], argsJSON: fields[4], kwargsJSON: fields[5], excType: fields[6], excMessage: fields[7],
            traceback: fields[8], payloadJSON: fields[9]
        )
        // Redacted when written; trusted as such only if its JSON texts are JSON (BrainCore
        // trusts the flag whole, and the state embeds them in snapshots as JSON): a damaged
        // record is redacted again when applied, which makes them JSON.
        report.isRedacted = [report.argsJSON, report.kwargsJSON, report.payloadJSON].allSatisfy { $0.isEmpty || JSONValidator.isValid($0) }
        return report
    }

    mutating func projectSettings() -> ProjectSettings? {
        guard let runs = i64(), let tasks = i64(), let events = i64(), let sink = i64(), let extra = strings(), let allowed = strings(),
            let timeZone = string()
        else { return nil }
        // The settings are a record's last field: a byte after them holds the flags (none in
        // records written before they existed).
        let flags = u8() ?? 0
        return ProjectSettings(
            retention: RetentionSettings(runsNs: runs, tasksNs: tasks, taskEventsNs: events, sinkRowsNs: sink),
            redaction: RedactionOverrides(extraKeyPatterns: extra, allowedKeys: allowed), timeZone: timeZone,
            redactSteps: flags & ProjectSettingsFlags.redactSteps != 0
        )
    }
}

/// The flags byte that may follow project settings in a journal record.
enum ProjectSettingsFlags {
    /// ``ProjectSettings/redactSteps``.
    static let redactSteps: UInt8 = 1
}
