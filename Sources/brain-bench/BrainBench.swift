import ArgumentParser

@main
struct BrainBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brain-bench",
        abstract: "Record and replay agent streams against a brain; measure throughput and latency.",
        discussion: """
            generate writes a synthetic recording; replay sends a recording (from generate or \
            `brain serve --record`) pipelined over several agent connections and measures acked \
            events/s, ack latency and the brain's CPU time; rpc measures query calls/s and latency; \
            echo-server answers frames over NIO with no work, the floor the RPC figures stand on.
            """,
        subcommands: [GenerateCommand.self, ReplayCommand.self, RPCCommand.self, EchoServerCommand.self]
    )

    func run() async throws {
        print(BrainBench.helpMessage())
    }
}
