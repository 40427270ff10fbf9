import ArgumentParser
import BrainCommandLine
import BrainProtocol

struct ProjectsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projects", abstract: "List projects: name, time zone, retention, redaction overrides.",
        discussion: "Every project at once; with --json the page is {\"items\": [...], \"next_cursor\": null}."
    )
    @OptionGroup var common: CommonOptions

    func run() async throws {
        let result = try await common.once(.listProjects)
        guard case .projects(let projects) = result else { throw unexpected(result) }
        var table = Table("NAME", "TIME ZONE", "RETENTION (RUNS/TASKS/EVENTS/SINK)", "REDACT KEYS", "ALLOW KEYS", "CREATED")
        for project in projects {
            let settings = project.settings
            table.add(
                project.name, settings.timeZone, ProjectText.retention(settings.retention), ProjectText.list(settings.extraKeyPatterns),
                ProjectText.list(settings.allowedKeys), project.createdAt == 0 ? "-" : Timestamps.rfc3339(project.createdAt))
        }
        // ListProjects answers every project at once: the page never has a next cursor.
        Paging("projects", common: common).print(
            projects.map(Rendering.project), nextCursor: "", json: common.json, table: table.text, empty: "no projects")
    }
}

/// Project settings as text.
enum ProjectText {
    /// `30d/30d/30d/30d`.
    static func retention(_ retention: WireRetentionSettings?) -> String {
        let value = retention ?? WireRetentionSettings()
        return [value.runsNs, value.tasksNs, value.taskEventsNs, value.sinkRowsNs].map(DurationFormat.retention).joined(separator: "/")
    }

    /// `a, b`, or `-`.
    static func list(_ values: [String]) -> String { values.isEmpty ? "-" : values.joined(separator: ", ") }

    /// `project show`'s lines.
    static func detail(_ project: ProjectInfo) -> String {
        let settings = project.settings
        let retention = settings.retention ?? WireRetentionSettings()
        return [
            "project \(project.name)",
            "id:           \(project.projectID)",
            "time zone:    \(settings.timeZone)",
            "retention:    runs \(DurationFormat.retention(retention.runsNs)), tasks \(DurationFormat.retention(retention.tasksNs)), "
                + "task events \(DurationFormat.retention(retention.taskEventsNs)), sink rows \(DurationFormat.retention(retention.sinkRowsNs))",
            "redact keys:  \(list(settings.extraKeyPatterns))",
            "allow keys:   \(list(settings.allowedKeys))",
            "redact steps: \(settings.redactSteps ? "yes" : "no")",
            "created:      \(project.createdAt == 0 ? "-" : Timestamps.rfc3339(project.createdAt))",
            "updated:      \(project.updatedAt == 0 ? "-" : Timestamps.rfc3339(project.updatedAt))",
        ].joined(separator: "\n")
    }
}
