/// The events of one kept task that retention removes: those the brain received before
/// ``createdBefore``.
package struct TaskEventTrim: Hashable, Sendable {
    package var task: TaskRef
    /// Events with `created_at` (brain clock) before this go.
    package var createdBefore: Int64

    package init(task: TaskRef, createdBefore: Int64) {
        self.task = task
        self.createdBefore = createdBefore
    }
}
