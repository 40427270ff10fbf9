/// The redactor of each project, built when its settings change rather than for every event
/// (compiling a project's patterns is cheap, but not free at tens of thousands of events a
/// second).
struct ProjectRedactors: Sendable {
    /// For a project that was never created: the base policy alone.
    private(set) var base: Redactor
    private var byProject: [String: Redactor] = [:]

    init(policy: RedactionPolicy, projects: some Sequence<Project>) {
        base = Redactor(policy: policy)
        for project in projects { update(project, policy: policy) }
    }

    /// Rebuilds a project's redactor from its settings.
    mutating func update(_ project: Project, policy: RedactionPolicy) {
        let overrides = project.settings.redaction
        byProject[project.name] = overrides == RedactionOverrides() ? base : Redactor(policy: policy.applying(overrides))
    }

    /// The redactor of the project named `name`.
    func redactor(forProject name: String) -> Redactor { byProject[name] ?? base }
}
