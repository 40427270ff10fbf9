/// When journal writes reach the disk, and so when acknowledgements may be sent.
package enum FsyncPolicy: Hashable, Sendable, CustomStringConvertible {
    /// The events of one read batch are written and fsynced together, then acknowledged:
    /// an ack always means on disk.
    case batch
    /// Written at once, fsynced at most every `milliseconds`; a crash of the machine
    /// (not of the brain) may lose up to that window of acknowledged events.
    case interval(milliseconds: Int)
    /// Written, never fsynced: for benchmarks; a machine crash loses what the OS had not written.
    case never

    package init?(_ text: String) {
        switch text {
        case "batch": self = .batch
        case "never": self = .never
        default:
            let parts = text.split(separator: ":")
            guard parts.first == "interval" else { return nil }
            let ms = parts.count == 2 ? Int(parts[1]) : 100
            guard let ms, ms > 0 else { return nil }
            self = .interval(milliseconds: ms)
        }
    }

    package var description: String {
        switch self {
        case .batch: "batch"
        case .interval(let ms): "interval:\(ms)"
        case .never: "never"
        }
    }
}
