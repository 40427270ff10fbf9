/// What a replay measured, for the text and JSON reports.
struct ReplayResult: Sendable {
    var file: String
    var connections: Int
    var events = 0
    var steps = 0
    var runs = 0
    var tasks = 0
    var taskEvents = 0
    /// brain or redis.
    var target = "brain"
    var bytes = 0
    var seconds = 0.0
    var rejected = 0
    var firstRejection: String?
    var latency: LatencySummary
    var brainPID: Int32?
    var brainCPUSeconds: Double?
    var driverCPUSeconds = 0.0
    var encodeSeconds = 0.0
    var rate: Double?

    private func perSecond(_ value: Int) -> Double { seconds > 0 ? Double(value) / seconds : 0 }

    var json: JSONOut {
        .object([
            ("events", .int(events)),
            ("steps", .int(steps)),
            ("seconds", .double(seconds, decimals: 4)),
            ("events_per_s", .double(perSecond(events), decimals: 1)),
            ("steps_per_s", .double(perSecond(steps), decimals: 1)),
            ("bytes_per_s", .double(perSecond(bytes), decimals: 1)),
            ("ack_latency_us", latency.json),
            ("brain_cpu_s", brainCPUSeconds.map { .double($0, decimals: 2) } ?? .null),
            ("driver_cpu_s", .double(driverCPUSeconds, decimals: 3)),
            ("connections", .int(connections)),
            ("runs", .int(runs)),
            ("tasks", .int(tasks)),
            ("task_events", .int(taskEvents)),
            ("target", .string(target)),
            ("bytes", .int(bytes)),
            ("rejected", .int(rejected)),
            ("rate", rate.map { .double($0, decimals: 1) } ?? .string("max")),
        ])
    }

    var text: String {
        func share(_ cpu: Double) -> String {
            seconds > 0 ? " (\(Int((cpu / seconds * 100).rounded()))% of one core)" : ""
        }
        let brain: String
        if let brainCPUSeconds {
            brain = "\(Format.seconds(brainCPUSeconds))\(share(brainCPUSeconds)), pid \(brainPID.map(String.init) ?? "?")"
        } else {
            brain = "unknown (no `brain serve` with this socket found; pass --brain-pid)"
        }
        var lines = [
            "replayed \(file)\(target == "redis" ? " into Redis" : ""): \(Format.grouped(events)) events (\(Format.grouped(runs)) runs, \(Format.grouped(steps)) steps, "
                + "\(Format.grouped(tasks)) tasks, \(Format.grouped(taskEvents)) task events) "
                + "over \(connections) connection\(connections == 1 ? "" : "s") in \(Format.seconds(seconds))\(rate.map { ", limited to \(Format.rate($0)) events/s" } ?? "")",
            "  events/s     \(Format.rate(perSecond(events)))",
            "  steps/s      \(Format.rate(perSecond(steps)))",
            "  bytes/s      \(Format.bytes(perSecond(bytes)))/s",
            "  ack latency  \(latency.text)",
            "  rejected     \(rejected)",
            "  brain CPU    \(brain)",
            "  driver CPU   \(Format.seconds(driverCPUSeconds))\(share(driverCPUSeconds)); encoding beforehand took \(Format.seconds(encodeSeconds))",
        ]
        if let firstRejection { lines.append("  first rejection: \(firstRejection)") }
        return lines.joined(separator: "\n")
    }
}
