/// One batch of a ``ScheduleRecompute``: the schedules it predicts, found by
/// ``BrainState/dueScheduleRecompute(limit:)`` and journalled as found
/// (``BrainCommand/recomputeNextRuns(_:)``), so replay predicts exactly the schedules the live
/// brain did, whatever order the live brain found them in.
package struct ScheduleRecomputeBatch: Hashable, Sendable {
    package var project: String
    /// The zone change's instant (``ScheduleRecompute/asOf``): the batch is applied only to the
    /// recompute of that change (a later change starts a recompute of its own).
    package var asOf: Int64
    /// Identities (``ScheduleRecord/identity``) of the schedules to predict; any that is no
    /// longer pending (predicted since, or removed) is skipped.
    package var identities: [String]

    package init(project: String, asOf: Int64, identities: [String]) {
        self.project = project
        self.asOf = asOf
        self.identities = identities
    }
}
