import ArgumentParser
import BrainProtocol

@main
struct BrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brain",
        abstract: "The Brain daemon: agents report runs, steps and heartbeats over a Unix socket.",
        version: "brain \(BrainVersion.string)",
        subcommands: [Serve.self, Recover.self],
        defaultSubcommand: Serve.self
    )
}
