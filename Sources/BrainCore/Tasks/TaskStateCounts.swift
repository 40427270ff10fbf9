/// How many tasks are in each state.
package struct TaskStateCounts: Hashable, Sendable {
    private var counts = [Int](repeating: 0, count: TaskState.allCases.count)

    package init() {}

    /// The count of tasks in `state`.
    package subscript(state: TaskState) -> Int {
        get { counts[Self.index(state)] }
        set { counts[Self.index(state)] = newValue }
    }

    /// All tasks counted.
    package var total: Int { counts.reduce(0, +) }

    private static func index(_ state: TaskState) -> Int { TaskState.allCases.firstIndex(of: state) ?? 0 }
}
