import BrainProtocol
import Testing

@testable import BrainCore

/// Projects: the default one, create and update commands, validated settings, and the
/// redaction each project's settings give.
@Suite("Projects")
struct ProjectTests {
    @Test func theDefaultProjectExistsFromTheStart() {
        let state = BrainState()
        #expect(state.listProjects() == [Project.initial])
        #expect(Project.initial.name == "default")
        #expect(Project.initial.settings == ProjectSettings())
        #expect(Project.initial.settings.timeZone == "UTC")
        #expect(Project.initial.settings.retention.tasksNs == RetentionSettings.thirtyDays)
    }

    @Test func createThenUpdate() throws {
        var state = BrainState()
        var settings = ProjectSettings(timeZone: "Europe/Riga")
        settings.retention.taskEventsNs = Time.seconds(3_600)
        let created = state.apply(.createProject(name: "billing", settings: settings), now: Time.start)
        #expect(created.changedState)
        guard case .project(.success(let project)) = created else {
            Issue.record("not created: \(created)")
            return
        }
        #expect(project.createdAt == Time.start)
        #expect(project.settings.timeZone == "Europe/Riga")
        #expect(UUIDShape.isLowercaseUUID(project.projectID))
        settings.redaction.allowedKeys = ["token_count"]
        let updated = state.apply(.updateProject(name: "billing", settings: settings), now: Time.start + 5)
        guard case .project(.success(let changed)) = updated else {
            Issue.record("not updated: \(updated)")
            return
        }
        #expect(changed.createdAt == Time.start)
        #expect(changed.updatedAt == Time.start + 5)
        #expect(changed.projectID == project.projectID)
        #expect(state.listProjects().map(\.name) == ["billing", "default"])
        #expect(state.redactionPolicy(forProject: "billing").allowedKeys == ["token_count"])
        #expect(state.redactionPolicy(forProject: "never-created") == RedactionPolicy())
    }

    static func refusal(_ state: inout BrainState, _ command: BrainCommand) -> BrainError? {
        let outcome = state.apply(command, now: Time.start)
        guard case .project(.failure(let error)) = outcome else { return nil }
        #expect(!outcome.changedState, "a refused request is not journalled")
        return error
    }

    @Test func refusals() {
        var state = BrainState()
        #expect(Self.refusal(&state, .createProject(name: "default", settings: ProjectSettings()))?.code == .alreadyExists)
        #expect(Self.refusal(&state, .createProject(name: "", settings: ProjectSettings()))?.code == .invalidArgument)
        #expect(Self.refusal(&state, .createProject(name: String(repeating: "p", count: 201), settings: ProjectSettings()))?.code == .invalidArgument)
        #expect(Self.refusal(&state, .updateProject(name: "nope", settings: ProjectSettings()))?.code == .notFound)
        let bad: [(ProjectSettings, String)] = [
            (ProjectSettings(timeZone: "Mars/Olympus_Mons"), "time zone"), (ProjectSettings(timeZone: ""), "time zone"),
            (ProjectSettings(retention: RetentionSettings(runsNs: -1)), "negative"),
            (ProjectSettings(redaction: RedactionOverrides(extraKeyPatterns: ["ok", "not ok!"])), "extra key pattern"),
            (ProjectSettings(redaction: RedactionOverrides(allowedKeys: Array(repeating: "k", count: 101))), "at most 100"),
        ]
        for (settings, words) in bad {
            let error = Self.refusal(&state, .createProject(name: "p", settings: settings))
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains(words) == true, "\(String(describing: error))")
            #expect(Self.refusal(&state, .updateProject(name: "default", settings: settings))?.code == .invalidArgument)
        }
        #expect(state.listProjects() == [Project.initial])
    }

    @Test(arguments: ["UTC", "Europe/Riga", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"])
    func ianaZonesAreAccepted(_ zone: String) {
        #expect(ProjectSettings(timeZone: zone).problem == nil)
    }

    @Test func changingTheDaemonsPolicyRebuildsEveryProjectsRedactor() {
        var state = BrainState()
        _ = state.apply(.createProject(name: "p", settings: ProjectSettings(redaction: RedactionOverrides(extraKeyPatterns: ["pin"]))), now: 0)
        state.taskSettings.redaction.maskEmails = false
        #expect(state.redactionPolicy(forProject: "p").maskEmails == false)
        #expect(state.redactionPolicy(forProject: "p").extraKeyPatterns == ["pin"])
        #expect(state.redactionPolicy(forProject: "default").maskEmails == false)
    }

    @Test func restoringProjectsAddsTheDefaultAndRefusesDuplicates() throws {
        var state = BrainState()
        let project = Project(projectID: "id", name: "p", settings: ProjectSettings(), createdAt: 1, updatedAt: 2)
        try state.restoreProjects([project])
        #expect(state.listProjects().map(\.name) == ["default", "p"])
        #expect(throws: BrainError.self) { try state.restoreProjects([project, project]) }
    }
}
