import ArgumentParser
import BrainClient
import BrainCommandLine
import BrainProtocol

/// Issuing a command to an agent from brainctl and, with `--wait`, following it with
/// GetCommand until it is over (succeeded, failed or timed out) or `--timeout` passes.
enum CommandWaiting {
    /// How often `--wait` asks.
    static let pollInterval: Duration = .milliseconds(200)
    /// `--wait` without `--timeout`: long enough for the brain's default command deadline.
    static let defaultWaitSeconds = 70.0

    /// Sends `method` (RetryTask, CancelTask, SetScheduleEnabled), prints the command, and
    /// with `wait` follows it; exits 1 unless it succeeded (when waiting) or was issued.
    static func issue(_ method: BrainRequest.Method, wait: Bool, common: CommonOptions, note: String) async throws {
        let seconds = common.timeoutSeconds(default: wait ? defaultWaitSeconds : CommonOptions.defaultTimeout)
        let deadline = CommonOptions.deadline(after: seconds)
        let connection = try await common.connect(within: seconds)
        defer { Task { await connection.close() } }
        let result = try await common.call(connection, method, by: deadline, timeout: seconds)
        guard case .commandInfo(var command) = result else { throw unexpected(result) }
        if !common.json {
            let line = "command \(command.commandID)  \(Rendering.state(command))  \(command.kind.name) \(Rendering.target(command))"
            Console.line("\(line) by agent \(command.agentID)")
            if !note.isEmpty { Console.line(note) }
        }
        guard wait else {
            if common.json { common.print(Rendering.command(command)) }
            return
        }
        while !command.state.isTerminalCommand, ContinuousClock.now < deadline {
            try await Task.sleep(for: pollInterval)
            let polled = try await common.call(connection, .getCommand(commandID: command.commandID), by: deadline, timeout: seconds)
            guard case .commandInfo(let now) = polled else { throw unexpected(polled) }
            if now.state != command.state, !common.json { Console.line("command \(now.commandID)  \(Rendering.state(now))") }
            command = now
        }
        if common.json {
            common.print(Rendering.command(command))
        } else if !command.resultMessage.isEmpty || !command.newTaskID.isEmpty {
            let newTask = command.newTaskID.isEmpty ? "" : "  new task: \(command.newTaskID)"
            Console.line("result: \(command.resultMessage.isEmpty ? "-" : command.resultMessage)\(newTask)")
        }
        guard command.state.isTerminalCommand else {
            let waited = CommonOptions.text(seconds)
            Console.error("brainctl: the command is still \(command.state.name) after \(waited) s; brainctl command show \(command.commandID) follows it")
            throw ExitCode(1)
        }
        if command.state != .succeeded { throw ExitCode(1) }
    }
}

extension WireCommandState {
    /// Whether the command is over: succeeded, failed or timed out.
    var isTerminalCommand: Bool { self == .succeeded || self == .failed || self == .timedOut }

    /// The state a `--state` name gives (`timed_out`, `pending`, ...).
    init?(commandName: String) {
        guard let state = Self.allCases.first(where: { $0 != .unspecified && $0.name == commandName }) else { return nil }
        self = state
    }
}
