import BrainCommandLine
import BrainProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failure of the benchmark tool itself, shown to the user as one line.
struct BenchError: Error, CustomStringConvertible, Sendable {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}

/// Prints `brain-bench: message` on stderr and exits 1.
func fail(_ message: String) -> Never {
    Console.error("brain-bench: \(message)")
    exit(1)
}
