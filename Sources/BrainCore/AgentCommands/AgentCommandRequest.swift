/// A client's request for a command to an agent, as ``BrainCommand/issueAgentCommand(_:)``
/// carries and the journal keeps it: everything replay needs, the deadline included (an
/// absolute time, so replay needs no default from the daemon's flags).
package struct AgentCommandRequest: Hashable, Sendable {
    /// The command's id: "" lets the brain make one from the command's serial and the time
    /// (``DeterministicID``, so replay makes the same one).
    package var commandID: String
    package var kind: AgentCommandKind
    /// Retry and cancel: the task. `project` and `engine` may be "" when the id alone names
    /// one task (as ``BrainState/task(id:project:engine:)``).
    package var taskID: String
    package var engine: String
    /// The project; required for schedule commands.
    package var project: String
    /// Enable and disable: the schedule.
    package var scheduler: String
    package var scheduleName: String
    /// The brain's clock after which the command is timed out.
    package var deadline: Int64

    package init(
        commandID: String = "", kind: AgentCommandKind, taskID: String = "", engine: String = "", project: String = "", scheduler: String = "",
        scheduleName: String = "", deadline: Int64
    ) {
        self.commandID = commandID
        self.kind = kind
        self.taskID = taskID
        self.engine = engine
        self.project = project
        self.scheduler = scheduler
        self.scheduleName = scheduleName
        self.deadline = deadline
    }
}
