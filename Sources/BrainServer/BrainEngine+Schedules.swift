import BrainCore
import BrainProtocol
import Logging
import NIOCore

/// Schedules on the server: the schedule and command events agents publish (journalled as
/// their redacted commands, never as frames), next runs predicted again after a time-zone
/// change, and the schedule queries.
extension BrainEngine {
    // MARK: Agent events

    /// A schedule or command event (upsert, delete, fired, listing, command received or
    /// result) from an agent that said hello, as the command BrainCore builds for it: args,
    /// kwargs, metadata and result messages redacted under the agent's project before
    /// anything is journalled. A refusal is BrainCore's (recorded in the sink) and answered
    /// with `rejected`; either way the agent's seq is acknowledged.
    ///
    /// `--record` does not keep these events: a recording is a file on disk and holds only
    /// what can be replayed without secrets (runs, steps, redacted task events).
    /// - Returns: whether `event` was one of them (else the caller handles it).
    func publishAgentEventCommand(_ event: AgentEvent, callID: UInt64, from context: ConnectionContext, now: Int64) -> Bool {
        guard let agentID = context.agentID, let command = reading({ $0.agentEventCommand(event, agentID: agentID) }) else { return false }
        guard case .event(let outcome) = execute(command, now: now) else { return true }
        finishPublish(outcome, seq: event.seq, agentID: agentID, callID: callID, frame: nil, from: context, now: now)
        return true
    }

    // MARK: Next runs after a time-zone change

    /// The pause before each batch of a next-run recompute. Not zero: SwiftNIO runs every task
    /// that is due, those queued meanwhile included, before it reads the sockets again, so
    /// batches queued with no delay would run back to back and hold ingestion for the whole
    /// recompute. A task due later ends the loop turn; the sockets are read, then the batch
    /// runs. 1 ms adds at most 50 ms to a recompute of 100,000 schedules.
    static let scheduleRecomputePause = TimeAmount.milliseconds(1)

    /// Queues the next batch of the pending next-run recompute (``ScheduleRecompute``), if
    /// any and none is queued: called after a project is created or updated, after each batch,
    /// and on the tick (a recompute restored from a snapshot or the journal).
    func recomputeNextRunsIfPending() {
        guard !scheduleRecomputeQueued, state.hasPendingScheduleRecompute else { return }
        scheduleRecomputeQueued = true
        let engine = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: Self.scheduleRecomputePause) { engine.value.recomputeNextRunsBatch() }
    }

    /// Applies one batch (at most ``ServerConfiguration/scheduleRecomputeBatch`` schedules)
    /// through ``execute(_:now:)``, journalled like every change, then queues the next: reads
    /// run between two batches, so ingestion waits for one batch at most.
    private func recomputeNextRunsBatch() {
        scheduleRecomputeQueued = false
        guard let batch = state.dueScheduleRecompute(limit: configuration.scheduleRecomputeBatch) else { return }
        let now = WallClock.now()
        execute(.recomputeNextRuns(batch), now: now)
        publishChanges()
        if state.pendingScheduleRecompute(project: batch.project) == 0 {
            // How long schedule lists showed next runs computed on the fly (bench-zone-change reads it).
            let milliseconds = max(0, WallClock.now() - batch.asOf) / 1_000_000
            logger.info("project \(batch.project): every schedule's next run predicted again in its new time zone, \(milliseconds) ms after the change")
        }
        recomputeNextRunsIfPending()
    }

    // MARK: Queries

    /// `ListSchedules`: soonest next run first, filtered, one page.
    func listSchedules(_ query: ListSchedulesQuery, callID: UInt64, from context: ConnectionContext) {
        guard let domain = ScheduleQuery(query) else {
            let message = "enabled_filter \(query.enabledFilter) is not 0 (any), 1 (enabled only) or 2 (disabled only)"
            context.append(.failure(callID, BrainError(.invalidArgument, message)))
            return
        }
        switch reading({ $0.listSchedules(domain) }) {
        case .success(let page):
            context.append(.ok(callID, .schedules(ScheduleList(schedules: page.schedules.map(\.info), nextCursor: page.nextCursor))))
        case .failure(let error):
            context.append(.failure(callID, error))
        }
    }

    /// `GetSchedule`: one schedule and its next runs (0 asks for 5; more than 100 get 100).
    func getSchedule(_ query: GetScheduleQuery, callID: UInt64, from context: ConnectionContext, now: Int64) {
        guard !query.scheduler.isEmpty, !query.name.isEmpty else {
            let message = "GetSchedule needs the scheduler and the name of the schedule (brainctl schedules lists them)"
            context.append(.failure(callID, BrainError(.invalidArgument, message)))
            return
        }
        switch reading({ $0.schedule(project: query.project, scheduler: query.scheduler, name: query.name) }) {
        case .success(let record):
            let runs = reading { $0.nextRuns(of: record, count: Int(min(query.nextRuns, 100)), now: now) }
            context.append(.ok(callID, .schedule(ScheduleDetail(schedule: record.info, nextRuns: runs))))
        case .failure(let error):
            context.append(.failure(callID, error))
        }
    }
}
