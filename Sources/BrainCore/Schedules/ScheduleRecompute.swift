/// A project's schedules whose next run still has to be predicted again after its time zone
/// changed: the change is applied at once, the predictions in batches
/// (``ScheduleRecomputeBatch``), so that a project with many schedules never holds the event
/// loop, and with it ingestion, for longer than one batch.
///
/// Every batch counts from ``asOf``, the instant of the zone change, not from when the batch
/// runs: the result is the one an all-at-once recompute at the change would give, however the
/// work is split. A schedule leaves ``pending`` when a batch predicts it, and also when anything
/// else predicts it in the new zone first (it is reported, fires, is enabled or disabled: see
/// ``ScheduleTable/store(_:)``) or it is removed, so a batch never overwrites a newer
/// prediction. Until then, reads compute a pending schedule's next run on the fly
/// (``BrainState/currentNextRun(of:)``).
package struct ScheduleRecompute: Hashable, Sendable {
    /// How many schedules one batch predicts by default: about 4 ms of work on the 2-core
    /// machine the benchmarks ran on (about 2 µs a schedule; Benchmarks/RESULTS.md), short
    /// enough that ingestion waits for no more than that; 100,000 schedules take 50 batches.
    package static let defaultBatch = 2_000

    package var project: String
    /// The brain's clock when the zone changed: every next run is the first after it.
    package var asOf: Int64
    /// Identities (``ScheduleRecord/identity``) of the schedules not predicted in the new zone yet.
    package internal(set) var pending: Set<String>

    /// The recompute as a snapshot keeps it: the pending schedules by serial (the identities
    /// are found again from the restored schedules).
    package struct Saved: Hashable, Sendable, Codable {
        package var project: String
        package var asOf: Int64
        /// Serials (``ScheduleRecord/serial``) of the pending schedules, ascending.
        package var serials: [UInt64]

        enum CodingKeys: String, CodingKey {
            case project
            case asOf = "as_of"
            case serials
        }

        package init(project: String, asOf: Int64, serials: [UInt64]) {
            self.project = project
            self.asOf = asOf
            self.serials = serials
        }
    }
}
