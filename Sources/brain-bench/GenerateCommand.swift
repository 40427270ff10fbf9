import ArgumentParser
import BrainCommandLine
import BrainProtocol

/// `brain-bench generate`: writes a deterministic synthetic recording.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic agent stream (a recording) for replay.",
        discussion: """
            --kind steps (the default): R runs are dealt over A agents and interleaved; each run is \
            run_created (running), S steps and completed (about 5% fail instead). \
            --kind tasks: T Celery-like tasks are dealt over A agents (workers) and interleaved; each \
            task is task_sent (args and kwargs JSON of about --args-bytes, about 3% with a \
            secret-looking kwarg), started and succeeded; about 5% fail with a traceback instead, \
            about 5% retry once and then succeed. The same seed always writes the same file.
            """
    )

    @Option(help: "Number of agents the runs are spread over.") var agents: Int
    @Option(help: "steps (runs of steps) or tasks (Celery-like task events).") var kind: String = "steps"
    @Option(help: "Number of runs in total (--kind steps).") var runs: Int?
    @Option(help: "Steps per run (--kind steps).") var steps: Int?
    @Option(help: "Number of tasks in total (--kind tasks).") var tasks: Int?
    @Option(help: "About this many bytes of args + kwargs JSON per task (--kind tasks).") var argsBytes: Int = 300
    @Option(help: "About this many bytes per step message (JSON input and output fill the rest).") var payloadBytes: Int = 300
    @Option(help: "Seed of the generator.") var seed: UInt64 = 1
    @Option(help: "The file to write.") var out: String

    func run() throws {
        guard agents >= 1 else { fail("--agents must be 1 or more") }
        switch kind {
        case "steps": break
        case "tasks":
            generateTasks()
            return
        default: fail("--kind \(kind) is neither steps nor tasks")
        }
        guard let runs, let steps else { fail("--kind steps needs --runs and --steps") }
        guard runs >= 0 else { fail("--runs must be 0 or more") }
        guard steps >= 0, steps <= 1_000_000 else { fail("--steps must be between 0 and 1000000") }
        guard payloadBytes >= 0, payloadBytes <= 1_000_000 else { fail("--payload-bytes must be between 0 and 1000000") }
        let events = runs.multipliedReportingOverflow(by: steps + 2)
        guard !events.overflow, events.partialValue <= 50_000_000 else {
            fail("--runs × (--steps + 2) is more than 50000000 events; generate a smaller file")
        }
        let generator = StreamGenerator(agents: agents, runs: runs, steps: steps, payloadBytes: payloadBytes, seed: seed)
        let (bytes, summary) = generator.generate()
        do {
            try RecordingFile.write(bytes, to: out)
        } catch {
            fail(error.message)
        }
        let average = summary.steps > 0 ? summary.stepFrameBytes / summary.steps : 0
        Console.line(
            "wrote \(out): \(Format.grouped(summary.events)) events (\(Format.grouped(summary.runs)) runs, "
                + "\(summary.failedRuns) failing, \(Format.grouped(summary.steps)) steps) from \(summary.agents) agents, "
                + "\(Format.bytes(Double(summary.bytes))), \(average) bytes per step message, seed \(seed)"
        )
    }

    private func generateTasks() {
        guard let tasks, tasks >= 0, tasks <= 10_000_000 else { fail("--kind tasks needs --tasks between 0 and 10000000") }
        guard argsBytes >= 0, argsBytes <= 1_000_000 else { fail("--args-bytes must be between 0 and 1000000") }
        let (bytes, summary) = TaskStreamGenerator(agents: agents, tasks: tasks, argsBytes: argsBytes, seed: seed).generate()
        do {
            try RecordingFile.write(bytes, to: out)
        } catch {
            fail(error.message)
        }
        let average = summary.events > 0 ? (summary.bytes - 4 * summary.events) / summary.events : 0
        Console.line(
            "wrote \(out): \(Format.grouped(summary.events)) task events (\(Format.grouped(summary.tasks)) tasks, "
                + "\(summary.failedTasks) failing, \(summary.retriedTasks) retried, \(summary.secretTasks) with a secret kwarg) "
                + "from \(summary.agents) agents, \(Format.bytes(Double(summary.bytes))), \(average) bytes per event message, seed \(seed)"
        )
    }
}
