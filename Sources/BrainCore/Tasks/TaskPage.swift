/// One page of ``BrainState/listTasks(_:)``: newest first.
package struct TaskPage: Hashable, Sendable {
    /// The page's tasks, newest first.
    package var tasks: [TaskRecord]
    /// The cursor of the next page; "" when no matching task follows (a full last page does
    /// not send the caller to an empty one).
    package var nextCursor: String

    package init(tasks: [TaskRecord], nextCursor: String) {
        self.tasks = tasks
        self.nextCursor = nextCursor
    }
}
