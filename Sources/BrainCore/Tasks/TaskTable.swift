import BrainProtocol

/// Every task the brain holds and the indexes over them (a task's key is its position).
package struct TaskTable: Sendable {
    /// The tasks, in order of their first event.
    package internal(set) var records = ChunkedArray<TaskRecord>()
    /// Task keys by task id (a task is one id in one engine of one project: the key of an
    /// identity is found among its id's keys, so one index serves both look-ups).
    private var keysByTaskID = TaskIDIndex()
    /// Keys of the `started` tasks (lost and stuck tasks are found here, without a walk over
    /// every task).
    private(set) var started = StartedTaskList()
    /// Events held across all tasks.
    package internal(set) var eventCount = 0
    /// The ``TaskRecord/serial`` of the next new task (one more than any given out, removed
    /// tasks' included).
    package private(set) var nextSerial = 0
    /// The task names, one string per name (every task of a name holds the same one).
    var names = TextInterner()
    /// Tasks found or added lately, by their id's full hash (a slot per low bits of it): a
    /// task's events come close together (sent, started, a terminal one), and this small
    /// table stays in the processor's cache where the index's slot of a task, in a table of
    /// tens of thousands, is a cache miss per event. Only a hint: a hit is checked against
    /// the record like any index match, and keys move only when the table is rebuilt.
    private var recent = [RecentTask](repeating: RecentTask(hash: 0, key: -1), count: Self.recentSlots)
    /// Slots of ``recent`` (a power of two).
    static let recentSlots = 256

    private struct RecentTask {
        var hash: UInt64
        var key: Int
    }

    package init() {}

    /// The key of the task with this identity.
    func key(project: String, engine: String, taskID: String) -> Int? {
        key(project: project, engine: engine, taskID: taskID, hash: TaskIDIndex.hash(taskID))
    }

    /// The key of the task with this identity, `hash` being its id's ``TaskIDIndex/hash(_:)``
    /// (an event hashes its task id once, for this look-up and the append of a new task).
    func key(project: String, engine: String, taskID: String, hash: UInt64) -> Int? {
        keysByTaskID.first(hash: hash) { key in
            records.withElementPointer(at: key) { $0.pointee.taskID == taskID && $0.pointee.engine == engine && $0.pointee.project == project }
        }
    }

    /// The key of the task with this identity, its id and engine as the bytes of a frame
    /// (``TaskIDIndex/hash(bytes:)`` their `hash`): no string is made to find it. Looks in
    /// the recent tasks first, and remembers the task found there.
    mutating func key(project: String, engine: UnsafeRawBufferPointer, taskID: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        func matches(_ key: Int) -> Bool {
            records.withElementPointer(at: key) { record in
                TaskEventViewSource.spells(record.pointee.taskID, taskID) && TaskEventViewSource.spells(record.pointee.engine, engine)
                    && record.pointee.project == project
            }
        }
        let slot = Int(truncatingIfNeeded: hash) & (Self.recentSlots - 1)
        let hint = recent[slot]
        if hint.hash == hash, hint.key >= 0, hint.key < records.count, matches(hint.key) { return hint.key }
        guard let key = keysByTaskID.first(hash: hash, where: matches) else { return nil }
        recent[slot] = RecentTask(hash: hash, key: key)
        return key
    }

    /// Keys of `started` tasks by the agent running them (built on each call: for tests and
    /// reports, not the hot path).
    var startedByAgent: [String: Set<Int>] {
        var byAgent: [String: Set<Int>] = [:]
        for key in started.keys { byAgent[records[key].agentID, default: []].insert(key) }
        return byAgent
    }

    /// The keys of every task with this id, whatever its engine and project, in the order
    /// they were added.
    func keys(taskID: String) -> [Int] { keysByTaskID.all(hash: TaskIDIndex.hash(taskID)) { records[$0].taskID == taskID } }

    /// Merges an event into the task at `key` (``TaskRecord/absorb(_:agentID:now:first:names:)``)
    /// in place, and keeps the started index right; `first` for the event that created the task.
    mutating func absorb(_ report: some TaskEventSource, at key: Int, agentID: String, now: Int64, first: Bool) {
        // One in-place access for the before, the merge and the after: reading a field
        // through the subscript copies the whole record.
        let (before, after) = Self.absorb(report, into: &records[key], agentID: agentID, now: now, first: first, names: &names)
        reindex(key: key, from: before, to: after)
        eventCount += 1
    }

    private static func absorb(
        _ report: some TaskEventSource, into record: inout TaskRecord, agentID: String, now: Int64, first: Bool, names: inout TextInterner
    ) -> (before: TaskState, after: TaskState) {
        let before = record.state
        _ = record.absorb(report, agentID: agentID, now: now, first: first, names: &names)
        return (before, record.state)
    }

    /// Keeps the started list right when a task's state changes (`old` is `nil` for a new task).
    mutating func reindex(key: Int, from old: TaskState?, to new: TaskState) {
        let wasStarted = old == .started
        let isStarted = new == .started
        guard wasStarted != isStarted else { return }
        if isStarted { started.insert(key) } else { started.remove(key) }
    }

    /// Appends a restored task, events and all (its key must be the next position, its
    /// identity new).
    private mutating func append(_ record: consuming TaskRecord) {
        let key = record.key
        nextSerial = max(nextSerial, record.serial + 1)
        keysByTaskID.insert(key: key, hash: TaskIDIndex.hash(record.taskID))
        eventCount += record.events.count
        started.addKey()
        reindex(key: key, from: nil, to: record.state)
        records.append(consume record)
    }

    /// Appends a new task with no event yet (`pending`, the next serial) and returns its key:
    /// the record is made where the table keeps it (one made aside and handed to a
    /// non-inlined append was copied on the way, each of its strings retained, then
    /// released: seen in the release build's disassembly). `hash` is its id's
    /// ``TaskIDIndex/hash(_:)``; the identity must be new.
    mutating func appendNew(taskID: String, project: String, engine: String, createdAt: Int64, eventCapacity: Int, hash: UInt64) -> Int {
        let key = records.count
        keysByTaskID.insert(key: key, hash: hash)
        recent[Int(truncatingIfNeeded: hash) & (Self.recentSlots - 1)] = RecentTask(hash: hash, key: key)
        started.addKey()
        records.append(
            TaskRecord(
                key: key, serial: nextSerial, taskID: taskID, project: project, engine: engine, createdAt: createdAt, eventCapacity: eventCapacity))
        nextSerial += 1
        return key
    }

    /// Rebuilds the table from its records (a snapshot), new tasks numbered from
    /// `nextSerial` on (or after the last record's serial, when that is higher).
    /// - Throws: ``BrainError`` `DATA_LOSS` when keys are out of place, serials out of order
    ///   or an identity repeats.
    init(restoring records: some Sequence<TaskRecord>, nextSerial: Int = 0) throws(BrainError) {
        for (index, record) in records.enumerated() {
            guard record.key == index else {
                throw BrainError(.dataLoss, "task \(record.taskID) has key \(record.key) at position \(index)")
            }
            guard record.serial >= self.nextSerial else {
                throw BrainError(.dataLoss, "task \(record.taskID) has serial \(record.serial), not after the task before it")
            }
            guard key(project: record.project, engine: record.engine, taskID: record.taskID) == nil else {
                throw BrainError(.dataLoss, "task \(record.taskID) of engine \(record.engine) in project \(record.project) appears twice")
            }
            append(record)
        }
        self.nextSerial = max(self.nextSerial, nextSerial)
    }

    /// The key of the newest task older than serial `serial` (below it), or -1 when none is.
    func key(before serial: Int) -> Int {
        // Serials rise with keys.
        records.partitionPoint { $0.pointee.serial >= serial } - 1
    }
}
