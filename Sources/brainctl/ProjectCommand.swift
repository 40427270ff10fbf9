import ArgumentParser
import BrainClient
import BrainCommandLine
import BrainProtocol

struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project", abstract: "Show, create or change one project.", subcommands: [Show.self, Create.self, Update.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "A project and its settings.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The project's name.") var name: String

        func run() async throws {
            let result = try await common.once(.getProject(name: name))
            guard case .projectInfo(let project) = result else { throw unexpected(result) }
            if common.json { common.print(Rendering.project(project)) } else { Console.line(ProjectText.detail(project)) }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Create a project; settings not given are the defaults.",
            discussion: "Agents whose hello names the project belong to it; a project named by an agent but never created uses the defaults."
        )
        @OptionGroup var common: CommonOptions
        @Argument(help: "The project's name.") var name: String
        @OptionGroup var settings: ProjectSettingsOptions

        func run() async throws {
            let wanted = try settings.applied(to: WireProjectSettings())
            let result = try await common.once(.createProject(name: name, settings: wanted))
            guard case .projectInfo(let project) = result else { throw unexpected(result) }
            if common.json { common.print(Rendering.project(project)) } else { Console.line("project \(project.name) created\n" + ProjectText.detail(project)) }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update", abstract: "Change a project's settings; those not given are kept.",
            discussion: """
                Reads the project, changes what the options say and writes the settings back as a whole. \
                --redact-key and --allow-key add to the lists; --drop-redact-key and --drop-allow-key remove from them.
                """
        )
        @OptionGroup var common: CommonOptions
        @Argument(help: "The project's name.") var name: String
        @OptionGroup var settings: ProjectSettingsOptions
        @Option(help: "A key pattern to stop redacting (one added before); repeatable.") var dropRedactKey: [String] = []
        @Option(help: "A key to take off the allow list; repeatable.") var dropAllowKey: [String] = []

        func run() async throws {
            let seconds = common.timeoutSeconds()
            let deadline = CommonOptions.deadline(after: seconds)
            let connection = try await common.connect(within: seconds)
            defer { Task { await connection.close() } }
            let current = try await common.call(connection, .getProject(name: name), by: deadline, timeout: seconds)
            guard case .projectInfo(let project) = current else { throw unexpected(current) }
            let wanted = try settings.applied(to: project.settings, removingKeys: dropRedactKey, removingAllowed: dropAllowKey)
            let result = try await common.call(connection, .updateProject(name: name, settings: wanted), by: deadline, timeout: seconds)
            guard case .projectInfo(let updated) = result else { throw unexpected(result) }
            if common.json { common.print(Rendering.project(updated)) } else { Console.line("project \(updated.name) updated\n" + ProjectText.detail(updated)) }
        }
    }
}
