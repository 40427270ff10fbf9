import ArgumentParser
import BrainCommandLine
import BrainProtocol

extension RunCommand {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "A run with its children and steps.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The run id.") var id: String
        @Option(parsing: .unconditional, help: "First step seq to show.") var fromSeq: Int?
        @Option(parsing: .unconditional, help: "Last step seq to show.") var toSeq: Int?
        @Flag(help: "Show the run even if it was soft-deleted.") var includeDeleted = false

        func validate() throws {
            let from = try fromSeq.map { try Checks.count($0, "--from-seq") } ?? 0
            let to = try toSeq.map { try Checks.count($0, "--to-seq") } ?? 0
            if to != 0, from > to {
                throw ValidationError("--from-seq \(from) is after --to-seq \(to); give the lower seq first")
            }
        }

        func run() async throws {
            let from = try fromSeq.map { try Checks.count($0, "--from-seq") } ?? 0
            let to = try toSeq.map { try Checks.count($0, "--to-seq") } ?? 0
            let query = GetRunQuery(runID: id, fromSeq: from, toSeq: to, includeDeleted: includeDeleted)
            let result = try await common.once(.getRun(query))
            guard case .run(let detail) = result else { throw unexpected(result) }
            if common.json {
                common.print(
                    .object(
                        Rendering.run(detail.run) + [
                            ("child_run_ids", .array(detail.childRunIDs.map { .string($0) })),
                            ("steps", .array(detail.steps.map(Rendering.step))),
                        ]))
                return
            }
            let run = detail.run
            var lines = [
                "run \(run.runID)  \(Rendering.status(run))",
                "goal:     \(run.goal)",
                "agent:    \(run.agentName) (\(run.project))",
                "target:   \(run.targetURL.isEmpty ? "-" : run.targetURL)",
                "type:     \(run.runType.isEmpty ? "-" : run.runType)",
                "created:  \(Timestamps.rfc3339(run.createdAt))",
                "updated:  \(Timestamps.rfc3339(run.updatedAt))",
            ]
            if run.completedAt != 0 { lines.append("finished: \(Timestamps.rfc3339(run.completedAt))") }
            if run.deletedAt != 0 { lines.append("deleted:  \(Timestamps.rfc3339(run.deletedAt))") }
            if !run.parentRunID.isEmpty { lines.append("parent:   \(run.parentRunID)") }
            if !detail.childRunIDs.isEmpty { lines.append("children: \(detail.childRunIDs.joined(separator: ", "))") }
            if !run.resultJSON.isEmpty { lines.append("result:   \(run.resultJSON)") }
            if !run.errorType.isEmpty {
                lines.append("error:    \(run.errorType): \(run.errorMessage)\(run.failedAtStep != 0 ? " (at step \(run.failedAtStep))" : "")")
            }
            lines.append("steps:    \(run.stepCount)")
            Console.line(lines.joined(separator: "\n"))
            if !detail.steps.isEmpty {
                var table = Table("SEQ", "NAME", "STATUS", "MS", "ERROR")
                for step in detail.steps {
                    table.add(
                        String(step.seq), step.stepName, step.status.name, String(step.durationMs), step.error.isEmpty ? "" : String(step.error.prefix(60)))
                }
                Console.line(table.text)
            } else if from != 0 || to != 0, run.stepCount != 0 {
                Console.line("no steps \(Self.range(from: from, to: to)) (the run has \(run.stepCount) step\(run.stepCount == 1 ? "" : "s"))")
            }
        }

        /// `from seq 5 on`, `up to seq 3`, `in seq 3...9`.
        static func range(from: UInt32, to: UInt32) -> String {
            switch (from, to) {
            case (_, 0): "from seq \(from) on"
            case (0, _), (1, _): "up to seq \(to)"
            default: "in seq \(from)...\(to)"
            }
        }
    }
}
