import BrainProtocol

extension BrainState {
    /// `createProject`: a new project with its settings.
    @usableFromInline
    mutating func createProject(name: String, settings: ProjectSettings, now: Int64) -> Result<Project, BrainError> {
        if let problem = validateName(name, what: "project name") { return .failure(BrainError(.invalidArgument, problem)) }
        guard projects[name] == nil else {
            return .failure(BrainError(.alreadyExists, "project \"\(name)\" already exists; change its settings with an update instead"))
        }
        if let problem = settings.problem { return .failure(BrainError(.invalidArgument, "project \"\(name)\": \(problem)")) }
        let project = Project(
            projectID: DeterministicID.make("project", name, String(now)), name: name, settings: settings, createdAt: now, updatedAt: now
        )
        store(project)
        // Schedules reported before the project was created were read in UTC: they are
        // predicted again, in batches (``ScheduleRecompute``).
        if settings.timeZone != ProjectSettings().timeZone { beginScheduleRecompute(project: name, now: now) }
        return .success(project)
    }

    /// `updateProject`: replaces a project's settings (all of them: read, change, write back).
    @usableFromInline
    mutating func updateProject(name: String, settings: ProjectSettings, now: Int64) -> Result<Project, BrainError> {
        guard var project = projects[name] else {
            return .failure(BrainError(.notFound, "project \"\(name)\" does not exist; create it first"))
        }
        if let problem = settings.problem { return .failure(BrainError(.invalidArgument, "project \"\(name)\": \(problem)")) }
        let zoneChanged = project.settings.timeZone != settings.timeZone
        project.settings = settings
        project.updatedAt = now
        store(project)
        // Every schedule of the project is read in the new zone from now on: its next run is
        // predicted again from `now`, in batches (``ScheduleRecompute``), so that a project
        // with many schedules does not hold the loop for all of them at once.
        if zoneChanged { beginScheduleRecompute(project: name, now: now) }
        return .success(project)
    }

    private mutating func store(_ project: Project) {
        projects[project.name] = project
        redactors.update(project, policy: taskSettings.redaction)
        projectSettingsRevision &+= 1
        revision &+= 1
    }

    /// Every project, by name.
    package func listProjects() -> [Project] { projects.values.sorted { $0.name < $1.name } }

    /// The redaction in force for events of agents in `project`: the daemon's policy with the
    /// project's overrides (none for a project never created).
    package func redactionPolicy(forProject project: String) -> RedactionPolicy { redactors.redactor(forProject: project).policy }

    /// Replaces the projects (a snapshot's); the `default` project is added when missing.
    /// - Throws: ``BrainError`` `DATA_LOSS` when two projects share a name.
    package mutating func restoreProjects(_ list: [Project]) throws(BrainError) {
        var restored: [String: Project] = [:]
        for project in list {
            guard restored[project.name] == nil else { throw BrainError(.dataLoss, "project \"\(project.name)\" appears twice") }
            restored[project.name] = project
        }
        if restored[Project.defaultName] == nil { restored[Project.defaultName] = Project.initial }
        projects = restored
        redactors = ProjectRedactors(policy: taskSettings.redaction, projects: restored.values)
        projectSettingsRevision &+= 1
    }
}
