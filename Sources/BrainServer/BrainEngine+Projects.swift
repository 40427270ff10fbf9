import BrainCore
import BrainProtocol

/// The project calls: list, show, create, update. Creating and updating go through
/// ``BrainEngine/execute(_:now:)``, so they are journalled like every change.
extension BrainEngine {
    /// `ListProjects`: every project, by name.
    func listProjects(callID: UInt64, from context: ConnectionContext) {
        context.append(.ok(callID, .projects(reading { $0.listProjects() }.map(\.info))))
    }

    /// `GetProject`.
    func getProject(name: String, callID: UInt64, from context: ConnectionContext) {
        guard let project = state.projects[name] else {
            context.append(.failure(callID, BrainError(.notFound, "project \"\(name)\" does not exist; brainctl projects lists them")))
            return
        }
        context.append(.ok(callID, .projectInfo(project.info)))
    }

    /// `CreateProject`: absent settings are the defaults.
    func createProject(name: String, settings: WireProjectSettings?, callID: UInt64, from context: ConnectionContext, now: Int64) {
        let outcome = execute(.createProject(name: name, settings: ProjectSettings(settings)), now: now)
        guard case .project(let result) = outcome else { return }
        answer(result, after: outcome, callID: callID, from: context)
        // A zone other than UTC: schedules reported before the project existed are predicted again.
        recomputeNextRunsIfPending()
    }

    /// `UpdateProject`: the settings replace the project's as a whole.
    func updateProject(name: String, settings: WireProjectSettings?, callID: UInt64, from context: ConnectionContext, now: Int64) {
        guard let settings else {
            let message = "UpdateProject needs the settings: they replace the project's as a whole (read them with GetProject, change them, send them back)"
            context.append(.failure(callID, BrainError(.invalidArgument, message)))
            return
        }
        let outcome = execute(.updateProject(name: name, settings: ProjectSettings(settings)), now: now)
        guard case .project(let result) = outcome else { return }
        answer(result, after: outcome, callID: callID, from: context)
        // A zone change: the project's next runs are predicted again, in batches, from now on.
        recomputeNextRunsIfPending()
    }

    /// The project as it now is, once the journal holds the change (``reply(_:to:after:)``).
    private func answer(_ result: Result<Project, BrainError>, after outcome: CommandOutcome, callID: UInt64, from context: ConnectionContext) {
        switch result {
        case .success(let project): reply(.ok(callID, .projectInfo(project.info)), to: context, after: outcome)
        case .failure(let error): context.append(.failure(callID, error))
        }
    }
}
