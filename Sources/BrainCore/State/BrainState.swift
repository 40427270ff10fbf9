import BrainProtocol

/// The whole state of the brain: a value, changed only by its `mutating` methods.
///
/// Pure and deterministic: every method that needs the time receives it (`now`, Unix
/// nanoseconds), ids are derived from their inputs, and nothing here does I/O. Copying
/// the value is the cheap, consistent view that snapshots encode.
package struct BrainState: Sendable {
    package var configuration: CoreConfiguration

    /// Agents by id.
    package internal(set) var agents: [String: Agent] = [:]
    /// Agent id by "project\u{0}name".
    var agentIDsByName: [String: String] = [:]
    /// Every run ever created; a run's key is its index.
    package internal(set) var runs = RunTable()
    /// The ``Run/serial`` of the next new run (one more than any given out, removed runs' included).
    package internal(set) var nextRunSerial = 0
    /// Run key (position in ``runs``) by public run id.
    var runKeys: [RunKey: Int] = [:]
    /// The run of the last step applied in place (a cache; see ``RecentRunID``).
    var recentStepRun = RecentRunID()
    /// Keys of runs that are not yet terminal, by agent id (for offline abandonment).
    var openRunsByAgent: [String: Set<Int>] = [:]
    /// Keys of non-terminal runs with a timeout, and their deadline (brain clock).
    var runDeadlines: [Int: Int64] = [:]
    /// The persistence-error sink, oldest first.
    package internal(set) var persistenceErrors: [PersistenceErrorRecord] = []
    /// Errors ever recorded (drives ids and the 1-in-N pruning).
    package internal(set) var errorSerial: UInt64 = 0
    /// Steps held across all runs.
    package internal(set) var stepCount: UInt64 = 0
    /// Agent events applied, duplicates and refusals included.
    package internal(set) var eventsHandled: UInt64 = 0

    /// Projects by name; the `default` project is there from the start.
    package internal(set) var projects: [String: Project] = [Project.defaultName: Project.initial]
    /// Tasks and their events.
    package internal(set) var taskTable = TaskTable()
    /// The rules for tasks (lost, stuck, redaction limits), set by the daemon like ``configuration``.
    package var taskSettings = TaskSettings() {
        didSet {
            redactors = ProjectRedactors(policy: taskSettings.redaction, projects: projects.values)
            projectSettingsRevision &+= 1  // connections look their redactor up again
        }
    }
    /// Commands to agents (retry, cancel, schedule enable and disable).
    package internal(set) var commandTable = AgentCommandTable()
    /// Schedules reported by agents' scheduler adapters.
    package internal(set) var scheduleTable = ScheduleTable()
    /// Each project's redactor (rebuilt when a project's settings or ``taskSettings`` change).
    var redactors = ProjectRedactors(policy: RedactionPolicy(), projects: [Project.initial])
    /// Bumped whenever a project is created, its settings change or the projects are
    /// restored: a per-connection cache of a project setting (``redactsSteps(agentID:)``)
    /// compares it instead of looking the setting up for every event.
    package internal(set) var projectSettingsRevision: UInt64 = 0

    /// Bumped by every change worth a snapshot (not by heartbeats alone).
    package internal(set) var revision: UInt64 = 0

    /// When true, changes are collected in ``pendingChanges`` for watchers.
    package var collectChanges = false
    /// Changes since the last ``drainChanges()``.
    package private(set) var pendingChanges: [BrainChange] = []

    package init(configuration: CoreConfiguration = CoreConfiguration()) {
        self.configuration = configuration
    }

    /// Takes the changes collected since the last call.
    package mutating func drainChanges() -> [BrainChange] {
        defer { pendingChanges.removeAll(keepingCapacity: true) }
        return pendingChanges
    }

    mutating func note(_ change: BrainChange) {
        revision &+= 1
        if collectChanges { pendingChanges.append(change) }
    }

    static func nameKey(project: String, name: String) -> String { project + "\u{0}" + name }

    /// The run with public id `runID`, deleted or not.
    package func run(id runID: String) -> Run? {
        guard let key = runKey(runID) else { return nil }
        return runs[key]
    }

    /// The position of the run with public id `runID`.
    func runKey(_ runID: String) -> Int? {
        RunKey(runID).flatMap { runKeys[$0] }
    }

    /// The highest event seq handled from an agent, without copying the agent.
    package func lastSeq(agentID: String) -> UInt64? {
        agents.index(forKey: agentID).map { agents.values[$0].lastSeq }
    }

    /// The agent named `name` in `project`.
    package func agent(named name: String, project: String) -> Agent? {
        agentIDsByName[Self.nameKey(project: project, name: name)].flatMap { agents[$0] }
    }

    /// Counts of runs by status, soft-deleted runs excluded.
    package var runCounts: RunCounts {
        var counts = RunCounts()
        for run in runs where !run.isDeleted { counts[run.status] += 1 }
        return counts
    }

    /// Counts of agents by state.
    package var agentCounts: AgentCounts {
        var counts = AgentCounts()
        for agent in agents.values {
            switch agent.state {
            case .online: counts.online += 1
            case .offline: counts.offline += 1
            case .unknown: counts.unknown += 1
            }
        }
        return counts
    }
}
