#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Unbuffered line output for the command-line tools: a line written is a line seen, even
/// when stdout is a pipe and the process is killed right after.
package enum Console {
    package static func line(_ text: String) { write(1, text + "\n") }
    package static func error(_ text: String) { write(2, text + "\n") }
    /// A question whose answer is typed on the same line.
    package static func prompt(_ text: String) { write(1, text) }

    private static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { raw in
                #if canImport(Glibc)
                    Glibc.write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                #else
                    Darwin.write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                #endif
            }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
