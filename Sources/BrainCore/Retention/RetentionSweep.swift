/// What one retention sweep removes, found by ``BrainState/dueRetention(now:limit:)`` and
/// journalled as found (``BrainCommand/retentionSweep(_:)``), so replay needs neither a clock
/// nor the settings in force at the time, and removes exactly what the live brain removed.
package struct RetentionSweep: Hashable, Sendable {
    /// Finished runs, with their steps.
    package var runIDs: [String]
    /// Finished tasks, with their events.
    package var tasks: [TaskRef]
    /// Old events of finished tasks that are kept.
    package var taskEvents: [TaskEventTrim]
    /// Persistence-error sink rows, by serial.
    package var sinkSerials: [UInt64]
    /// Finished commands to agents (kept as long as the project's tasks).
    package var commandIDs: [String]

    package init(
        runIDs: [String] = [], tasks: [TaskRef] = [], taskEvents: [TaskEventTrim] = [], sinkSerials: [UInt64] = [], commandIDs: [String] = []
    ) {
        self.runIDs = runIDs
        self.tasks = tasks
        self.taskEvents = taskEvents
        self.sinkSerials = sinkSerials
        self.commandIDs = commandIDs
    }

    /// Whether there is nothing to remove (then there is nothing to journal either).
    package var isEmpty: Bool { count == 0 }

    /// How many items it removes (a trim counts as one).
    package var count: Int { runIDs.count + tasks.count + taskEvents.count + sinkSerials.count + commandIDs.count }
}
