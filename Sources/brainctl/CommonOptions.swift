import ArgumentParser
import BrainClient
import BrainCommandLine
import BrainProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Options every command takes, after the command or before it (see ``GlobalArguments``).
struct CommonOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The brain's Unix socket. [env: BRAIN_SOCKET] (default: $XDG_RUNTIME_DIR/brain/brain.sock, else /tmp/brain-<uid>/brain.sock)",
            valueName: "path"
        ))
    var socket: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds to wait for the brain to accept and answer; then exit 1 with DEADLINE_EXCEEDED. [env: BRAIN_TIMEOUT] (default: 5)",
            valueName: "seconds"
        )
    )
    var timeout: Double?

    static let defaultTimeout = 5.0

    func validate() throws {
        if let timeout {
            try Checks.seconds(timeout, "--timeout")
        } else if let text = Self.environment("BRAIN_TIMEOUT") {
            guard let value = Double(text), value.isFinite, value > 0, value <= Checks.maxSeconds else {
                throw ValidationError("BRAIN_TIMEOUT=\(text) is not a positive number of seconds; unset it or fix it")
            }
        }
    }

    var socketPath: String { socket ?? DefaultPaths.socket }

    /// `--timeout`, else `BRAIN_TIMEOUT`, else the command's default (both checked by `validate()`).
    func timeoutSeconds(default fallback: Double = Self.defaultTimeout) -> Double {
        timeout ?? Self.environment("BRAIN_TIMEOUT").flatMap(Double.init) ?? fallback
    }

    /// When the brain must have answered: the timeout from now.
    static func deadline(after seconds: Double) -> ContinuousClock.Instant {
        .now + .milliseconds(Int64((seconds * 1_000).rounded(.up)))
    }

    /// Connects within `seconds`, or exits 1 with a one-line error naming the socket.
    func connect(within seconds: Double) async throws -> BrainConnection {
        do {
            return try await BrainConnection.connect(socketPath: socketPath, connectTimeout: .milliseconds(Int64((seconds * 1_000).rounded(.up))))
        } catch {
            fail(error, timeout: seconds)
        }
    }

    /// Calls a method, waiting for its reply until `deadline`, or exits 1 with the brain's
    /// error (`timeout` is the whole command's, for the message).
    func call(
        _ connection: BrainConnection, _ method: BrainRequest.Method, by deadline: ContinuousClock.Instant, timeout: Double
    ) async throws -> BrainResponse.Result {
        do {
            return try await connection.call(method, timeout: Self.remaining(until: deadline))
        } catch {
            fail(error, timeout: timeout)
        }
    }

    /// Connects, calls one method and closes, all within `--timeout` (else `defaultTimeout`).
    func once(_ method: BrainRequest.Method, defaultTimeout: Double = Self.defaultTimeout) async throws -> BrainResponse.Result {
        let seconds = timeoutSeconds(default: defaultTimeout)
        let deadline = Self.deadline(after: seconds)
        let connection = try await connect(within: seconds)
        defer { Task { await connection.close() } }
        return try await call(connection, method, by: deadline, timeout: seconds)
    }

    /// Prints `error` as one line on stderr and exits 1.
    func fail(_ error: BrainError, timeout: Double) -> Never {
        switch error.code {
        case .deadlineExceeded:
            Console.error(
                """
                brainctl: DEADLINE_EXCEEDED: no reply from the brain at \(socketPath) within \(Self.text(timeout)) s; \
                is it stopped (SIGSTOP), overloaded, or is something else listening on that socket? (--timeout to wait longer)
                """)
        case .unavailable where error.message.hasPrefix("cannot reach"):
            Console.error("brainctl: \(error.message)")
        default:
            Console.error("brainctl: \(error.code.name): \(error.message)")
        }
        BrainctlCommand.exit(withError: ExitCode(1))
    }

    func print(_ value: JSONValue) { Console.line(value.text) }

    /// Time left until `deadline`, at least a millisecond (a call with none left times out at once).
    static func remaining(until deadline: ContinuousClock.Instant) -> Duration {
        max(deadline - .now, .milliseconds(1))
    }

    /// `5` for 5.0, `0.5` for 0.5: seconds as they were most likely typed.
    static func text(_ seconds: Double) -> String { Int64(exactly: seconds).map(String.init) ?? String(seconds) }

    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}

func unexpected(_ result: BrainResponse.Result) -> ExitCode {
    Console.error("brainctl: unexpected reply from the brain: \(result)")
    return ExitCode(1)
}
