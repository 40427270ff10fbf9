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
        if let refusal = Self.unsupported(settings) {
            context.append(.failure(callID, refusal))
            return
        }
        guard case .project(let result) = execute(.createProject(name: name, settings: ProjectSettings(settings)), now: now) else { return }
        answer(result, callID: callID, from: context)
    }

    /// `UpdateProject`: the settings replace the project's as a whole.
    func updateProject(name: String, settings: WireProjectSettings?, callID: UInt64, from context: ConnectionContext, now: Int64) {
        guard let settings else {
            let message = "UpdateProject needs the settings: they replace the project's as a whole (read them with GetProject, change them, send them back)"
            context.append(.failure(callID, BrainError(.invalidArgument, message)))
            return
        }
        if let refusal = Self.unsupported(settings) {
            context.append(.failure(callID, refusal))
            return
        }
        guard case .project(let result) = execute(.updateProject(name: name, settings: ProjectSettings(settings)), now: now) else { return }
        answer(result, callID: callID, from: context)
    }

    private func answer(_ result: Result<Project, BrainError>, callID: UInt64, from context: ConnectionContext) {
        switch result {
        case .success(let project): context.append(.ok(callID, .projectInfo(project.info)))
        case .failure(let error): context.append(.failure(callID, error))
        }
    }

    /// A setting the brain cannot keep yet: `redact_steps` (steps are not redacted yet, and a
    /// project that asked for it must not believe they are).
    private static func unsupported(_ settings: WireProjectSettings?) -> BrainError? {
        guard settings?.redactSteps == true else { return nil }
        return BrainError(.unimplemented, "redact_steps is not supported by this brain yet: step input and output are not redacted; leave it off")
    }
}
