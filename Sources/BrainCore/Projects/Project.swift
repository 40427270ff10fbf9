/// A project (seed 002's projects table): agents, runs and tasks belong to one, by name.
///
/// The `default` project exists from the start (``BrainState/init(configuration:)``): an
/// agent whose hello names no project is in it. A project named by an agent's hello but
/// never created is used with the default settings (``ProjectSettings/init(retention:redaction:timeZone:)``).
package struct Project: Hashable, Sendable, Codable {
    /// The name of the project that exists from the start.
    package static let defaultName = "default"

    /// A UUID made from the name and creation time (``DeterministicID``).
    package var projectID: String
    /// Unique among projects.
    package var name: String
    /// Retention, redaction overrides and time zone.
    package var settings: ProjectSettings
    /// When it was created (brain clock).
    package var createdAt: Int64
    /// When its settings last changed.
    package var updatedAt: Int64

    enum CodingKeys: String, CodingKey {
        case projectID = "project_id"
        case name, settings
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    package init(projectID: String, name: String, settings: ProjectSettings, createdAt: Int64, updatedAt: Int64) {
        self.projectID = projectID
        self.name = name
        self.settings = settings
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The `default` project as every state starts with it: default settings, created at 0
    /// (the state has no clock before its first command).
    package static let initial = Project(
        projectID: DeterministicID.make("project", defaultName), name: defaultName, settings: ProjectSettings(), createdAt: 0, updatedAt: 0
    )
}
