import BrainCore
import BrainProtocol

/// What the last retention sweep removed, and when: `brainctl status` shows it so an
/// operator can see retention working (or why the data directory still grows).
struct RetentionReport: Hashable, Sendable {
    /// When it ran (the brain's clock).
    var at: Int64
    var runs: Int
    var tasks: Int
    /// Trims of finished tasks' old events (one per task trimmed).
    var taskEventTrims: Int
    var sinkRows: Int
    var commands: Int
    /// Whether it stopped at its limit (more is due; the next sweep takes it).
    var truncated: Bool

    init(_ sweep: RetentionSweep, at: Int64, limit: Int) {
        self.at = at
        runs = sweep.runIDs.count
        tasks = sweep.tasks.count
        taskEventTrims = sweep.taskEvents.count
        sinkRows = sweep.sinkSerials.count
        commands = sweep.commandIDs.count
        truncated = sweep.count >= limit
    }

    /// "3 runs, 10 tasks, 2 event trims, 0 sink rows, 1 command".
    var summary: String {
        var text = "\(runs) runs, \(tasks) tasks, \(taskEventTrims) event trims, \(sinkRows) sink rows, \(commands) commands"
        if truncated { text += " (limit reached; more next sweep)" }
        return text
    }

    /// The report as `GetStatus` carries it.
    var info: RetentionSweepInfo {
        var info = RetentionSweepInfo()
        info.at = at
        info.runs = UInt64(runs)
        info.tasks = UInt64(tasks)
        info.taskEventTrims = UInt64(taskEventTrims)
        info.sinkRows = UInt64(sinkRows)
        info.commands = UInt64(commands)
        info.truncated = truncated
        return info
    }
}
