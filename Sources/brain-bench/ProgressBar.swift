#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
struct ProgressBar {
    let total: Int
    let enabled: Bool = isatty(2) == 1

    func draw(done: Int, seconds: Double) {
        guard enabled, total > 0 else { return }
        let width = 30
        let filled = min(width, done * width / total)
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let percent = done * 100 / total
        emit("\r[\(bar)] \(percent)% \(Format.grouped(done))/\(Format.grouped(total)) events, \(Format.rate(rate))/s   ")
    }

    func clear() {
        guard enabled else { return }
        emit("\r" + String(repeating: " ", count: 100) + "\r")
    }

    private func emit(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { raw in write(2, raw.baseAddress, raw.count) }
    }
}
