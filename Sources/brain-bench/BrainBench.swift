import ArgumentParser

@main
struct BrainBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brain-bench",
        abstract: "Record and replay agent streams against a brain; measure throughput and latency.",
        discussion: "Not built yet: generate, replay and rpc arrive with the benchmark work (issue 6)."
    )

    func run() async throws {
        print(BrainBench.helpMessage())
    }
}
