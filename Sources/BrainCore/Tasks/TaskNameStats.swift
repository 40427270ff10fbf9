/// Statistics of the tasks of one name.
package struct TaskNameStats: Hashable, Sendable {
    /// The task name ("" for tasks whose events never named them).
    package var name: String
    /// Tasks of the name in each state.
    package var counts: TaskStateCounts
    /// Runtimes (``TaskRecord/runtimeNs``: succeeded and failed tasks with both times) counted.
    package var runtimeSamples: Int
    /// The median runtime, nearest rank; `nil` without samples.
    package var runtimeP50Ns: Int64?
    /// The 99th percentile runtime, nearest rank; `nil` without samples.
    package var runtimeP99Ns: Int64?
    /// Failed and lost over succeeded, failed and lost (cancelled tasks are neither); `nil`
    /// when none finished that way.
    package var failureRate: Double?

    package init(name: String, counts: TaskStateCounts, runtimeSamples: Int, runtimeP50Ns: Int64?, runtimeP99Ns: Int64?, failureRate: Double?) {
        self.name = name
        self.counts = counts
        self.runtimeSamples = runtimeSamples
        self.runtimeP50Ns = runtimeP50Ns
        self.runtimeP99Ns = runtimeP99Ns
        self.failureRate = failureRate
    }

    /// The nearest-rank `percentile` of ascending `sorted` values.
    static func percentile(_ percentile: Int, of sorted: [Int64]) -> Int64? {
        guard !sorted.isEmpty else { return nil }
        let rank = (percentile * sorted.count + 99) / 100
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
