import BrainProtocol

/// Every task the brain holds and the indexes over them (a task's key is its position).
package struct TaskTable: Sendable {
    /// The tasks, in order of their first event.
    package internal(set) var records: [TaskRecord] = []
    /// Task key by ``TaskRecord/identity(project:engine:taskID:)``.
    var keysByIdentity: [String: Int] = [:]
    /// Task keys by task id alone (a lookup that names no project or engine).
    var keysByTaskID: [String: [Int]] = [:]
    /// Keys of `started` tasks by the agent running them (lost and stuck tasks are found here,
    /// without a walk over every task).
    var startedByAgent: [String: Set<Int>] = [:]
    /// Events held across all tasks.
    package internal(set) var eventCount = 0

    package init() {}

    /// The key of the task with this identity.
    func key(project: String, engine: String, taskID: String) -> Int? {
        keysByIdentity[TaskRecord.identity(project: project, engine: engine, taskID: taskID)]
    }

    /// Keeps the started index right when a task's state or agent changes.
    mutating func reindex(key: Int, from old: (state: TaskState, agentID: String)?, to new: (state: TaskState, agentID: String)) {
        if let old, old.state == .started {
            startedByAgent[old.agentID]?.remove(key)
            if startedByAgent[old.agentID]?.isEmpty == true { startedByAgent[old.agentID] = nil }
        }
        if new.state == .started { startedByAgent[new.agentID, default: []].insert(key) }
    }

    /// Appends a new task (its key must be the next position).
    mutating func append(_ record: TaskRecord) {
        append(record, identity: TaskRecord.identity(project: record.project, engine: record.engine, taskID: record.taskID))
    }

    /// ``append(_:)`` with the record's identity already built.
    mutating func append(_ record: TaskRecord, identity: String) {
        keysByIdentity[identity] = record.key
        keysByTaskID[record.taskID, default: []].append(record.key)
        records.append(record)
        eventCount += record.events.count
        reindex(key: record.key, from: nil, to: (record.state, record.agentID))
    }

    /// Rebuilds the table from its records (a snapshot).
    /// - Throws: ``BrainError`` `DATA_LOSS` when keys are out of place or an identity repeats.
    init(restoring records: [TaskRecord]) throws(BrainError) {
        for (index, record) in records.enumerated() {
            guard record.key == index else {
                throw BrainError(.dataLoss, "task \(record.taskID) has key \(record.key) at position \(index)")
            }
            guard key(project: record.project, engine: record.engine, taskID: record.taskID) == nil else {
                throw BrainError(.dataLoss, "task \(record.taskID) of engine \(record.engine) in project \(record.project) appears twice")
            }
            append(record)
        }
    }
}
